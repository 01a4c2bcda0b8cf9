// pavlov::envs::Car: Gymnasium 1.0's top-down racing car (car_dynamics.py)
// on Box2D 2.4: a hull of four polygons and four wheels on revolute joints.
// Box2D moves the bodies; the tyres are modelled by hand: each wheel has its
// own spin (omega), the rear wheels are driven, brakes slow the spin, and the
// force between tyre and ground is the slip (wheel speed against ground
// speed, forward and sideways) capped by a friction limit that is lower on
// grass than on road tiles. Constants are Gymnasium's. The skid-mark
// particles of Gymnasium's renderer are decoration and are not simulated.
#pragma once

#include <box2d/box2d.h>

#include <array>

#include "engine/render/canvas.h"

namespace pavlov::envs {

class Car {
 public:
  static constexpr std::uint16_t kWheelBits = 0x0020;

  struct Wheel {
    b2Body* body = nullptr;
    b2RevoluteJoint* joint = nullptr;
    double gas = 0, brake = 0, steer = 0;
    double phase = 0, omega = 0;  // the wheel's angle and spin
    int road_tiles = 0;           // road tiles the wheel touches now (0: on grass)
  };

  // Builds the car at (x, y), heading `angle` (radians; 0 faces +y).
  Car(b2World& world, double angle, double x, double y);
  ~Car();
  Car(const Car&) = delete;
  Car& operator=(const Car&) = delete;

  // Controls: gas in [0, 1] (rear wheels; rises by at most 0.1 per call,
  // drops at once), brake in [0, 1] (>= 0.9 locks the wheels), steer in
  // [-1, 1] (the front wheels' target angle; the joint motor turns them).
  void gas(double g);
  void brake(double b);
  void steer(double s);
  // Applies the tyre forces for a step of dt seconds (before b2World::Step).
  void step(double dt);

  // Gymnasium's picture of the car: red hull, black wheels with a turning stripe.
  void draw(Canvas& canvas) const;

  const b2Body& hull() const { return *hull_; }
  const Wheel& wheel(int i) const { return wheels_[i]; }
  Wheel& wheel(int i) { return wheels_[i]; }
  // The wheel of a Box2D body, or nullptr.
  Wheel* wheel_of(const b2Body* body);

 private:
  b2World& world_;
  b2Body* hull_ = nullptr;
  std::array<Wheel, 4> wheels_;  // front left, front right, rear left, rear right
};

}  // namespace pavlov::envs
