#include "envs/box2d/lunar_lander_world.h"

#include "envs/box2d/draw_body.h"

#include <cmath>

namespace pavlov::envs {
namespace {

constexpr double kFps = 50.0;
constexpr double kScale = 30.0;  // pixels per metre
constexpr double kMainEnginePower = 13.0;
constexpr double kSideEnginePower = 0.6;
constexpr double kInitialRandom = 1000.0;
constexpr double kLegAway = 20.0, kLegDown = 18.0, kLegW = 2.0, kLegH = 8.0;
constexpr double kLegSpringTorque = 40.0;
constexpr double kSideEngineHeight = 14.0, kSideEngineAway = 12.0;
constexpr double kMainEngineYLocation = 4.0;
constexpr double kViewportW = 600.0, kViewportH = 400.0;
constexpr int kChunks = 11;
constexpr std::uint16_t kGroundBits = 0x0001, kLanderBits = 0x0010, kLegBits = 0x0020;
constexpr float kLanderPoly[6][2] = {{-14, 17}, {-17, 0}, {-17, -10}, {17, -10}, {17, 0}, {14, 17}};

}  // namespace

LunarLanderWorld::LunarLanderWorld(const LunarLanderOptions& options) : options_(options) {}

LunarLanderWorld::~LunarLanderWorld() = default;

void LunarLanderWorld::destroy_bodies() {
  // A fresh world per episode: Box2D's contact and broad-phase state start
  // empty, so an episode depends only on its seed.
  world_.reset();
  moon_ = lander_ = nullptr;
  legs_ = {};
}

void LunarLanderWorld::reset(Rng& rng) {
  destroy_bodies();
  world_ = std::make_unique<b2World>(b2Vec2(0.0f, static_cast<float>(options_.gravity)));
  world_->SetContactListener(&contacts_);
  has_prev_shaping_ = false;

  const double w = kViewportW / kScale, h = kViewportH / kScale;
  // Terrain: 11 chunk heights, flat around the helipad, smoothed.
  double height[kChunks + 1];
  for (double& y : height) y = rng.uniform(0.0, h / 2);
  double chunk_x[kChunks];
  for (int i = 0; i < kChunks; ++i) chunk_x[i] = w / (kChunks - 1) * i;
  helipad_x1_ = chunk_x[kChunks / 2 - 1];
  helipad_x2_ = chunk_x[kChunks / 2 + 1];
  helipad_y_ = h / 4;
  for (int i = kChunks / 2 - 2; i <= kChunks / 2 + 2; ++i) height[i] = helipad_y_;
  double smooth_y[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    const double before = i == 0 ? height[kChunks] : height[i - 1];  // Python's height[-1]
    smooth_y[i] = 0.33 * (before + height[i] + height[i + 1]);
  }
  b2BodyDef moon_def;
  moon_ = world_->CreateBody(&moon_def);
  b2EdgeShape edge;
  edge.SetTwoSided(b2Vec2(0.0f, 0.0f), b2Vec2(static_cast<float>(w), 0.0f));
  b2FixtureDef edge_fixture;
  edge_fixture.shape = &edge;
  edge_fixture.density = 0.0f;
  edge_fixture.friction = 0.2f;  // pybox2d's default for the base edge
  moon_->CreateFixture(&edge_fixture);
  for (int i = 0; i < kChunks - 1; ++i) {
    edge.SetTwoSided(b2Vec2(static_cast<float>(chunk_x[i]), static_cast<float>(smooth_y[i])),
                     b2Vec2(static_cast<float>(chunk_x[i + 1]), static_cast<float>(smooth_y[i + 1])));
    edge_fixture.friction = 0.1f;
    moon_->CreateFixture(&edge_fixture);
  }

  // The lander, pushed by a random force.
  const double initial_y = kViewportH / kScale;
  b2BodyDef lander_def;
  lander_def.type = b2_dynamicBody;
  lander_def.position.Set(static_cast<float>(kViewportW / kScale / 2), static_cast<float>(initial_y));
  lander_ = world_->CreateBody(&lander_def);
  b2Vec2 verts[6];
  for (int i = 0; i < 6; ++i)
    verts[i].Set(static_cast<float>(kLanderPoly[i][0] / kScale), static_cast<float>(kLanderPoly[i][1] / kScale));
  b2PolygonShape hull;
  hull.Set(verts, 6);
  b2FixtureDef hull_fixture;
  hull_fixture.shape = &hull;
  hull_fixture.density = 5.0f;
  hull_fixture.friction = 0.1f;
  hull_fixture.restitution = 0.0f;
  hull_fixture.filter.categoryBits = kLanderBits;
  hull_fixture.filter.maskBits = kGroundBits;
  lander_->CreateFixture(&hull_fixture);
  const double fx = rng.uniform(-kInitialRandom, kInitialRandom), fy = rng.uniform(-kInitialRandom, kInitialRandom);
  lander_->ApplyForceToCenter(b2Vec2(static_cast<float>(fx), static_cast<float>(fy)), true);

  // Two legs on motorised revolute joints that act as springs.
  for (int k = 0; k < 2; ++k) {
    const int i = k == 0 ? -1 : 1;
    b2BodyDef leg_def;
    leg_def.type = b2_dynamicBody;
    leg_def.position.Set(static_cast<float>(kViewportW / kScale / 2 - i * kLegAway / kScale), static_cast<float>(initial_y));
    leg_def.angle = static_cast<float>(i * 0.05);
    b2Body* leg = world_->CreateBody(&leg_def);
    b2PolygonShape box;
    box.SetAsBox(static_cast<float>(kLegW / kScale), static_cast<float>(kLegH / kScale));
    b2FixtureDef leg_fixture;
    leg_fixture.shape = &box;
    leg_fixture.density = 1.0f;
    leg_fixture.friction = 0.2f;
    leg_fixture.restitution = 0.0f;
    leg_fixture.filter.categoryBits = kLegBits;
    leg_fixture.filter.maskBits = kGroundBits;
    leg->CreateFixture(&leg_fixture);
    b2RevoluteJointDef joint;
    joint.bodyA = lander_;
    joint.bodyB = leg;
    joint.localAnchorA.Set(0.0f, 0.0f);
    joint.localAnchorB.Set(static_cast<float>(i * kLegAway / kScale), static_cast<float>(kLegDown / kScale));
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(kLegSpringTorque);
    joint.motorSpeed = static_cast<float>(0.3 * i);
    joint.lowerAngle = static_cast<float>(i == -1 ? 0.9 - 0.5 : -0.9);
    joint.upperAngle = static_cast<float>(i == -1 ? 0.9 : -0.9 + 0.5);
    world_->CreateJoint(&joint);
    legs_[k] = leg;
  }
  contacts_.watch(lander_, {legs_[0], legs_[1]});
  // v3: the wind and turbulence phases are drawn at every reset.
  wind_idx_ = static_cast<std::int64_t>(rng.below(19998)) - 9999;
  torque_idx_ = static_cast<std::int64_t>(rng.below(19998)) - 9999;
}

double LunarLanderWorld::step(Rng& rng, double m_power, int direction, double s_power, float* obs, bool& terminated) {
  if (options_.enable_wind && !(leg_contact(0) || leg_contact(1))) {
    // tanh(sin(2 k t) + sin(pi k t)), k = 0.01: never periodic.
    const double wind = std::tanh(std::sin(0.02 * wind_idx_) + std::sin(M_PI * 0.01 * wind_idx_)) * options_.wind_power;
    ++wind_idx_;
    lander_->ApplyForceToCenter(b2Vec2(static_cast<float>(wind), 0.0f), true);
    const double torque =
        std::tanh(std::sin(0.02 * torque_idx_) + std::sin(M_PI * 0.01 * torque_idx_)) * options_.turbulence_power;
    ++torque_idx_;
    lander_->ApplyTorque(static_cast<float>(torque), true);
  }

  const double angle = lander_->GetAngle();
  const double tip[2] = {std::sin(angle), std::cos(angle)};
  const double side[2] = {-tip[1], tip[0]};
  const double dispersion[2] = {rng.uniform(-1.0, 1.0) / kScale, rng.uniform(-1.0, 1.0) / kScale};
  const b2Vec2 pos = lander_->GetPosition();

  if (m_power > 0.0) {  // main engine, below the hull's centre, with dispersion
    const double ox = tip[0] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) + side[0] * dispersion[1];
    const double oy = -tip[1] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) - side[1] * dispersion[1];
    const b2Vec2 at(static_cast<float>(pos.x + ox), static_cast<float>(pos.y + oy));
    lander_->ApplyLinearImpulse(b2Vec2(static_cast<float>(-ox * kMainEnginePower * m_power),
                                       static_cast<float>(-oy * kMainEnginePower * m_power)),
                                at, true);
  }
  if (direction != 0) {  // orientation engines, on the hull's sides
    const double ox = tip[0] * dispersion[0] + side[0] * (3 * dispersion[1] + direction * kSideEngineAway / kScale);
    const double oy = -tip[1] * dispersion[0] - side[1] * (3 * dispersion[1] + direction * kSideEngineAway / kScale);
    const b2Vec2 at(static_cast<float>(pos.x + ox - tip[0] * 17 / kScale),
                    static_cast<float>(pos.y + oy + tip[1] * kSideEngineHeight / kScale));
    lander_->ApplyLinearImpulse(b2Vec2(static_cast<float>(-ox * kSideEnginePower * s_power),
                                       static_cast<float>(-oy * kSideEnginePower * s_power)),
                                at, true);
  }

  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  const b2Vec2 p = lander_->GetPosition();
  const b2Vec2 v = lander_->GetLinearVelocity();
  const double half_w = kViewportW / kScale / 2, half_h = kViewportH / kScale / 2;
  const double s[8] = {(p.x - half_w) / half_w,
                       (p.y - (helipad_y_ + kLegDown / kScale)) / half_h,
                       v.x * half_w / kFps,
                       v.y * half_h / kFps,
                       lander_->GetAngle(),
                       20.0 * lander_->GetAngularVelocity() / kFps,
                       leg_contact(0) ? 1.0 : 0.0,
                       leg_contact(1) ? 1.0 : 0.0};
  for (int i = 0; i < 8; ++i) obs[i] = static_cast<float>(s[i]);

  // Shaping: closer, slower, level and on its legs is better; the reward is its change.
  const double shaping = -100 * std::sqrt(s[0] * s[0] + s[1] * s[1]) - 100 * std::sqrt(s[2] * s[2] + s[3] * s[3]) -
                         100 * std::abs(s[4]) + 10 * s[6] + 10 * s[7];
  double reward = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
  prev_shaping_ = shaping;
  has_prev_shaping_ = true;
  reward -= m_power * 0.30;  // fuel
  reward -= s_power * 0.03;

  terminated = false;
  if (contacts_.fatal_contact() || std::abs(s[0]) >= 1.0) {
    terminated = true;
    reward = -100;
  }
  if (!lander_->IsAwake()) {  // at rest: landed
    terminated = true;
    reward = +100;
  }
  return reward;
}

