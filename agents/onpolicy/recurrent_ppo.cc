// Recurrent PPO ([agent] algo = "recurrent_ppo"): PPO whose policy and value
// networks carry an LSTM's memory across the steps of an episode
// (nets/recurrent_actor_critic.h), for partially observable envs such as
// CartPoleNoVel-v1. SB3-contrib's RecurrentPPO and CleanRL's ppo_atari_lstm
// train the same way:
//
//   acting     each training env has its memory, zeroed when its episode
//              ends (after the bootstrap of a cut episode has read it); the rollout records, besides PPO's columns, which
//              steps start an episode and every env's memory at the
//              rollout's start
//   learning   GAE as PPO; each minibatch is a set of whole env columns
//              (batch_size / n_steps envs), unrolled from their recorded
//              memory over all n_steps steps with the memory zeroed at
//              episode starts (truncated backpropagation through time over
//              the rollout), then PPO's loss (agents/onpolicy/ppo_loss.h)
//   greedy     evaluation and the viewers play with a memory of their own,
//              zeroed by Agent::start_greedy_episode
//
// All on LibTorch's autograd, CPU or CUDA; synchronous runtime only.
#include <algorithm>
#include <numeric>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/common/running_norm.h"
#include "agents/common/tensors.h"
#include "agents/onpolicy/ppo_loss.h"
#include "agents/onpolicy/rollout.h"
#include "agents/onpolicy/sample_action.h"
#include "engine/config/experiment.h"
#include "engine/io/binary.h"
#include "engine/runtime/agent.h"
#include "nets/optim.h"
#include "nets/recurrent_actor_critic.h"

