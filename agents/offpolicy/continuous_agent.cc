#include "agents/offpolicy/continuous_agent.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <cmath>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/common/tensors.h"
#include "engine/config/experiment.h"
#include "engine/io/binary.h"
#include "nets/mlp.h"

namespace pavlov::agents {

std::vector<KeySpec> continuous_off_policy_keys() {
  KeySpec noise{.name = "action_noise", .type = KeyType::kString, .default_value = std::string("none"),
                .help = "exploration noise added to the behaviour action: none, normal (Gaussian) or ou (Ornstein-Uhlenbeck)"};
  noise.choices = {"none", "normal", "ou"};
  return {{.name = "gamma", .type = KeyType::kFloat, .default_value = 0.99, .help = "discount factor", .min = 0.0, .max = 1.0},
          {.name = "tau", .type = KeyType::kFloat, .default_value = 0.005,
           .help = "Polyak coefficient of the target networks (1: copy)", .min = 0.0, .max = 1.0},
          {.name = "train_freq", .type = KeyType::kInt, .default_value = std::int64_t{1},
           .help = "vector steps between training phases", .min = 1, .max = 1e9},
          {.name = "gradient_steps", .type = KeyType::kInt, .default_value = std::int64_t{1},
           .help = "gradient steps per training phase", .min = 1, .max = 1e6},
          noise,
          {.name = "noise_std", .type = KeyType::kFloat, .default_value = 0.1,
           .help = "standard deviation of the action noise, in [-1, 1] action units", .min = 0.0, .max = 10.0},
          {.name = "noise_theta", .type = KeyType::kFloat, .default_value = 0.15,
           .help = "Ornstein-Uhlenbeck mean reversion per step", .min = 0.0, .max = 1.0}};
}

ContinuousOffPolicy::ContinuousOffPolicy(const AgentContext& ctx)
    : cfg_(ctx.config),
      device_(ctx.device),
      obs_dim_(ctx.observation_space.numel()),
      action_dim_(ctx.action_space.numel()),
      num_envs_(ctx.num_envs),
      total_steps_(ctx.total_steps),
      rng_(derive_seed(ctx.seed, 0x0FF)),
      replay_(ctx.observation_space, ctx.action_space, replay_options_from(cfg_, ctx.num_envs)) {
  nets::require_mlp_net(cfg_, cfg_.get_string("agent.algo"));
  if (!ctx.action_space.is_box())
    throw std::invalid_argument(cfg_.get_string("agent.algo") + " needs a Box action space, got " + ctx.action_space.to_string());
  for (std::int64_t j = 0; j < action_dim_; ++j) {
    const double lo = ctx.action_space.low()[j], hi = ctx.action_space.high()[j];
    if (!std::isfinite(lo) || !std::isfinite(hi))
      throw std::invalid_argument(cfg_.get_string("agent.algo") + " needs bounded actions, got " + ctx.action_space.to_string());
    low_.push_back(static_cast<float>(lo));
    high_.push_back(static_cast<float>(hi));
  }
  learning_starts_ = cfg_.get_int("replay.learning_starts");
  train_freq_ = cfg_.get_int("agent.train_freq");
  gradient_steps_ = cfg_.get_int("agent.gradient_steps");
  noise_ = cfg_.get_string("agent.action_noise");
  noise_std_ = cfg_.get_float("agent.noise_std");
  noise_theta_ = cfg_.get_float("agent.noise_theta");
  noise_state_.assign(num_envs_ * action_dim_, 0.0f);
  scaled_actions_.assign(cfg_.get_int("replay.batch_size") * action_dim_, 0.0f);
  torch::manual_seed(derive_seed(ctx.seed, 0x7E7));
}

void ContinuousOffPolicy::act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) {
  float* out = actions.as<float>();
  const std::int64_t k = action_dim_;
  if (explore && env_steps_ < learning_starts_) {  // uniformly random actions fill the replay first
    for (std::int64_t i = 0; i < n * k; ++i) out[i] = static_cast<float>(rng_.uniform(-1.0, 1.0));
  } else {
    torch::NoGradGuard no_grad;
    const torch::Tensor a = policy(obs_tensor(obs, n, obs_dim_, device_), explore);
    std::copy(a.data_ptr<float>(), a.data_ptr<float>() + n * k, out);
    if (explore && noise_ != "none") {
      for (std::int64_t i = 0; i < n * k; ++i) {
        const float z = static_cast<float>(noise_std_ * rng_.normal());
        float& state = noise_state_[i % noise_state_.size()];
        state = noise_ == "ou" ? state - static_cast<float>(noise_theta_) * state + z : z;  // OU with dt = 1
        out[i] = std::clamp(out[i] + state, -1.0f, 1.0f);
      }
    }
  }
  for (std::int64_t i = 0; i < n; ++i)  // [-1, 1] -> [low, high]
    for (std::int64_t j = 0; j < k; ++j) {
      float& a = out[i * k + j];
      a = std::clamp(low_[j] + 0.5f * (a + 1.0f) * (high_[j] - low_[j]), low_[j], high_[j]);
    }
}

