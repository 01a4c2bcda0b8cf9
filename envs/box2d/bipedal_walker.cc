#include "envs/box2d/bipedal_walker.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "envs/box2d/draw_body.h"

namespace pavlov::envs {
namespace {

constexpr double kFps = 50.0;
constexpr double kScale = 30.0;
constexpr double kMotorsTorque = 80.0;
constexpr double kSpeedHip = 4.0, kSpeedKnee = 6.0;
constexpr double kLidarRange = 160.0 / kScale;
constexpr double kInitialRandom = 5.0;
constexpr float kHullPoly[5][2] = {{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}};
constexpr double kLegDown = -8.0 / kScale;
constexpr double kLegW = 8.0 / kScale, kLegH = 34.0 / kScale;
constexpr double kViewportW = 600.0, kViewportH = 400.0;
constexpr double kTerrainStep = 14.0 / kScale;
constexpr int kTerrainLength = 200;  // in steps
constexpr double kTerrainHeight = kViewportH / kScale / 4;
constexpr int kTerrainGrass = 10;
constexpr int kTerrainStartpad = 20;
constexpr float kFriction = 2.5f;
constexpr std::uint16_t kGroundBits = 0x0001, kWalkerBits = 0x0020;

struct Normal : BipedalWalker {
  Normal() : BipedalWalker(false) {}
};
struct Hardcore : BipedalWalker {
  Hardcore() : BipedalWalker(true) {}
};

const bool kRegistered =
    register_env<Normal>({.id = "BipedalWalker-v3", .max_episode_steps = 1600,
                          .summary = "a two-legged walker crosses rolling terrain with 4 joint torques (Gymnasium 1.0, Box2D)"}) &&
    register_env<Hardcore>({.id = "BipedalWalkerHardcore-v3", .max_episode_steps = 2000,
                            .summary = "BipedalWalker over stumps, stairs and pits (Gymnasium 1.0, Box2D)"});

Space walker_observation_space() {
  std::vector<double> low = {-M_PI, -5, -5, -5, -M_PI, -5, -M_PI, -5, 0, -M_PI, -5, -M_PI, -5, 0};
  std::vector<double> high = {M_PI, 5, 5, 5, M_PI, 5, M_PI, 5, 5, M_PI, 5, M_PI, 5, 5};
  for (int i = 0; i < 10; ++i) {
    low.push_back(-1.0);
    high.push_back(1.0);
  }
  return Space::box(low, high, {24});
}

b2FixtureDef walker_fixture(const b2Shape* shape, float density, float friction) {
  b2FixtureDef f;
  f.shape = shape;
  f.density = density;
  f.friction = friction;
  f.restitution = 0.0f;
  f.filter.categoryBits = kWalkerBits;
  f.filter.maskBits = kGroundBits;  // the walker collides with the ground only
  return f;
}

}  // namespace

// One lidar ray: the closest ground fixture along it (Gymnasium v3).
class BipedalWalker::Lidar : public b2RayCastCallback {
 public:
  float fraction = 1.0f;
  float ReportFixture(b2Fixture* fixture, const b2Vec2&, const b2Vec2&, float f) override {
    if ((fixture->GetFilterData().categoryBits & kGroundBits) == 0) return -1.0f;
    fraction = f;
    return f;  // clip the ray here: later reports are closer
  }
};

BipedalWalker::BipedalWalker(bool hardcore)
    : Env(walker_observation_space(), Space::box(-1.0, 1.0, {4}), hardcore ? "BipedalWalkerHardcore" : "BipedalWalker"),
      hardcore_(hardcore),
      log_(4, hardcore ? 2000 : 1600) {
  terrain_x_.reserve(kTerrainLength);
  terrain_y_.reserve(kTerrainLength);
}

BipedalWalker::~BipedalWalker() = default;

void BipedalWalker::generate_terrain(Rng& rng) {
  enum State { kGrass, kStump, kStairs, kPit };
  State state = kGrass;
  double velocity = 0.0, y = kTerrainHeight, original_y = 0.0;
  int counter = kTerrainStartpad;
  bool oneshot = false;
  int stair_steps = 0, stair_width = 0, stair_height = 0;
  terrain_x_.clear();
  terrain_y_.clear();
  // All terrain on one static body (Gymnasium makes a body per piece; static
  // bodies never move, so one body with many fixtures behaves the same and
  // builds faster).
  b2BodyDef ground_def;
  b2Body* ground = ground_ = world_->CreateBody(&ground_def);
  b2PolygonShape poly;
  b2FixtureDef block;
  block.shape = &poly;
  block.friction = kFriction;
  auto add_block = [&](const b2Vec2* v) {
    poly.Set(v, 4);
    ground->CreateFixture(&block);
  };
  for (int i = 0; i < kTerrainLength; ++i) {
    const double x = i * kTerrainStep;
    terrain_x_.push_back(x);
    if (state == kGrass && !oneshot) {
      velocity = 0.8 * velocity + 0.01 * (kTerrainHeight > y ? 1.0 : kTerrainHeight < y ? -1.0 : 0.0);
      if (i > kTerrainStartpad) velocity += rng.uniform(-1.0, 1.0) / kScale;
      y += velocity;
    } else if (state == kPit && oneshot) {
      counter = 3 + static_cast<int>(rng.below(2));  // 3 or 4
      const b2Vec2 v[4] = {{float(x), float(y)},
                           {float(x + kTerrainStep), float(y)},
                           {float(x + kTerrainStep), float(y - 4 * kTerrainStep)},
                           {float(x), float(y - 4 * kTerrainStep)}};
      add_block(v);
      b2Vec2 w[4];
      for (int k = 0; k < 4; ++k) w[k] = {float(v[k].x + kTerrainStep * counter), v[k].y};
      add_block(w);
      counter += 2;
      original_y = y;
    } else if (state == kPit && !oneshot) {
      y = original_y;
      if (counter > 1) y -= 4 * kTerrainStep;
    } else if (state == kStump && oneshot) {
      counter = 1 + static_cast<int>(rng.below(2));  // 1 or 2
      const double size = counter * kTerrainStep;
      const b2Vec2 v[4] = {{float(x), float(y)}, {float(x + size), float(y)}, {float(x + size), float(y + size)},
                           {float(x), float(y + size)}};
      add_block(v);
    } else if (state == kStairs && oneshot) {
      stair_height = rng.uniform() > 0.5 ? 1 : -1;
      stair_width = 4;
      stair_steps = 3 + static_cast<int>(rng.below(2));  // 3 or 4
      original_y = y;
      for (int s = 0; s < stair_steps; ++s) {
        const double x0 = x + s * stair_width * kTerrainStep, x1 = x + (1 + s) * stair_width * kTerrainStep;
        const double top = y + s * stair_height * kTerrainStep, bottom = y + (-1 + s * stair_height) * kTerrainStep;
        const b2Vec2 v[4] = {{float(x0), float(top)}, {float(x1), float(top)}, {float(x1), float(bottom)}, {float(x0), float(bottom)}};
        add_block(v);
      }
      counter = stair_steps * stair_width;
    } else if (state == kStairs && !oneshot) {
      const int s = stair_steps * stair_width - counter - stair_height;
      const double n = static_cast<double>(s) / stair_width;
      y = original_y + n * stair_height * kTerrainStep;
    }
    oneshot = false;
    terrain_y_.push_back(y);
    if (--counter == 0) {
      counter = kTerrainGrass / 2 + static_cast<int>(rng.below(kTerrainGrass - kTerrainGrass / 2));  // [5, 10)
      if (state == kGrass && hardcore_) state = static_cast<State>(1 + rng.below(3));
      else state = kGrass;
      oneshot = true;
    }
  }
  b2EdgeShape edge;
  b2FixtureDef edge_fixture;
  edge_fixture.shape = &edge;
  edge_fixture.friction = kFriction;
  edge_fixture.filter.categoryBits = kGroundBits;
  for (int i = 0; i + 1 < kTerrainLength; ++i) {
    edge.SetTwoSided(b2Vec2(float(terrain_x_[i]), float(terrain_y_[i])), b2Vec2(float(terrain_x_[i + 1]), float(terrain_y_[i + 1])));
    ground->CreateFixture(&edge_fixture);
  }
}

void BipedalWalker::build(Rng& rng) {
  world_ = std::make_unique<b2World>(b2Vec2(0.0f, -10.0f));
  world_->SetContactListener(&contacts_);
  has_prev_shaping_ = false;
  terrain_grass_ = kTerrainGrass;
  generate_terrain(rng);

  const double init_x = kTerrainStep * kTerrainStartpad / 2, init_y = kTerrainHeight + 2 * kLegH;
  b2BodyDef hull_def;
  hull_def.type = b2_dynamicBody;
  hull_def.position.Set(float(init_x), float(init_y));
  hull_ = world_->CreateBody(&hull_def);
  b2Vec2 verts[5];
  for (int i = 0; i < 5; ++i) verts[i].Set(float(kHullPoly[i][0] / kScale), float(kHullPoly[i][1] / kScale));
  b2PolygonShape hull_shape;
  hull_shape.Set(verts, 5);
  const b2FixtureDef hull_fixture = walker_fixture(&hull_shape, 5.0f, 0.1f);
  hull_->CreateFixture(&hull_fixture);
  hull_->ApplyForceToCenter(b2Vec2(float(rng.uniform(-kInitialRandom, kInitialRandom)), 0.0f), true);

  b2PolygonShape upper_shape, lower_shape;
  upper_shape.SetAsBox(float(kLegW / 2), float(kLegH / 2));
  lower_shape.SetAsBox(float(0.8 * kLegW / 2), float(kLegH / 2));
  for (int k = 0; k < 2; ++k) {
    const int i = k == 0 ? -1 : 1;
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position.Set(float(init_x), float(init_y - kLegH / 2 - kLegDown));
    def.angle = float(i * 0.05);
    b2Body* upper = world_->CreateBody(&def);
    const b2FixtureDef upper_fixture = walker_fixture(&upper_shape, 1.0f, 0.2f);
    upper->CreateFixture(&upper_fixture);
    b2RevoluteJointDef hip;
    hip.bodyA = hull_;
    hip.bodyB = upper;
    hip.localAnchorA.Set(0.0f, float(kLegDown));
    hip.localAnchorB.Set(0.0f, float(kLegH / 2));
    hip.enableMotor = true;
    hip.enableLimit = true;
    hip.maxMotorTorque = float(kMotorsTorque);
    hip.motorSpeed = float(i);
    hip.lowerAngle = -0.8f;
    hip.upperAngle = 1.1f;

    def.position.Set(float(init_x), float(init_y - kLegH * 3 / 2 - kLegDown));
    b2Body* lower = world_->CreateBody(&def);
    const b2FixtureDef lower_fixture = walker_fixture(&lower_shape, 1.0f, 0.2f);
    lower->CreateFixture(&lower_fixture);
    b2RevoluteJointDef knee;
    knee.bodyA = upper;
    knee.bodyB = lower;
    knee.localAnchorA.Set(0.0f, float(-kLegH / 2));
    knee.localAnchorB.Set(0.0f, float(kLegH / 2));
    knee.enableMotor = true;
    knee.enableLimit = true;
    knee.maxMotorTorque = float(kMotorsTorque);
    knee.motorSpeed = 1.0f;
    knee.lowerAngle = -1.6f;
    knee.upperAngle = -0.1f;

    legs_[2 * k] = upper;
    legs_[2 * k + 1] = lower;
    joints_[2 * k] = static_cast<b2RevoluteJoint*>(world_->CreateJoint(&hip));
    joints_[2 * k + 1] = static_cast<b2RevoluteJoint*>(world_->CreateJoint(&knee));
  }
  contacts_.watch(hull_, {legs_[1], legs_[3]});
}

Transition BipedalWalker::advance(const double* action, float* obs) {
  double cost = 0.0;
  for (int j = 0; j < 4; ++j) {
    const double a = std::clamp(action[j], -1.0, 1.0);
    const double speed = (j % 2 == 0 ? kSpeedHip : kSpeedKnee) * (a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0);
    joints_[j]->SetMotorSpeed(float(speed));
    joints_[j]->SetMaxMotorTorque(float(kMotorsTorque * std::abs(a)));
    cost += 0.00035 * kMotorsTorque * std::abs(a);
  }
  world_->Step(float(1.0 / kFps), 6 * 30, 2 * 30);

  const b2Vec2 pos = hull_->GetPosition(), vel = hull_->GetLinearVelocity();
  obs[0] = hull_->GetAngle();
  obs[1] = float(2.0 * hull_->GetAngularVelocity() / kFps);
  obs[2] = float(0.3 * vel.x * (kViewportW / kScale) / kFps);
  obs[3] = float(0.3 * vel.y * (kViewportH / kScale) / kFps);
  for (int k = 0; k < 2; ++k) {
    float* o = obs + 4 + 5 * k;
    o[0] = joints_[2 * k]->GetJointAngle();
    o[1] = float(joints_[2 * k]->GetJointSpeed() / kSpeedHip);
    o[2] = float(joints_[2 * k + 1]->GetJointAngle() + 1.0);
    o[3] = float(joints_[2 * k + 1]->GetJointSpeed() / kSpeedKnee);
    o[4] = contacts_.foot_contact(k) ? 1.0f : 0.0f;
  }
  for (int i = 0; i < 10; ++i) {
    Lidar ray;
    const b2Vec2 end(float(pos.x + std::sin(1.5 * i / 10.0) * kLidarRange), float(pos.y - std::cos(1.5 * i / 10.0) * kLidarRange));
    world_->RayCast(&ray, pos, end);
    obs[14 + i] = ray.fraction;
  }

  const double shaping = 130.0 * pos.x / kScale - 5.0 * std::abs(double(obs[0]));
  double reward = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
  prev_shaping_ = shaping;
  has_prev_shaping_ = true;
  reward -= cost;
  bool terminated = false;
  if (contacts_.fatal_contact() || pos.x < 0) {
    reward = -100;
    terminated = true;
  }
  if (pos.x > (kTerrainLength - terrain_grass_) * kTerrainStep) terminated = true;
  return {reward, terminated};
}

void BipedalWalker::reset_impl(ArrayView obs) {
  log_.start(rng().state());
  build(rng());
  const double zero[4] = {0, 0, 0, 0};
  advance(zero, obs.as<float>());  // Gymnasium's reset returns the observation after one idle step
}

Transition BipedalWalker::step_impl(ConstArrayView action, ArrayView obs) {
  double a[4];
  for (int j = 0; j < 4; ++j) a[j] = action.as<float>()[j];
  log_.record(a);
  return advance(a, obs.as<float>());
}

std::vector<double> BipedalWalker::state() const { return log_.to_state(); }

void BipedalWalker::set_state_impl(std::span<const double> state, ArrayView obs) {
  log_.from_state(state, id());
  Rng replay;
  replay.set_state(log_.reset_rng());
  build(replay);
  const double zero[4] = {0, 0, 0, 0};
  float* o = obs.as<float>();
  advance(zero, o);
  for (std::size_t i = 0; i < log_.steps(); ++i) advance(log_.action(i), o);
}

// Gymnasium's picture: 600 x 400 pixels at 30 px/m, the camera following the
// hull (a fifth of the way in), lavender sky, ground in two alternating
// greens, white obstacles, the purple walker with its far legs darker.
bool BipedalWalker::render(Canvas& c) const {
  if (hull_ == nullptr) return false;
  c.begin(static_cast<int>(kViewportW), static_cast<int>(kViewportH), {215, 215, 255});
  c.set_camera(0, 0, static_cast<float>(kScale));
  c.follow_x(hull_->GetPosition().x, 0.2f);
  for (std::size_t i = 0; i + 1 < terrain_x_.size(); ++i) {
    const float x0 = float(terrain_x_[i]), x1 = float(terrain_x_[i + 1]), y0 = float(terrain_y_[i]), y1 = float(terrain_y_[i + 1]);
    c.polygon({{x0, y0}, {x1, y1}, {x1, 0}, {x0, 0}}, i % 2 == 0 ? Color{76, 255, 76} : Color{76, 204, 76});
  }
  // The ground body's polygons are the obstacles (stumps, pit walls, stairs).
  for (const b2Fixture* f = ground_->GetFixtureList(); f != nullptr; f = f->GetNext()) {
    if (f->GetShape()->GetType() != b2Shape::e_polygon) continue;
    const auto* poly = static_cast<const b2PolygonShape*>(f->GetShape());
    Point pts[b2_maxPolygonVertices];
    for (int i = 0; i < poly->m_count; ++i) pts[i] = {poly->m_vertices[i].x, poly->m_vertices[i].y};
    c.polygon(std::span<const Point>(pts, poly->m_count), colors::kWhite);
    for (int i = 0; i < poly->m_count; ++i) c.line(pts[i], pts[(i + 1) % poly->m_count], 1, {153, 153, 153});
  }
  const float flag_x = float(kTerrainStep * 3), flag_y = float(kTerrainHeight), pole = float(50 / kScale), px = float(1 / kScale);
  c.line({flag_x, flag_y}, {flag_x, flag_y + pole}, 1, colors::kBlack);
  c.polygon({{flag_x, flag_y + pole}, {flag_x, flag_y + pole - 10 * px}, {flag_x + 25 * px, flag_y + pole - 5 * px}}, {230, 51, 0});
  for (int side : {1, -1}) {  // the far (right) legs first, darker
    const int k = side == 1 ? 2 : 0;
    const auto shade = [&](int v) { return static_cast<std::uint8_t>(v - side * 25); };
    for (int j = k; j < k + 2; ++j)
      draw_body(c, *legs_[j], {shade(153), shade(76), shade(127)}, Color{shade(102), shade(51), shade(76)});
  }
  draw_body(c, *hull_, {127, 51, 229}, Color{76, 76, 127});
  return true;
}

}  // namespace pavlov::envs