namespace pavlov::agents {
namespace {

std::vector<KeySpec> recurrent_ppo_keys() {
  auto f = [](std::string name, double def, std::string help, double min, double max) {
    return KeySpec{.name = std::move(name), .type = KeyType::kFloat, .default_value = def, .help = std::move(help), .min = min, .max = max};
  };
  auto i = [](std::string name, std::int64_t def, std::string help, double min, double max) {
    return KeySpec{.name = std::move(name), .type = KeyType::kInt, .default_value = def, .help = std::move(help), .min = min, .max = max};
  };
  auto b = [](std::string name, bool def, std::string help) {
    return KeySpec{.name = std::move(name), .type = KeyType::kBool, .default_value = def, .help = std::move(help)};
  };
  KeySpec schedule{.name = "clip_range_schedule", .type = KeyType::kString, .default_value = std::string("constant"),
                   .help = "clip range over the run: constant, or linear down to 0"};
  schedule.choices = {"constant", "linear"};
  KeySpec clip = f("clip_range", 0.2, "PPO's ratio clipping epsilon", 0.0, 10.0);
  clip.min_exclusive = true;
  return {i("n_steps", 128, "vector steps per rollout, and the length of the sequences learned through", 1, 1e8),
          i("batch_size", 128 * 4, "steps per minibatch: whole env columns of the rollout, so a multiple of n_steps "
                                   "that divides n_steps * num_envs", 1, 1e8),
          i("n_epochs", 4, "passes over each rollout", 1, 1e6),
          f("gamma", 0.99, "discount factor", 0.0, 1.0),
          f("gae_lambda", 0.95, "GAE lambda (1: Monte-Carlo returns, 0: one-step TD)", 0.0, 1.0),
          clip, schedule,
          f("ent_coef", 0.0, "weight of the entropy bonus", 0.0, 1e3),
          f("vf_coef", 0.5, "weight of the value loss", 0.0, 1e3),
          b("normalize_advantage", true, "normalise the advantages of each minibatch to mean 0, std 1"),
          b("normalize_obs", false, "normalise observations by running mean and std (saved in checkpoints)"),
          b("normalize_reward", false, "scale rewards by the running std of the discounted return"),
          i("lstm_hidden", 64, "width of the policy's and of the value network's LSTM", 1, 65536),
          f("log_std_init", 0.0, "Box actions: initial log standard deviation of the Gaussian policy", -20.0, 2.0),
          b("ortho_init", true, "orthogonal initialisation of the MLPs and heads (gain sqrt 2, 0.01 policy head, 1 value head)")};
}

class RecurrentPpoAgent : public Agent {
 public:
  explicit RecurrentPpoAgent(const AgentContext& ctx)
      : cfg_(ctx.config),
        device_(ctx.device),
        action_space_(ctx.action_space),
        continuous_(ctx.action_space.is_box()),
        obs_dim_(ctx.observation_space.numel()),
        head_dim_(continuous_ ? ctx.action_space.numel() : ctx.action_space.n()),
        num_envs_(ctx.num_envs),
        total_steps_(ctx.total_steps),
        rng_(derive_seed(ctx.seed, 0x2EC)),
        rollout_(static_cast<int>(cfg_.get_int("agent.n_steps")), ctx.num_envs, obs_dim_, continuous_ ? head_dim_ : 1),
        schedule_(cfg_),
        obs_norm_(obs_dim_),
        reward_scaler_(ctx.num_envs, cfg_.get_float("agent.gamma")) {
    if (!ctx.action_space.is_discrete() && !ctx.action_space.is_box())
      throw std::invalid_argument("recurrent_ppo needs a Discrete or Box action space, got " + ctx.action_space.to_string());
    if (ctx.observation_space.dtype() != DType::kFloat32)
      throw std::invalid_argument("recurrent_ppo reads float32 observations (vectors), got " +
                                  ctx.observation_space.to_string());
    const std::int64_t steps = rollout_.steps, batch = cfg_.get_int("agent.batch_size");
    if (batch % steps != 0 || rollout_.size() % batch != 0)
      throw std::invalid_argument("agent.batch_size = " + std::to_string(batch) + " must be a multiple of n_steps = " +
                                  std::to_string(steps) + " that divides n_steps * num_envs = " +
                                  std::to_string(rollout_.size()) + " (a minibatch is whole env columns)");
    envs_per_batch_ = batch / steps;
    gamma_ = cfg_.get_float("agent.gamma");
    lambda_ = cfg_.get_float("agent.gae_lambda");
    epochs_ = cfg_.get_int("agent.n_epochs");
    clip_start_ = cfg_.get_float("agent.clip_range");
    clip_linear_ = cfg_.get_string("agent.clip_range_schedule") == "linear";
    normalize_adv_ = cfg_.get_bool("agent.normalize_advantage");
    normalize_obs_ = cfg_.get_bool("agent.normalize_obs");
    normalize_reward_ = cfg_.get_bool("agent.normalize_reward");
    grad_clip_ = cfg_.get_float("optimizer.grad_clip");
    loss_.continuous = continuous_;
    loss_.ent_coef = cfg_.get_float("agent.ent_coef");
    loss_.vf_coef = cfg_.get_float("agent.vf_coef");

    nets::require_mlp_net(cfg_, "recurrent_ppo");  // its memory is the LSTM
    torch::manual_seed(derive_seed(ctx.seed, 0x7E8));
    net_ = nets::RecurrentActorCritic(nets::RecurrentActorCriticOptions{
        .obs_dim = obs_dim_, .action_dim = head_dim_, .lstm = cfg_.get_int("agent.lstm_hidden"),
        .continuous = continuous_, .log_std_init = cfg_.get_float("agent.log_std_init"),
        .ortho_init = cfg_.get_bool("agent.ortho_init"), .torso = nets::mlp_options_from(cfg_, obs_dim_)});
    net_->to(device_);
    optimizer_ = nets::make_optimizer(cfg_, net_->parameters());
    memory_ = net_->initial_memory(num_envs_);
    rollout_memory_ = memory_.clone();
    greedy_memory_ = net_->initial_memory(1);
    starts_.assign(static_cast<std::size_t>(rollout_.size()), 0);
    starting_.assign(static_cast<std::size_t>(num_envs_), 1);  // every env begins an episode
    columns_.resize(static_cast<std::size_t>(num_envs_));
    obs_scratch_.resize(static_cast<std::size_t>(num_envs_ * obs_dim_));
  }

  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) override {
    torch::NoGradGuard no_grad;
    const torch::Tensor x = prepare(obs, n, /*update_stats=*/explore && normalize_obs_);
    torch::Tensor& memory = explore ? memory_ : greedy_memory_;
    if (explore) {
      if (n != num_envs_) throw std::logic_error("recurrent_ppo: an exploring act() is for the num_envs training envs");
      if (rollout_.t == 0) rollout_memory_ = memory_.clone();  // observe() has zeroed the rows of new episodes
      std::copy(starting_.begin(), starting_.end(), &starts_[static_cast<std::size_t>(rollout_.t * num_envs_)]);
      std::fill(starting_.begin(), starting_.end(), 0);
    } else if (memory.size(0) != n) {
      memory = net_->initial_memory(n);
    }
    auto [out, values, next] = net_->step(x, memory);
    memory = next;
    const torch::Tensor o = out.to(torch::kCPU).contiguous(), v = values.to(torch::kCPU).contiguous();
    const torch::Tensor log_std = continuous_ ? net_->log_std().to(torch::kCPU).contiguous() : torch::Tensor();
    for (std::int64_t i = 0; i < n; ++i) {
      const float* row = o.data_ptr<float>() + i * head_dim_;
      float log_prob = 0.0f;
      if (continuous_) {
        float* a = actions.as<float>() + i * head_dim_;
        float* raw = explore ? &rollout_.actions[(rollout_.t * num_envs_ + i) * head_dim_] : a;
        log_prob = sample_gaussian(row, log_std.data_ptr<float>(), head_dim_, rng_, explore, raw);
        for (std::int64_t j = 0; j < head_dim_; ++j)
          a[j] = static_cast<float>(std::clamp<double>(raw[j], action_space_.low()[j], action_space_.high()[j]));
      } else {
        std::int64_t pick = 0;
        log_prob = sample_categorical(row, head_dim_, rng_, explore, pick);
        if (explore) rollout_.actions[rollout_.t * num_envs_ + i] = static_cast<float>(pick);
        actions.as<std::int64_t>()[i] = pick + action_space_.start();
      }
      if (explore) {
        const std::int64_t r = rollout_.t * num_envs_ + i;
        std::copy(&obs_scratch_[i * obs_dim_], &obs_scratch_[(i + 1) * obs_dim_], &rollout_.obs[r * obs_dim_]);  // as seen
        rollout_.log_probs[r] = log_prob;
        rollout_.values[r] = v.data_ptr<float>()[i];
      }
    }
  }

