#include "envs/box2d/car.h"

#include <algorithm>
#include <cmath>

namespace pavlov::envs {
namespace {

constexpr double kSize = 0.02;
constexpr double kEnginePower = 100000000 * kSize * kSize;
constexpr double kWheelMomentOfInertia = 4000 * kSize * kSize;
constexpr double kFrictionLimit = 1000000 * kSize * kSize;  // on road; 60 % of it on grass
constexpr double kWheelR = 27, kWheelW = 14;
constexpr double kWheelPos[4][2] = {{-55, +80}, {+55, +80}, {-55, -82}, {+55, -82}};
constexpr float kHull1[4][2] = {{-60, +130}, {+60, +130}, {+60, +110}, {-60, +110}};
constexpr float kHull2[4][2] = {{-15, +120}, {+15, +120}, {+20, +20}, {-20, 20}};
constexpr float kHull3[8][2] = {{+25, +20}, {+50, -10}, {+50, -40}, {+20, -90}, {-20, -90}, {-50, -40}, {-50, -10}, {-25, +20}};
constexpr float kHull4[4][2] = {{-50, -120}, {+50, -120}, {+50, -90}, {-50, -90}};

template <std::size_t N>
void add_polygon(b2Body* body, const float (&pts)[N][2], float density, std::uint16_t category = 0x0001,
                 std::uint16_t mask = 0xFFFF) {
  b2Vec2 v[N];
  for (std::size_t i = 0; i < N; ++i) v[i].Set(static_cast<float>(pts[i][0] * kSize), static_cast<float>(pts[i][1] * kSize));
  b2PolygonShape shape;
  shape.Set(v, static_cast<int>(N));
  b2FixtureDef def;
  def.shape = &shape;
  def.density = density;
  def.filter.categoryBits = category;
  def.filter.maskBits = mask;
  def.restitution = 0.0f;
  body->CreateFixture(&def);
}

double sign(double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }

}  // namespace

Car::Car(b2World& world, double angle, double x, double y) : world_(world) {
  b2BodyDef hull_def;
  hull_def.type = b2_dynamicBody;
  hull_def.position.Set(static_cast<float>(x), static_cast<float>(y));
  hull_def.angle = static_cast<float>(angle);
  hull_ = world.CreateBody(&hull_def);
  add_polygon(hull_, kHull1, 1.0f);
  add_polygon(hull_, kHull2, 1.0f);
  add_polygon(hull_, kHull3, 1.0f);
  add_polygon(hull_, kHull4, 1.0f);
  const float wheel_poly[4][2] = {{float(-kWheelW), float(+kWheelR)}, {float(+kWheelW), float(+kWheelR)},
                                  {float(+kWheelW), float(-kWheelR)}, {float(-kWheelW), float(-kWheelR)}};
  for (int i = 0; i < 4; ++i) {
    const double wx = kWheelPos[i][0], wy = kWheelPos[i][1];
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position.Set(static_cast<float>(x + wx * kSize), static_cast<float>(y + wy * kSize));
    def.angle = static_cast<float>(angle);
    Wheel& w = wheels_[i];
    w.body = world.CreateBody(&def);
    add_polygon(w.body, wheel_poly, 0.1f, kWheelBits, 0x0001);
    b2RevoluteJointDef joint;
    joint.bodyA = hull_;
    joint.bodyB = w.body;
    joint.localAnchorA.Set(static_cast<float>(wx * kSize), static_cast<float>(wy * kSize));
    joint.localAnchorB.Set(0, 0);
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(180 * 900 * kSize * kSize);
    joint.motorSpeed = 0;
    joint.lowerAngle = -0.4f;
    joint.upperAngle = +0.4f;
    w.joint = static_cast<b2RevoluteJoint*>(world.CreateJoint(&joint));
  }
}

Car::~Car() {
  for (Wheel& w : wheels_) world_.DestroyBody(w.body);  // destroys the joints too
  world_.DestroyBody(hull_);
}

Car::Wheel* Car::wheel_of(const b2Body* body) {
  for (Wheel& w : wheels_)
    if (w.body == body) return &w;
  return nullptr;
}

void Car::gas(double g) {
  g = std::clamp(g, 0.0, 1.0);
  for (int i = 2; i < 4; ++i) wheels_[i].gas += std::min(g - wheels_[i].gas, 0.1);
}

void Car::brake(double b) {
  for (Wheel& w : wheels_) w.brake = b;
}

void Car::steer(double s) {
  wheels_[0].steer = s;
  wheels_[1].steer = s;
}

void Car::step(double dt) {
  for (Wheel& w : wheels_) {
    // The steering motor turns the wheel towards its target angle.
    const double to_go = w.steer - w.joint->GetJointAngle();
    w.joint->SetMotorSpeed(static_cast<float>(sign(to_go) * std::min(50.0 * std::abs(to_go), 3.0)));

    const double friction_limit = w.road_tiles > 0 ? kFrictionLimit : kFrictionLimit * 0.6;
    const b2Vec2 forw = w.body->GetWorldVector(b2Vec2(0, 1)), side = w.body->GetWorldVector(b2Vec2(1, 0));
    const b2Vec2 v = w.body->GetLinearVelocity();
    const double vf = double(forw.x) * v.x + double(forw.y) * v.y;  // forward speed
    const double vs = double(side.x) * v.x + double(side.y) * v.y;  // side speed

    // The engine spins the wheel up (less so the faster it spins); brakes slow it.
    w.omega += dt * kEnginePower * w.gas / kWheelMomentOfInertia / (std::abs(w.omega) + 5.0);
    if (w.brake >= 0.9) {
      w.omega = 0;
    } else if (w.brake > 0) {
      constexpr double kBrakeForce = 15;  // radians per second
      const double slow = std::min(kBrakeForce * w.brake, std::abs(w.omega));
      w.omega += -sign(w.omega) * slow;
    }
    w.phase += w.omega * dt;

    // The tyre pushes against the slip, up to the friction limit.
    const double vr = w.omega * kWheelR * kSize;  // the rolling wheel's surface speed
    double f_force = (-vf + vr) * 205000 * kSize * kSize;
    double p_force = -vs * 205000 * kSize * kSize;
    const double force = std::sqrt(f_force * f_force + p_force * p_force);
    if (force > friction_limit) {
      f_force = f_force / force * friction_limit;
      p_force = p_force / force * friction_limit;
    }
    w.omega -= dt * f_force * kWheelR * kSize / kWheelMomentOfInertia;
    w.body->ApplyForceToCenter(b2Vec2(static_cast<float>(p_force * side.x + f_force * forw.x),
                                      static_cast<float>(p_force * side.y + f_force * forw.y)),
                               true);
  }
}

void Car::draw(Canvas& canvas) const {
  const auto draw_fixtures = [&](const b2Body& body, Color color) {
    const b2Transform& xf = body.GetTransform();
    for (const b2Fixture* f = body.GetFixtureList(); f != nullptr; f = f->GetNext()) {
      const auto* poly = static_cast<const b2PolygonShape*>(f->GetShape());
      Point pts[b2_maxPolygonVertices];
      for (int i = 0; i < poly->m_count; ++i) {
        const b2Vec2 p = b2Mul(xf, poly->m_vertices[i]);
        pts[i] = {p.x, p.y};
      }
      canvas.polygon(std::span<const Point>(pts, poly->m_count), color);
    }
  };
  for (const Wheel& w : wheels_) {
    draw_fixtures(*w.body, {0, 0, 0});
    // A light stripe that turns with the wheel's phase (on its visible half).
    double c1 = std::cos(w.phase), c2 = std::cos(w.phase + 1.2);
    const double s1 = std::sin(w.phase), s2 = std::sin(w.phase + 1.2);
    if (s1 > 0 && s2 > 0) continue;
    if (s1 > 0) c1 = sign(c1);
    if (s2 > 0) c2 = sign(c2);
    const float ww = float(kWheelW * kSize), wr = float(kWheelR * kSize);
    const Point stripe[4] = {{-ww, wr * float(c1)}, {ww, wr * float(c1)}, {ww, wr * float(c2)}, {-ww, wr * float(c2)}};
    const b2Vec2 p = w.body->GetPosition();
    canvas.polygon(stripe, {p.x, p.y}, w.body->GetAngle(), {77, 77, 77});
  }
  draw_fixtures(*hull_, {204, 0, 0});
}

}  // namespace pavlov::envs
