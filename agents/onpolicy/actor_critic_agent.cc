// PPO and A2C: one on-policy actor-critic agent, two registrations.
//
// Per vector step act() samples from the policy and records the step in the
// Rollout; observe() records what the envs returned. When the rollout is full
// (n_steps vector steps), train() computes GAE and runs n_epochs passes of
// minibatch gradient steps over it (PPO), or one step over all of it (A2C).
//
// On the CPU with a plain MLP the update runs without autograd: MlpBackprop
// runs the policy and value networks forward and backward, ppo_loss_grad()
// gives the loss gradient at their outputs, all parameters live in one flat
// tensor (FlatParameters) that one fused Adam step updates. A shared MinAtar
// encoder (one convolution) runs there too, as the policy network's leading
// convolution. Everywhere else (CUDA, normalised or dropout layers, other
// encoders) the same loss goes through autograd.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <thread>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/common/running_norm.h"
#include "agents/common/tensors.h"
#include "agents/onpolicy/ppo_loss.h"
#include "agents/onpolicy/rollout.h"
#include "agents/onpolicy/sample_action.h"
#include "engine/config/experiment.h"
#include "engine/env/worker_pool.h"
#include "engine/io/binary.h"
#include "engine/runtime/agent.h"
#include "nets/actor_critic.h"
#include "nets/amp.h"
#include "nets/actor_copy.h"
#include "nets/flat_parameters.h"
#include "nets/flush_denormals.h"
#include "nets/mlp_backprop.h"
#include "nets/optim.h"

