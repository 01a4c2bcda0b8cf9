// A stand-in agent for the async runtime's tests: its policies act 0, write
// their weights' first value as the behaviour number, and can be told to throw.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "engine/runtime/async_runner.h"

namespace pavlov::test {

// Acts 0 everywhere, writes its weights' first value as the behaviour
// number, and throws on act number `fail_at` (0: never).
class FakePolicy : public pavlov::Policy {
 public:
  explicit FakePolicy(int fail_at) : fail_at_(fail_at) {}
  void act(pavlov::ConstArrayView, std::int64_t n, pavlov::ArrayView actions, std::int64_t,
           std::span<float> behaviour) override {
    if (++acts_ == fail_at_) throw std::runtime_error("policy exploded at act " + std::to_string(acts_));
    for (std::int64_t i = 0; i < n; ++i) actions.as<std::int64_t>()[i] = 0;
    for (float& b : behaviour) b = weight_;
  }
  void set_weights(std::span<const float> w) override { weight_ = w[0]; }

 private:
  int fail_at_, acts_ = 0;
  float weight_ = -1.0f;
};

class FakeAgent : public pavlov::Agent {
 public:
  explicit FakeAgent(int fail_at) : fail_at_(fail_at) {}
  void act(pavlov::ConstArrayView, std::int64_t, pavlov::ArrayView, bool) override {}
  void observe(pavlov::ConstArrayView, pavlov::ConstArrayView, const pavlov::Batch&) override {}
  std::span<const pavlov::Metric> train(std::int64_t) override { return {}; }
  std::span<const pavlov::Metric> status() override { return {}; }
  std::vector<std::string> metric_names() const override { return {}; }
  void save(std::ostream&) const override {}
  void load(std::istream&) override {}
  std::unique_ptr<pavlov::Policy> make_policy(int, int, int, std::uint64_t) override {
    return std::make_unique<FakePolicy>(fail_at_);
  }
  void policy_weights(std::vector<float>& out) override { out.assign(1, static_cast<float>(++published)); }
  int behaviour_numbers() const override { return 1; }
  int published = 0;

 private:
  int fail_at_;
};

inline pavlov::ActorPlan cartpole_plan(int actors, int envs_per_actor, int unroll) {
  return {.env_id = "CartPole-v1", .actors = actors, .envs_per_actor = envs_per_actor, .unroll = unroll, .seed = 3};
}

}  // namespace pavlov::test
