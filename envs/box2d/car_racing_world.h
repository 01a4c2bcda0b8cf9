// pavlov::envs::CarRacingWorld: the physics and the picture of Gymnasium
// 1.0's CarRacing-v3 on Box2D 2.4, apart from how actions reach it
// (car_racing.cc holds the env adapter).
//
// A random closed track (12 checkpoints around a circle, followed by a car
// that turns at most TRACK_TURN_RATE per step) is cut into road tiles, each a
// static sensor body; red-white borders mark sharp turns. A wheel touching a
// tile for the first time earns 1000 / tiles; the episode ends when every
// tile was visited, when the start tile is reached after lap_complete_percent
// of them, or (with -100) when the car leaves the playfield. The picture is
// Gymnasium's: a 1000 x 800 frame that turns with the car, zooming in over
// the first second, with the indicator bar (speed, wheel spins, steering,
// yaw rate) and the reward at the bottom. Constants are Gymnasium's.
#pragma once

#include <box2d/box2d.h>

#include <array>
#include <memory>
#include <vector>

#include "engine/env/rng.h"
#include "engine/render/canvas.h"
#include "envs/box2d/car.h"

namespace pavlov::envs {

struct CarRacingOptions {
  double lap_complete_percent = 0.95;
  bool domain_randomize = false;  // random road, background and grass colours per episode
  bool continuous = true;         // Box(steer, gas, brake), else Discrete(5)
};

class CarRacingWorld : public b2ContactListener {
 public:
  static constexpr int kFrameW = 1000, kFrameH = 800;

  explicit CarRacingWorld(const CarRacingOptions& options);
  ~CarRacingWorld() override;

  // A new track and car (colours too with domain_randomize), then Gymnasium's
  // first physics step without an action.
  void reset(Rng& rng);
  // steer in [-1, 1] (positive: right), gas and brake in [0, 1].
  void act(double steer, double gas, double brake);
  // One physics step of 1/50 s. Returns the reward of a step with an action
  // (0 for the one that ends reset); sets `terminated`.
  double step(bool with_action, bool& terminated);
  void draw(Canvas& canvas) const;

  int tiles() const { return static_cast<int>(tiles_.size()); }
  int tiles_visited() const { return visited_count_; }
  const Car& car() const { return *car_; }
  // The centre line of the track: (x, y) per tile, in driving order.
  const std::vector<std::array<double, 2>>& centre_line() const { return centre_; }

 private:
  struct Tile {
    b2Body* body = nullptr;
    std::array<Point, 4> quad;
    Color color;
    bool visited = false;
  };
  struct Border {
    std::array<Point, 4> quad;
    Color color;
  };

  bool create_track(Rng& rng);
  void destroy();
  void BeginContact(b2Contact* contact) override { contact_changed(contact, true); }
  void EndContact(b2Contact* contact) override { contact_changed(contact, false); }
  void contact_changed(b2Contact* contact, bool begin);

  CarRacingOptions options_;
  std::unique_ptr<b2World> world_;
  std::unique_ptr<Car> car_;
  std::vector<Tile> tiles_;
  std::vector<Border> borders_;
  std::vector<std::array<double, 4>> track_;  // alpha, beta, x, y per tile
  std::vector<std::array<double, 2>> centre_;
  Color road_color_{102, 102, 102}, bg_color_{102, 204, 102}, grass_color_{102, 230, 102};
  double reward_ = 0, prev_reward_ = 0, t_ = 0;
  int visited_count_ = 0;
  bool new_lap_ = false;
};

}  // namespace pavlov::envs