namespace pavlov::agents {
namespace {

KeySpec float_key(std::string name, double def, std::string help, double min, double max) {
  return {.name = std::move(name), .type = KeyType::kFloat, .default_value = def, .help = std::move(help), .min = min, .max = max};
}
KeySpec int_key(std::string name, std::int64_t def, std::string help, double min, double max) {
  return {.name = std::move(name), .type = KeyType::kInt, .default_value = def, .help = std::move(help), .min = min, .max = max};
}
KeySpec bool_key(std::string name, bool def, std::string help) {
  return {.name = std::move(name), .type = KeyType::kBool, .default_value = def, .help = std::move(help)};
}

// Keys of both agents; `a2c` picks A2C's defaults (SB3's).
std::vector<KeySpec> shared_keys(bool a2c) {
  return {int_key("n_steps", a2c ? 5 : 2048, "vector steps per rollout (the rollout holds n_steps * num_envs steps)", 1, 1e8),
          float_key("gamma", 0.99, "discount factor", 0.0, 1.0),
          float_key("gae_lambda", a2c ? 1.0 : 0.95, "GAE lambda (1: Monte-Carlo returns, 0: one-step TD)", 0.0, 1.0),
          float_key("ent_coef", 0.0, "weight of the entropy bonus", 0.0, 1e3),
          float_key("vf_coef", 0.5, "weight of the value loss", 0.0, 1e3),
          bool_key("normalize_advantage", !a2c, "normalise the advantages of each minibatch to mean 0, std 1"),
          bool_key("normalize_obs", false, "normalise observations by running mean and std (saved in checkpoints)"),
          bool_key("normalize_reward", false, "scale rewards by the running std of the discounted return"),
          float_key("log_std_init", 0.0, "Box actions: initial log standard deviation of the Gaussian policy", -20.0, 2.0),
          bool_key("ortho_init", true, "orthogonal initialisation (gain sqrt 2 torso, 0.01 policy head, 1 value head)")};
}

std::vector<KeySpec> ppo_keys() {
  auto keys = shared_keys(false);
  KeySpec schedule{.name = "clip_range_schedule", .type = KeyType::kString, .default_value = std::string("constant"),
                   .help = "clip range over the run: constant, or linear down to 0"};
  schedule.choices = {"constant", "linear"};
  KeySpec clip = float_key("clip_range", 0.2, "PPO's ratio clipping epsilon", 0.0, 10.0);
  clip.min_exclusive = true;
  keys.insert(keys.end(),
              {int_key("batch_size", 64, "minibatch size; must divide n_steps * num_envs", 1, 1e8),
               int_key("n_epochs", 10, "passes over each rollout", 1, 1e6), clip, schedule,
               float_key("clip_range_vf", 0.0, "clip the value change around the old value (0: off)", 0.0, 1e6),
               float_key("target_kl", 0.0, "stop a rollout's epochs once approx KL > 1.5 * target_kl (0: off)", 0.0, 1e6)});
  return keys;
}

class ActorCriticAgent : public Agent {
 public:
  ActorCriticAgent(const AgentContext& ctx, bool a2c)
      : cfg_(ctx.config),
        a2c_(a2c),
        device_(ctx.device),
        action_space_(ctx.action_space),
        continuous_(ctx.action_space.is_box()),
        obs_dim_(ctx.observation_space.numel()),
        head_dim_(continuous_ ? ctx.action_space.numel() : ctx.action_space.n()),
        num_envs_(ctx.num_envs),
        total_steps_(ctx.total_steps),
        rng_(derive_seed(ctx.seed, 0xAC7)),
        pixels_(ctx.observation_space.dtype() == DType::kUInt8 && !cfg_.get_bool("agent.normalize_obs") &&
                nets::conv_encoder_from(cfg_, ctx.observation_space).has_value()),
        rollout_(static_cast<int>(cfg_.get_int("agent.n_steps")), ctx.num_envs, obs_dim_,
                 continuous_ ? ctx.action_space.numel() : 1, pixels_),
        schedule_(cfg_),
        obs_norm_(obs_dim_),
        reward_scaler_(ctx.num_envs, cfg_.get_float("agent.gamma")) {
    if (!ctx.action_space.is_discrete() && !ctx.action_space.is_box())
      throw std::invalid_argument(name() + " needs a Discrete or Box action space, got " + ctx.action_space.to_string());
    gamma_ = cfg_.get_float("agent.gamma");
    lambda_ = cfg_.get_float("agent.gae_lambda");
    normalize_adv_ = cfg_.get_bool("agent.normalize_advantage");
    normalize_obs_ = cfg_.get_bool("agent.normalize_obs");
    normalize_reward_ = cfg_.get_bool("agent.normalize_reward");
    grad_clip_ = cfg_.get_float("optimizer.grad_clip");
    loss_.continuous = continuous_;
    loss_.ent_coef = cfg_.get_float("agent.ent_coef");
    loss_.vf_coef = cfg_.get_float("agent.vf_coef");
    const std::int64_t rollout_size = rollout_.size();
    if (a2c_) {
      batch_ = rollout_size;
      epochs_ = 1;
      loss_.clip_range = 1.0;  // unused: one step on fresh data has ratio 1
    } else {
      batch_ = cfg_.get_int("agent.batch_size");
      epochs_ = cfg_.get_int("agent.n_epochs");
      clip_start_ = cfg_.get_float("agent.clip_range");
      clip_linear_ = cfg_.get_string("agent.clip_range_schedule") == "linear";
      loss_.clip_range_vf = cfg_.get_float("agent.clip_range_vf");
      target_kl_ = cfg_.get_float("agent.target_kl");
      if (rollout_size % batch_ != 0)
        throw std::invalid_argument("agent.batch_size = " + std::to_string(batch_) + " does not divide the rollout of " +
                                    "n_steps * num_envs = " + std::to_string(rollout_size) + " steps");
    }
    torch::manual_seed(derive_seed(ctx.seed, 0x7E7));
    auto options = nets::actor_critic_options_from(cfg_, ctx.observation_space, head_dim_, continuous_)
                       .log_std_init(cfg_.get_float("agent.log_std_init"))
                       .ortho_init(cfg_.get_bool("agent.ortho_init"));
    ac_ = nets::ActorCritic(options);
    ac_->to(device_);
    flat_ = std::make_unique<nets::FlatParameters>(ac_->parameters());
    optimizer_ = nets::make_optimizer(cfg_, {flat_->flat()});
    amp_ = cfg_.get_bool("experiment.amp");
    // Acting: with the learner on an accelerator, by default a CPU copy of the
    // networks plays the rollout (refreshed after every update phase, so the
    // log-probabilities it records are the learner's).
    actor_ = ac_;
    if (nets::wants_cpu_actor(cfg_, device_)) {
      actor_ = nets::ActorCritic(options);
      actor_copy_ = std::make_unique<nets::ActorCopy>(*flat_, actor_->parameters());
    }

    // Buffers reused on every step and update. With the learner on an
    // accelerator, the minibatch is gathered in pinned memory and sent with
    // non_blocking; each minibatch's statistics are read back before the next
    // gather overwrites it, so the copy has finished by then.
    obs_scratch_.assign(num_envs_ * obs_dim_, 0.0f);
    act_obs_ = torch::from_blob(obs_scratch_.data(), {num_envs_, obs_dim_}, torch::kFloat32);
    perm_.resize(rollout_size);
    const auto host = torch::TensorOptions().pinned_memory(!device_.is_cpu());
    mb_.obs = torch::empty({batch_, obs_dim_}, host.dtype(pixels_ ? torch::kUInt8 : torch::kFloat32));
    mb_.batch.actions = continuous_ ? torch::empty({batch_, head_dim_}, host) : torch::empty({batch_}, host.dtype(torch::kInt64));
    mb_.batch.old_log_prob = torch::empty({batch_}, host);
    mb_.batch.old_values = torch::empty({batch_}, host);
    mb_.batch.advantages = torch::empty({batch_}, host);
    mb_.batch.returns = torch::empty({batch_}, host);

    const auto policy_layers = actor_->plain_policy_layers();
    const auto value_layers = actor_->plain_value_layers();
    const bool plain_mlps = !policy_layers.empty() && !value_layers.empty();
    const std::string& act = options.torso().activation();
    // A shared MinAtar encoder runs in the policy's MlpBackprop; the value's
    // takes its output (see forward_pair) and hands its input gradient back.
    const std::optional<nets::ConvFront> front = actor_->conv_front();
    const auto pair = [&](std::int64_t rows, std::unique_ptr<nets::MlpBackprop>& policy,
                          std::unique_ptr<nets::MlpBackprop>& value) {
      policy = std::make_unique<nets::MlpBackprop>(policy_layers, act, rows, front);
      value = std::make_unique<nets::MlpBackprop>(value_layers, act, rows, std::nullopt, /*input_grad=*/front.has_value());
    };
    if (actor_on_cpu() && plain_mlps) {
      pair(num_envs_, act_policy_, act_value_);
      pair(1, one_policy_, one_value_);  // evaluation plays one env
      one_obs_ = torch::from_blob(obs_scratch_.data(), {1, obs_dim_}, torch::kFloat32);
    }
    if (device_.is_cpu() && plain_mlps) {
      pair(batch_, mb_policy_, mb_value_);
      d_out_ = torch::zeros({batch_, head_dim_});
      d_values_ = torch::zeros({batch_, 1});
      // With two or more math threads, the policy and the value network, which
      // share nothing, train on two threads at once, each op on one thread:
      // for these small layers that beats splitting each matmul in two.
      std::int64_t threads = cfg_.get_int("experiment.threads");
      if (threads == 0) threads = std::thread::hardware_concurrency();
      if (threads >= 2) {
        pool_ = std::make_unique<WorkerPool>(2);
        auto single = [](int) { torch::set_num_threads(1); };
        pool_->run(single);
      }
    }
  }