void LunarLanderWorld::draw(Canvas& c) const {
  c.begin(static_cast<int>(kViewportW), static_cast<int>(kViewportH), colors::kBlack);
  c.set_camera(0, 0, static_cast<float>(kScale));
  for (const b2Fixture* f = moon_->GetFixtureList(); f != nullptr; f = f->GetNext()) {
    const auto* edge = static_cast<const b2EdgeShape*>(f->GetShape());
    const b2Vec2 a = edge->m_vertex1, b = edge->m_vertex2;
    c.polygon({{a.x, a.y}, {b.x, b.y}, {b.x, 0}, {a.x, 0}}, colors::kWhite);
  }
  constexpr Color kBody{128, 102, 230}, kOutline{77, 77, 128};
  for (const b2Body* leg : legs_) draw_body(c, *leg, kBody, kOutline);
  draw_body(c, *lander_, kBody, kOutline);
  const float pole = static_cast<float>(50 / kScale), flag = static_cast<float>(1 / kScale);
  for (double x : {helipad_x1_, helipad_x2_}) {
    const float fx = static_cast<float>(x), y1 = static_cast<float>(helipad_y_), y2 = y1 + pole;
    c.line({fx, y1}, {fx, y2}, 1, colors::kWhite);
    c.polygon({{fx, y2}, {fx, y2 - 10 * flag}, {fx + 25 * flag, y2 - 5 * flag}}, {204, 204, 0});
  }
}

}  // namespace pavlov::envs