  void start_greedy_episode() override { greedy_memory_.zero_(); }

  void observe(ConstArrayView, ConstArrayView, const Batch& result) override {
    const std::int64_t row = static_cast<std::int64_t>(rollout_.t) * num_envs_;
    std::copy(result.rewards.begin(), result.rewards.end(), &rollout_.rewards[row]);
    if (normalize_reward_)
      reward_scaler_.scale(std::span<float>(&rollout_.rewards[row], num_envs_), result.terminated, result.truncated);
    std::copy(result.terminated.begin(), result.terminated.end(), &rollout_.terminated[row]);
    std::copy(result.truncated.begin(), result.truncated.end(), &rollout_.truncated[row]);
    bool any_truncated = false;
    for (std::int64_t e = 0; e < num_envs_; ++e) {
      any_truncated = any_truncated || (result.truncated[e] && !result.terminated[e]);
      if (result.terminated[e] || result.truncated[e]) starting_[e] = 1;
    }
    torch::NoGradGuard no_grad;
    if (any_truncated) {  // bootstrap a time-limit cut from its final observation, read with the episode's memory
      const torch::Tensor v =
          std::get<1>(net_->step(prepare(result.final_obs, num_envs_, false), memory_)).to(torch::kCPU);
      for (std::int64_t e = 0; e < num_envs_; ++e)
        rollout_.final_values[row + e] = result.truncated[e] ? v.data_ptr<float>()[e] : 0.0f;
    }
    for (std::int64_t e = 0; e < num_envs_; ++e)  // a new episode starts with no memory
      if (starting_[e]) memory_[e].zero_();
    ++rollout_.t;
    if (rollout_.full()) {  // the value of where the next rollout starts, with the memory it starts with
      const torch::Tensor v = std::get<1>(net_->step(prepare(result.obs, num_envs_, false), memory_)).to(torch::kCPU);
      std::copy(v.data_ptr<float>(), v.data_ptr<float>() + num_envs_, rollout_.last_values.begin());
    }
  }