  std::string name() const { return a2c_ ? "a2c" : "ppo"; }

  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) override {
    const bool record = explore;  // training steps go into the rollout
    if (static_cast<std::int64_t>(obs_scratch_.size()) < n * obs_dim_) {  // more rows than envs: never in training
      obs_scratch_.resize(n * obs_dim_);
      act_obs_ = torch::from_blob(obs_scratch_.data(), {num_envs_, obs_dim_}, torch::kFloat32);
      one_obs_ = torch::from_blob(obs_scratch_.data(), {1, obs_dim_}, torch::kFloat32);
    }
    prepare_obs(obs, n, /*update_stats=*/record && normalize_obs_);
    const auto [out, values] = forward(n);
    // On the host: with actor_device = "learner" the actor's log std lives on the GPU.
    const torch::Tensor log_std_host = continuous_ ? actor_->log_std().to(torch::kCPU) : torch::Tensor();
    const float* o = out.data_ptr<float>();
    const float* v = values.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i) {
      const float* row = o + i * head_dim_;
      float log_prob = 0.0f;
      if (continuous_) {
        float* a = actions.as<float>() + i * head_dim_;
        float* raw = record ? &rollout_.actions[(rollout_.t * num_envs_ + i) * head_dim_] : a;
        log_prob = sample_gaussian(row, log_std_host.data_ptr<float>(), head_dim_, rng_, explore, raw);
        for (std::int64_t j = 0; j < head_dim_; ++j)
          a[j] = static_cast<float>(std::clamp<double>(raw[j], action_space_.low()[j], action_space_.high()[j]));
      } else {
        std::int64_t pick = 0;
        log_prob = sample_categorical(row, head_dim_, rng_, explore, pick);
        if (record) rollout_.actions[rollout_.t * num_envs_ + i] = static_cast<float>(pick);
        actions.as<std::int64_t>()[i] = pick + action_space_.start();
      }
      if (record) {
        const std::int64_t r = rollout_.t * num_envs_ + i;
        if (pixels_) std::memcpy(&rollout_.obs_u8[r * obs_dim_], obs.as<std::uint8_t>() + i * obs_dim_, obs_dim_);
        else std::memcpy(&rollout_.obs[r * obs_dim_], &obs_scratch_[i * obs_dim_], obs_dim_ * sizeof(float));
        rollout_.log_probs[r] = log_prob;
        rollout_.values[r] = v[i];
      }
    }
  }

