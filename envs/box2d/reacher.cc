#include "envs/box2d/reacher.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"

namespace pavlov::envs {
namespace {

constexpr double kMaxTorque = 1.0;      // N m at |a| = 1
constexpr double kJointDamping = 0.01;  // N m s / rad, as MuJoCo's joint damping
constexpr double kSubstep = 0.01;       // s; two per action
constexpr float kHalfWidth = 0.005f;    // links are 1 cm thick
constexpr float kDensity = 1000.0f;     // kg / m^2
constexpr double kTargetRadius = 0.2;
constexpr double kSuccessDistance = 0.05;

const bool kRegistered = register_env<Reacher>(
    {.id = "Reacher2D-v0", .max_episode_steps = 50,
     .summary = "a 2- or 3-link arm reaches a random target with joint torques (Box2D, MuJoCo Reacher semantics)"},
    OptionBinder<ReacherOptions>().add("links", &ReacherOptions::links, "links of the arm: 2 or 3", 2, 3));

std::vector<double> link_lengths(std::int64_t links) {
  return links == 3 ? std::vector<double>{0.07, 0.07, 0.07} : std::vector<double>{0.1, 0.11};  // both reach 0.21
}

Space obs_space(std::int64_t links) {
  const std::int64_t n = 3 * links + 4;
  return Space::box(-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), {n});
}

}  // namespace

Reacher::Reacher(const ReacherOptions& options)
    : Env(obs_space(options.links), Space::box(-1.0, 1.0, {options.links}), "Reacher2D"),
      lengths_(link_lengths(options.links)),
      log_(static_cast<std::size_t>(options.links), 50) {}

Reacher::~Reacher() = default;

void Reacher::build(Rng& rng) {
  const int n = static_cast<int>(lengths_.size());
  // Start state: joint angles and speeds near zero, the target in the disc.
  std::vector<double> q(n), qd(n);
  for (int i = 0; i < n; ++i) q[i] = rng.uniform(-0.1, 0.1);
  double tx, ty;
  do {
    tx = rng.uniform(-kTargetRadius, kTargetRadius);
    ty = rng.uniform(-kTargetRadius, kTargetRadius);
  } while (tx * tx + ty * ty >= kTargetRadius * kTargetRadius);
  for (int i = 0; i < n; ++i) qd[i] = rng.uniform(-0.005, 0.005);
  target_.Set(static_cast<float>(tx), static_cast<float>(ty));

  world_ = std::make_unique<b2World>(b2Vec2(0.0f, 0.0f));
  links_.clear();
  joints_.clear();
  b2BodyDef ground_def;
  ground_ = world_->CreateBody(&ground_def);
  double x = 0, y = 0, angle = 0, omega = 0;
  b2Body* parent = ground_;
  for (int i = 0; i < n; ++i) {
    angle += q[i];
    omega += qd[i];
    const double c = std::cos(angle), s = std::sin(angle), half = lengths_[i] / 2;
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position.Set(static_cast<float>(x + c * half), static_cast<float>(y + s * half));
    def.angle = static_cast<float>(angle);
    // A point on link i moves with the angular speeds of every joint before it.
    def.angularVelocity = static_cast<float>(omega);
    b2Body* link = world_->CreateBody(&def);
    b2PolygonShape box;
    box.SetAsBox(static_cast<float>(half), kHalfWidth);
    b2FixtureDef fixture;
    fixture.shape = &box;
    fixture.density = kDensity;
    fixture.filter.groupIndex = -1;  // links never collide with each other
    link->CreateFixture(&fixture);
    b2RevoluteJointDef joint;
    joint.Initialize(parent, link, b2Vec2(static_cast<float>(x), static_cast<float>(y)));
    joints_.push_back(static_cast<b2RevoluteJoint*>(world_->CreateJoint(&joint)));
    links_.push_back(link);
    parent = link;
    x += c * lengths_[i];
    y += s * lengths_[i];
  }
  // Linear velocities consistent with the angular ones (the shoulder is fixed).
  double vx = 0, vy = 0, px = 0, py = 0;
  for (int i = 0; i < n; ++i) {
    const double w = links_[i]->GetAngularVelocity(), a = links_[i]->GetAngle(), half = lengths_[i] / 2;
    const double cx = px + std::cos(a) * half, cy = py + std::sin(a) * half;
    links_[i]->SetLinearVelocity(b2Vec2(static_cast<float>(vx - w * (cy - py)), static_cast<float>(vy + w * (cx - px))));
    vx += -w * std::sin(a) * lengths_[i];
    vy += w * std::cos(a) * lengths_[i];
    px += std::cos(a) * lengths_[i];
    py += std::sin(a) * lengths_[i];
  }
}