  std::span<const Metric> train(std::int64_t env_steps) override {
    env_steps_ = env_steps;
    if (!rollout_.full()) return {};
    rollout_.finish(gamma_, lambda_);
    const double progress = static_cast<double>(env_steps) / static_cast<double>(std::max<std::int64_t>(1, total_steps_));
    schedule_.apply(*optimizer_, progress);
    loss_.clip_range = std::max(1e-8, clip_linear_ ? clip_start_ * (1.0 - progress) : clip_start_);

    const std::int64_t T = rollout_.steps, N = num_envs_;
    auto column_tensor = [&](const std::vector<float>& data, std::int64_t width) {
      return torch::from_blob(const_cast<float*>(data.data()), {T, N, width}, torch::kFloat32).to(device_);
    };
    const torch::Tensor obs = column_tensor(rollout_.obs, obs_dim_);
    const torch::Tensor actions = column_tensor(rollout_.actions, continuous_ ? head_dim_ : 1);
    const torch::Tensor log_probs = column_tensor(rollout_.log_probs, 1).squeeze(-1);
    const torch::Tensor values = column_tensor(rollout_.values, 1).squeeze(-1);
    const torch::Tensor advantages = column_tensor(rollout_.advantages, 1).squeeze(-1);
    const torch::Tensor returns = column_tensor(rollout_.returns, 1).squeeze(-1);
    const torch::Tensor starts =
        torch::from_blob(starts_.data(), {T, N}, torch::kUInt8).to(device_, torch::kFloat32);

    PpoStats sum{};
    int steps = 0;
    for (std::int64_t epoch = 0; epoch < epochs_; ++epoch) {
      std::iota(columns_.begin(), columns_.end(), 0);
      for (std::int64_t i = N - 1; i > 0; --i) std::swap(columns_[i], columns_[rng_.below(i + 1)]);
      for (std::int64_t first = 0; first < N; first += envs_per_batch_) {
        const torch::Tensor idx =
            torch::tensor(std::vector<std::int64_t>(columns_.begin() + first, columns_.begin() + first + envs_per_batch_),
                          torch::kInt64)
                .to(device_);
        auto pick = [&](const torch::Tensor& t) { return t.index_select(1, idx).reshape({-1}); };
        torch::Tensor adv = pick(advantages);
        if (normalize_adv_ && adv.numel() > 1) adv = (adv - adv.mean()) / (adv.std() + 1e-8);
        const torch::Tensor a = actions.index_select(1, idx);
        const PpoBatch batch{continuous_ ? a.reshape({-1, head_dim_}) : a.reshape({-1}).to(torch::kInt64),
                             pick(log_probs), pick(values), adv, pick(returns)};
        const auto [out, v] = net_->unroll(obs.index_select(1, idx), starts.index_select(1, idx),
                                           rollout_memory_.index_select(0, idx));
        PpoStats s;
        const torch::Tensor loss = ppo_loss(out, continuous_ ? net_->log_std() : torch::Tensor(), v, batch, loss_, s);
        optimizer_->zero_grad();
        loss.backward();
        if (grad_clip_ > 0) torch::nn::utils::clip_grad_norm_(net_->parameters(), grad_clip_);
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
    metrics_[0] = {"policy_loss", sum.policy_loss / k};
    metrics_[1] = {"value_loss", sum.value_loss / k};
    metrics_[2] = {"entropy", sum.entropy / k};
    metrics_[3] = {"approx_kl", sum.approx_kl / k};
    metrics_[4] = {"explained_variance", rollout_.explained_variance()};
    metrics_[5] = {"clip_fraction", sum.clip_fraction / k};
    metrics_[6] = {"clip_range", loss_.clip_range};
    rollout_.t = 0;
    return {metrics_, 7};
  }

  std::span<const Metric> status() override {
    status_[0] = {"lr", schedule_.at(static_cast<double>(env_steps_) / std::max<std::int64_t>(1, total_steps_))};
    status_[1] = {"updates", static_cast<double>(updates_)};
    return {status_, 2};
  }

  std::vector<std::string> metric_names() const override {
    return {"policy_loss", "value_loss", "entropy", "approx_kl", "explained_variance", "clip_fraction", "clip_range",
            "lr", "updates"};
  }

  ActionInsight insight(ConstArrayView obs) override {
    // The next greedy step's distribution, without advancing the greedy memory.
    torch::NoGradGuard no_grad;
    const torch::Tensor memory = greedy_memory_.size(0) == 1 ? greedy_memory_ : net_->initial_memory(1);
    const torch::Tensor out = std::get<0>(net_->step(prepare(obs, 1, false), memory)).to(torch::kCPU);
    const torch::Tensor shown = continuous_ ? out : torch::softmax(out, -1);
    const float* p = shown.data_ptr<float>();
    return {continuous_ ? "mean" : "p", std::vector<float>(p, p + head_dim_)};
  }

  void save(std::ostream& out) const override {
    io::write_pod(out, env_steps_);
    io::write_pod(out, updates_);
    io::write_pod(out, rng_.state());
    rollout_.save(out);
    obs_norm_.save(out);
    reward_scaler_.save(out);
    io::write_vector(out, starts_);
    io::write_vector(out, starting_);
    io::write_string(out, archive_bytes([&](torch::serialize::OutputArchive& a) {
      torch::serialize::OutputArchive model, opt;
      net_->save(model);
      optimizer_->save(opt);
      a.write("model", model);
      a.write("optimizer", opt);
      a.write("memory", memory_);
      a.write("rollout_memory", rollout_memory_);
    }));
  }

  void load(std::istream& in) override {
    env_steps_ = io::read_pod<std::int64_t>(in);
    updates_ = io::read_pod<std::int64_t>(in);
    rng_.set_state(io::read_pod<Rng::State>(in));
    rollout_.load(in);
    obs_norm_.load(in);
    reward_scaler_.load(in);
    starts_ = io::read_vector<std::uint8_t>(in);
    starting_ = io::read_vector<std::uint8_t>(in);
    torch::serialize::InputArchive model, opt;
    read_archive_bytes(io::read_string(in), device_, [&](torch::serialize::InputArchive& a) {
      a.read("model", model);
      a.read("optimizer", opt);
      a.read("memory", memory_);
      a.read("rollout_memory", rollout_memory_);
    });
    net_->load(model);
    optimizer_->load(opt);
  }

 private:
  // obs (n rows) -> obs_scratch_, normalised when asked, as a tensor on the device.
  torch::Tensor prepare(ConstArrayView obs, std::int64_t n, bool update_stats) {
    if (static_cast<std::int64_t>(obs_scratch_.size()) < n * obs_dim_) obs_scratch_.resize(n * obs_dim_);
    std::copy(obs.as<float>(), obs.as<float>() + n * obs_dim_, obs_scratch_.begin());
    if (normalize_obs_) {
      if (update_stats) obs_norm_.update(obs_scratch_.data(), n);
      obs_norm_.normalize(obs_scratch_.data(), n, obs_scratch_.data());
    }
    return tensor_from(obs_scratch_.data(), {n, obs_dim_}, torch::kFloat32, device_);
  }

  const Config& cfg_;
  torch::Device device_;
  Space action_space_;
  bool continuous_;
  std::int64_t obs_dim_, head_dim_, num_envs_, total_steps_;
  Rng rng_;
  Rollout rollout_;
  nets::LrSchedule schedule_;
  ObsNormalizer obs_norm_;
  RewardScaler reward_scaler_;
  double gamma_ = 0.99, lambda_ = 0.95, grad_clip_ = 0.5, clip_start_ = 0.2;
  bool clip_linear_ = false, normalize_adv_ = true, normalize_obs_ = false, normalize_reward_ = false;
  std::vector<float> obs_scratch_;
  std::int64_t epochs_ = 4, envs_per_batch_ = 1;
  PpoLossOptions loss_;

  nets::RecurrentActorCritic net_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  torch::Tensor memory_;          // [num_envs, 4 * lstm]: the training envs' memory now
  torch::Tensor rollout_memory_;  // their memory when the rollout began
  torch::Tensor greedy_memory_;   // the greedy player's
  std::vector<std::uint8_t> starts_;    // [T, N]: 1 where step t began an episode
  std::vector<std::uint8_t> starting_;  // [N]: the env's next step begins an episode
  std::vector<std::int64_t> columns_;

  std::int64_t env_steps_ = 0, updates_ = 0;
  Metric metrics_[7];
  Metric status_[2];
};

// SB3-contrib's RecurrentPPO settings: Adam (lr 3e-4, eps 1e-5), gradient norm clipped at 0.5.
const bool kRegistered = register_agent(
    "recurrent_ppo", "PPO with LSTM policy and value networks (partially observable envs), Discrete or Box actions",
    recurrent_ppo_keys(), [](const AgentContext& ctx) { return std::make_unique<RecurrentPpoAgent>(ctx); },
    {{"optimizer.lr", 3e-4}, {"optimizer.eps", 1e-5}, {"optimizer.grad_clip", 0.5}});

}  // namespace
}  // namespace pavlov::agents