  ActionInsight insight(ConstArrayView obs) override {
    prepare_obs(obs, 1, /*update_stats=*/false);
    const torch::Tensor outputs = forward(1).first;  // kept alive while row is read
    const float* row = outputs.data_ptr<float>();
    ActionInsight out{continuous_ ? "mean" : "p", std::vector<float>(row, row + head_dim_)};
    if (continuous_) {
      for (std::int64_t j = 0; j < head_dim_; ++j)
        out.values[j] = static_cast<float>(std::clamp<double>(out.values[j], action_space_.low()[j], action_space_.high()[j]));
    } else {  // softmax of the logits
      const float m = *std::max_element(out.values.begin(), out.values.end());
      float sum = 0;
      for (float& v : out.values) sum += (v = std::exp(v - m));
      for (float& v : out.values) v /= sum;
    }
    return out;
  }

  void observe(ConstArrayView, ConstArrayView, const Batch& result) override {
    const std::int64_t row = static_cast<std::int64_t>(rollout_.t) * num_envs_;
    std::span<float> rewards(&rollout_.rewards[row], num_envs_);
    std::copy(result.rewards.begin(), result.rewards.end(), rewards.begin());
    std::copy(result.terminated.begin(), result.terminated.end(), &rollout_.terminated[row]);
    std::copy(result.truncated.begin(), result.truncated.end(), &rollout_.truncated[row]);
    if (normalize_reward_) reward_scaler_.scale(rewards, result.terminated, result.truncated);
    bool any_truncated = false;
    for (std::int64_t e = 0; e < num_envs_; ++e) any_truncated = any_truncated || (result.truncated[e] && !result.terminated[e]);
    if (any_truncated) {  // bootstrap a time-limit cut from the value of its final observation
      prepare_obs(result.final_obs, num_envs_, false);
      // Kept by name: on the autograd path the pair's tensors own the values, and a
      // pointer into a temporary would dangle (the hand-written path's buffers outlive it).
      const torch::Tensor values = forward(num_envs_).second;
      const float* v = values.data_ptr<float>();
      for (std::int64_t e = 0; e < num_envs_; ++e) rollout_.final_values[row + e] = result.truncated[e] ? v[e] : 0.0f;
    }
    ++rollout_.t;
    if (rollout_.full()) {
      prepare_obs(result.obs, num_envs_, false);
      const torch::Tensor values = forward(num_envs_).second;
      const float* v = values.data_ptr<float>();
      std::copy(v, v + num_envs_, rollout_.last_values.begin());
    }
  }