ActionInsight ContinuousOffPolicy::insight(ConstArrayView obs) {
  ActionInsight out{"mean", std::vector<float>(action_dim_)};
  act(obs, 1, ArrayView(std::span<float>(out.values)), /*explore=*/false);
  return out;
}

void ContinuousOffPolicy::observe(ConstArrayView obs, ConstArrayView actions, const Batch& result) {
  replay_.add(obs, actions, result);
  if (noise_ == "ou")  // a new episode starts its noise from 0
    for (std::int64_t e = 0; e < result.size; ++e)
      if (result.terminated[e] || result.truncated[e]) std::fill_n(&noise_state_[e * action_dim_], action_dim_, 0.0f);
}

std::span<const Metric> ContinuousOffPolicy::train(std::int64_t env_steps) {
  const std::int64_t before = env_steps_;
  env_steps_ = env_steps;
  if (env_steps < learning_starts_ || replay_.size() == 0) return {};
  const std::int64_t vector_steps = env_steps / num_envs_, before_steps = before / num_envs_;
  if (vector_steps / train_freq_ == before_steps / train_freq_) return {};
  sums_.clear();
  for (std::int64_t g = 0; g < gradient_steps_; ++g) {
    const ReplaySample& s = replay_.sample(rng_);
    const float* a = s.actions.as<float>();
    for (std::int64_t i = 0; i < s.size; ++i)  // [low, high] -> [-1, 1]
      for (std::int64_t j = 0; j < action_dim_; ++j)
        scaled_actions_[i * action_dim_ + j] = 2.0f * (a[i * action_dim_ + j] - low_[j]) / (high_[j] - low_[j]) - 1.0f;
    const OffPolicyBatch b{obs_tensor(s.obs, s.size, obs_dim_, device_),
                           tensor_from(scaled_actions_.data(), {s.size, action_dim_}, torch::kFloat32, device_),
                           tensor_from(s.returns.data(), {s.size}, torch::kFloat32, device_),
                           tensor_from(s.discounts.data(), {s.size}, torch::kFloat32, device_),
                           obs_tensor(s.next_obs, s.size, obs_dim_, device_)};
    const auto m = update(b);
    ++updates_;
    if (sums_.empty()) sums_.assign(m.begin(), m.end());
    else
      for (std::size_t i = 0; i < m.size(); ++i) sums_[i].value += m[i].value;
  }
  for (auto& m : sums_) m.value /= static_cast<double>(gradient_steps_);
  return sums_;
}

void ContinuousOffPolicy::save(std::ostream& out) const {
  io::write_pod(out, env_steps_);
  io::write_pod(out, updates_);
  io::write_pod(out, rng_.state());
  io::write_vector(out, noise_state_);
  // LibTorch's CPU generator draws the reparameterisation and target-smoothing noise.
  const torch::Tensor gen = at::detail::getDefaultCPUGenerator().get_state();
  io::write_vector(out, std::vector<std::uint8_t>(gen.data_ptr<std::uint8_t>(), gen.data_ptr<std::uint8_t>() + gen.numel()));
  io::write_string(out, archive_bytes([&](torch::serialize::OutputArchive& a) { save_nets(a); }));
  replay_.save(out);
}

void ContinuousOffPolicy::load(std::istream& in) {
  env_steps_ = io::read_pod<std::int64_t>(in);
  updates_ = io::read_pod<std::int64_t>(in);
  rng_.set_state(io::read_pod<Rng::State>(in));
  noise_state_ = io::read_vector<float>(in);
  auto gen = io::read_vector<std::uint8_t>(in);
  at::Generator cpu_generator = at::detail::getDefaultCPUGenerator();
  cpu_generator.set_state(
      torch::from_blob(gen.data(), {static_cast<std::int64_t>(gen.size())}, torch::kUInt8).clone());
  read_archive_bytes(io::read_string(in), device_, [&](torch::serialize::InputArchive& a) { load_nets(a); });
  replay_.load(in);
}

}  // namespace pavlov::agents