b2Vec2 Reacher::fingertip() const {
  const b2Body* last = links_.back();
  return last->GetWorldPoint(b2Vec2(static_cast<float>(lengths_.back() / 2), 0.0f));
}

double Reacher::distance() const {
  const b2Vec2 d = fingertip() - target_;
  return std::sqrt(static_cast<double>(d.x) * d.x + static_cast<double>(d.y) * d.y);
}

void Reacher::write_obs(float* o) const {
  const int n = links();
  for (int i = 0; i < n; ++i) {
    const double q = joints_[i]->GetJointAngle();
    o[i] = static_cast<float>(std::cos(q));
    o[n + i] = static_cast<float>(std::sin(q));
    o[2 * n + i] = joints_[i]->GetJointSpeed();
  }
  const b2Vec2 tip = fingertip();
  o[3 * n] = target_.x;
  o[3 * n + 1] = target_.y;
  o[3 * n + 2] = tip.x - target_.x;
  o[3 * n + 3] = tip.y - target_.y;
}

void Reacher::reset_impl(ArrayView obs) {
  log_.start(rng().state());
  build(rng());
  write_obs(obs.as<float>());
}

Transition Reacher::advance(const double* action, float* obs) {
  const int n = links();
  double control = 0;
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < n; ++i) {
      const double a = std::clamp(action[i], -1.0, 1.0);
      if (s == 0) control += a * a;
      // The motor and the joint's damping act between link i and the one before it.
      const double torque = a * kMaxTorque - kJointDamping * joints_[i]->GetJointSpeed();
      links_[i]->ApplyTorque(static_cast<float>(torque), true);
      if (i > 0) links_[i - 1]->ApplyTorque(static_cast<float>(-torque), true);
    }
    world_->Step(static_cast<float>(kSubstep), 8, 3);
  }
  write_obs(obs);
  const double d = distance();
  return {-d - control, false, d < kSuccessDistance};
}

Transition Reacher::step_impl(ConstArrayView action, ArrayView obs) {
  double a[3] = {0, 0, 0};
  for (int i = 0; i < links(); ++i) a[i] = action.as<float>()[i];
  log_.record(a);
  return advance(a, obs.as<float>());
}

std::vector<double> Reacher::state() const { return log_.to_state(); }

void Reacher::set_state_impl(std::span<const double> state, ArrayView obs) {
  log_.from_state(state, id());
  Rng replay;
  replay.set_state(log_.reset_rng());
  build(replay);
  float* o = obs.as<float>();
  write_obs(o);
  for (std::size_t i = 0; i < log_.steps(); ++i) advance(log_.action(i), o);
}

// A top view, 500 x 500 pixels over the arm's reach: the arena's edge, the
// target (red), the links (blue-gray) and the fingertip (green once within
// the success distance).
bool Reacher::render(Canvas& c) const {
  if (links_.empty()) return false;
  double reach = 0;
  for (double l : lengths_) reach += l;
  const float bound = static_cast<float>(reach * 1.15);
  c.begin(500, 500, {245, 245, 240});
  c.set_camera(-bound, -bound, 500 / (2 * bound));
  c.circle({0, 0}, static_cast<float>(reach), {225, 225, 215});
  c.circle({target_.x, target_.y}, static_cast<float>(kSuccessDistance), {250, 190, 190});
  c.circle({target_.x, target_.y}, 0.009f, {200, 30, 30});
  const float thickness = 10.f / c.scale() > 2 * kHalfWidth ? 10.f / c.scale() : 2 * kHalfWidth;
  for (std::size_t i = 0; i < links_.size(); ++i) {
    const b2Vec2 p = links_[i]->GetPosition();
    const float a = links_[i]->GetAngle(), half = static_cast<float>(lengths_[i] / 2);
    const Point link[4] = {{-half, -thickness / 2}, {half, -thickness / 2}, {half, thickness / 2}, {-half, thickness / 2}};
    c.polygon(link, {p.x, p.y}, a, {70, 90, 130});
    c.circle({p.x - std::cos(a) * half, p.y - std::sin(a) * half}, thickness * 0.7f, {40, 50, 70});
  }
  const b2Vec2 tip = fingertip();
  c.circle({tip.x, tip.y}, thickness * 0.6f, distance() < kSuccessDistance ? Color{40, 170, 60} : Color{40, 50, 70});
  return true;
}

}  // namespace pavlov::envs