  std::span<const Metric> train(std::int64_t env_steps) override {
    env_steps_ = env_steps;
    if (!rollout_.full()) return {};
    const nets::FlushDenormals no_subnormals;
    rollout_.finish(gamma_, lambda_);
    const double progress = static_cast<double>(env_steps) / static_cast<double>(std::max<std::int64_t>(1, total_steps_));
    schedule_.apply(*optimizer_, progress);
    if (!a2c_) loss_.clip_range = clip_linear_ ? clip_start_ * (1.0 - progress) : clip_start_;
    if (loss_.clip_range <= 0) loss_.clip_range = 1e-8;  // the last update of a linear schedule

    PpoStats sum{};
    int steps = 0;
    bool stop = false;
    const std::int64_t size = rollout_.size();
    for (std::int64_t epoch = 0; epoch < epochs_ && !stop; ++epoch) {
      std::iota(perm_.begin(), perm_.end(), 0);  // from the identity, so that a resumed run draws the same order
      for (std::int64_t i = size - 1; i > 0 && !a2c_; --i) std::swap(perm_[i], perm_[rng_.below(i + 1)]);
      for (std::int64_t start = 0; start < size; start += batch_) {
        gather(start);
        PpoStats s;
        torch::Tensor loss;  // the autograd path's
        if (mb_policy_) {
          loss_gradient_at_outputs(s);
        } else {
          const auto up = [&](const torch::Tensor& t) { return t.to(device_, /*non_blocking=*/true); };
          const PpoBatch b{up(mb_.batch.actions), up(mb_.batch.old_log_prob), up(mb_.batch.old_values),
                           up(mb_.batch.advantages), up(mb_.batch.returns)};
          const nets::Autocast autocast(amp_, device_);
          const auto [out, values] = ac_->forward(up(mb_.obs).to(torch::kFloat32));  // pixels become floats there
          loss = ppo_loss(out.to(torch::kFloat32), ac_->log_std(), values.to(torch::kFloat32), b, loss_, s);
        }
        if (target_kl_ > 0 && s.approx_kl > 1.5 * target_kl_) {  // SB3 checks before stepping
          stop = true;
          break;
        }
        if (mb_policy_) {
          // The torsos and heads, then a shared convolution with both networks' gradients.
          both_networks([&](int net) { net == 0 ? mb_policy_->backward_layers(d_out_) : mb_value_->backward(d_values_); });
          if (mb_policy_->has_front()) mb_policy_->backward_front(mb_value_->input_grad());
        } else {
          flat_->zero_grad();
          loss.backward();
        }
        flat_->clip_grad_norm(grad_clip_);
        nets::optimizer_step(*optimizer_);
        ++updates_;
        ++steps;
        sum.policy_loss += s.policy_loss;
        sum.value_loss += s.value_loss;
        sum.entropy += s.entropy;
        sum.approx_kl += s.approx_kl;
        sum.clip_fraction += s.clip_fraction;
      }
    }
    const double k = std::max(1, steps);
    std::size_t m = 0;
    metrics_[m++] = {"policy_loss", sum.policy_loss / k};
    metrics_[m++] = {"value_loss", sum.value_loss / k};
    metrics_[m++] = {"entropy", sum.entropy / k};
    metrics_[m++] = {"approx_kl", sum.approx_kl / k};
    metrics_[m++] = {"explained_variance", rollout_.explained_variance()};
    if (!a2c_) {
      metrics_[m++] = {"clip_fraction", sum.clip_fraction / k};
      metrics_[m++] = {"clip_range", loss_.clip_range};
    }
    rollout_.t = 0;
    if (actor_copy_) actor_copy_->sync();
    return {metrics_, m};
  }

  std::span<const Metric> status() override {
    std::size_t m = 0;
    status_[m++] = {"lr", schedule_.at(static_cast<double>(env_steps_) / std::max<std::int64_t>(1, total_steps_))};
    status_[m++] = {"updates", static_cast<double>(updates_)};
    if (continuous_) status_[m++] = {"std", ac_->log_std().exp().mean().item<double>()};
    return {status_, m};
  }

  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names = {"policy_loss", "value_loss", "entropy", "approx_kl", "explained_variance"};
    if (!a2c_) names.insert(names.end(), {"clip_fraction", "clip_range"});
    names.insert(names.end(), {"lr", "updates"});
    if (continuous_) names.push_back("std");
    return names;
  }

  void save(std::ostream& out) const override {
    io::write_pod(out, env_steps_);
    io::write_pod(out, updates_);
    io::write_pod(out, rng_.state());
    rollout_.save(out);
    obs_norm_.save(out);
    reward_scaler_.save(out);
    io::write_string(out, archive_bytes([&](torch::serialize::OutputArchive& a) {
      torch::serialize::OutputArchive model, opt;
      ac_->save(model);
      optimizer_->save(opt);
      a.write("model", model);
      a.write("optimizer", opt);
    }));
  }

  void load(std::istream& in) override {
    env_steps_ = io::read_pod<std::int64_t>(in);
    updates_ = io::read_pod<std::int64_t>(in);
    rng_.set_state(io::read_pod<Rng::State>(in));
    rollout_.load(in);
    obs_norm_.load(in);
    reward_scaler_.load(in);
    torch::serialize::InputArchive model, opt;
    read_archive_bytes(io::read_string(in), device_, [&](torch::serialize::InputArchive& a) {
      a.read("model", model);
      a.read("optimizer", opt);
    });
    ac_->load(model);
    flat_->relink();
    optimizer_->load(opt);
    if (actor_copy_) actor_copy_->sync();
  }

 private:
  // obs (n rows, any dtype) -> obs_scratch_ as float32, normalised when asked.
  void prepare_obs(ConstArrayView obs, std::int64_t n, bool update_stats) {
    float* dst = obs_scratch_.data();
    const std::int64_t count = n * obs_dim_;
    if (obs.dtype == DType::kUInt8) {
      const std::uint8_t* src = obs.as<std::uint8_t>();
      for (std::int64_t i = 0; i < count; ++i) dst[i] = src[i];
    } else {
      std::memcpy(dst, obs.data, count * sizeof(float));
    }
    if (!normalize_obs_) return;
    if (update_stats) obs_norm_.update(dst, n);
    obs_norm_.normalize(dst, n, dst);
  }

  // Policy outputs [n, head_dim] and values [n] of obs_scratch_'s first n rows, on the CPU.
  std::pair<torch::Tensor, torch::Tensor> forward(std::int64_t n) {
    if (act_policy_ && n == num_envs_) return forward_pair(*act_policy_, *act_value_, act_obs_);
    if (one_policy_ && n == 1) return forward_pair(*one_policy_, *one_value_, one_obs_);
    torch::NoGradGuard no_grad;
    const torch::Tensor obs = tensor_from(obs_scratch_.data(), {n, obs_dim_}, torch::kFloat32, actor_device());
    auto [out, values] = actor_->forward(obs);
    return {out.to(torch::kCPU).contiguous(), values.to(torch::kCPU).contiguous()};
  }

  // The fast path's policy outputs and values of obs; with a shared
  // convolution the value network reads the policy network's front output.
  std::pair<torch::Tensor, torch::Tensor> forward_pair(nets::MlpBackprop& policy, nets::MlpBackprop& value,
                                                      const torch::Tensor& obs) {
    const torch::Tensor& out = policy.forward(obs);
    return {out, value.forward(policy.has_front() ? policy.front_output() : obs)};
  }

  // Minibatch rows perm_[start, start + batch) into mb_, advantages normalised if asked.
  void gather(std::int64_t start) {
    float* lp = mb_.batch.old_log_prob.data_ptr<float>();
    float* v = mb_.batch.old_values.data_ptr<float>();
    float* adv = mb_.batch.advantages.data_ptr<float>();
    float* ret = mb_.batch.returns.data_ptr<float>();
    const std::int64_t k = rollout_.action_dim;
    for (std::int64_t b = 0; b < batch_; ++b) {
      const std::int64_t r = perm_[start + b];
      if (pixels_) std::memcpy(mb_.obs.data_ptr<std::uint8_t>() + b * obs_dim_, &rollout_.obs_u8[r * obs_dim_], obs_dim_);
      else std::memcpy(mb_.obs.data_ptr<float>() + b * obs_dim_, &rollout_.obs[r * obs_dim_], obs_dim_ * sizeof(float));
      if (continuous_) std::memcpy(mb_.batch.actions.data_ptr<float>() + b * k, &rollout_.actions[r * k], k * sizeof(float));
      else mb_.batch.actions.data_ptr<std::int64_t>()[b] = static_cast<std::int64_t>(rollout_.actions[r]);
      lp[b] = rollout_.log_probs[r];
      v[b] = rollout_.values[r];
      adv[b] = rollout_.advantages[r];
      ret[b] = rollout_.returns[r];
    }
    if (normalize_adv_ && batch_ > 1) {  // unbiased std, as torch.std
      double mean = 0, sq = 0;
      for (std::int64_t b = 0; b < batch_; ++b) mean += adv[b];
      mean /= batch_;
      for (std::int64_t b = 0; b < batch_; ++b) sq += (adv[b] - mean) * (adv[b] - mean);
      const double std = std::sqrt(sq / (batch_ - 1));
      for (std::int64_t b = 0; b < batch_; ++b) adv[b] = static_cast<float>((adv[b] - mean) / (std + 1e-8));
    }
  }

  // fn(0) and fn(1), on two threads when there is a pool.
  template <class F>
  void both_networks(F fn) {
    if (!pool_) {
      fn(0);
      fn(1);
      return;
    }
    pool_->run(fn);
  }

  // The fast path's forward passes and the loss gradient at the networks'
  // outputs (d_out_, d_values_, and log_std's gradient directly).
  void loss_gradient_at_outputs(PpoStats& s) {
    if (mb_policy_->has_front()) forward_pair(*mb_policy_, *mb_value_, mb_.obs);
    else both_networks([&](int net) { (net == 0 ? mb_policy_ : mb_value_)->forward(mb_.obs); });
    const torch::Tensor& out = mb_policy_->output();
    const torch::Tensor& values = mb_value_->output();
    torch::Tensor log_std_grad = continuous_ ? ac_->log_std().mutable_grad() : torch::Tensor();
    ppo_loss_grad(out, ac_->log_std(), values, mb_.batch, loss_, s, d_out_, d_values_, log_std_grad);
  }

  torch::Device actor_device() const { return nets::acting_device(device_, actor_copy_.get()); }
  bool actor_on_cpu() const { return actor_device().is_cpu(); }

  const Config& cfg_;
  bool a2c_;
  torch::Device device_;
  Space action_space_;
  bool continuous_;
  std::int64_t obs_dim_, head_dim_;
  std::int64_t num_envs_, total_steps_;
  Rng rng_;
  bool pixels_;  // uint8 observations kept as bytes in the rollout and minibatches (Rollout's pixels)
  Rollout rollout_;
  nets::LrSchedule schedule_;
  ObsNormalizer obs_norm_;
  RewardScaler reward_scaler_;
  double gamma_ = 0.99, lambda_ = 0.95, grad_clip_ = 0.5, clip_start_ = 0.2, target_kl_ = 0.0;
  bool clip_linear_ = false, normalize_adv_ = true, normalize_obs_ = false, normalize_reward_ = false;
  std::int64_t batch_ = 64, epochs_ = 10;
  PpoLossOptions loss_;

  nets::ActorCritic ac_{nullptr};
  nets::ActorCritic actor_{nullptr};  // acts: ac_ itself, or its CPU copy when the learner is on an accelerator
  std::unique_ptr<nets::FlatParameters> flat_;
  std::unique_ptr<nets::ActorCopy> actor_copy_;  // with actor_device = "cpu" on an accelerator
  bool amp_ = false;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::unique_ptr<nets::MlpBackprop> act_policy_, act_value_, one_policy_, one_value_, mb_policy_, mb_value_;
  std::unique_ptr<WorkerPool> pool_;  // two threads for the two networks (experiment.threads >= 2)

  std::vector<float> obs_scratch_;
  torch::Tensor act_obs_, one_obs_;  // views of obs_scratch_'s first num_envs rows and first row
  std::vector<std::int64_t> perm_;
  struct {
    torch::Tensor obs;
    PpoBatch batch;
  } mb_;
  torch::Tensor d_out_, d_values_;

  std::int64_t env_steps_ = 0, updates_ = 0;
  Metric metrics_[7];
  Metric status_[3];
};

// SB3's optimizer settings come with each: PPO's Adam (lr 3e-4, eps 1e-5) and
// A2C's RMSprop (lr 7e-4, alpha 0.99, eps 1e-5), both clipping the gradient norm at 0.5.
const bool kRegistered =
    register_agent("ppo", "proximal policy optimisation (clipped), Discrete or Box actions", ppo_keys(),
                   [](const AgentContext& ctx) { return std::make_unique<ActorCriticAgent>(ctx, false); },
                   {{"optimizer.lr", 3e-4}, {"optimizer.eps", 1e-5}, {"optimizer.grad_clip", 0.5}}) &&
    register_agent("a2c", "advantage actor-critic (synchronous), Discrete or Box actions", shared_keys(true),
                   [](const AgentContext& ctx) { return std::make_unique<ActorCriticAgent>(ctx, true); },
                   {{"optimizer.name", std::string("rmsprop")}, {"optimizer.lr", 7e-4}, {"optimizer.alpha", 0.99},
                    {"optimizer.eps", 1e-5}, {"optimizer.grad_clip", 0.5}});

}  // namespace
}  // namespace pavlov::agents
