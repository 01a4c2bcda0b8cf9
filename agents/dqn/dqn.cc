#include "agents/dqn/dqn.h"

#include <algorithm>
#include <ATen/Parallel.h>
#include <atomic>
#include <cmath>
#include <sstream>
#include <torch/nn/functional/loss.h>
#include <torch/serialize.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "agents/common/tensors.h"
#include "agents/dqn/targets.h"
#include "engine/config/experiment.h"
#include "engine/env/worker_pool.h"
#include "engine/io/binary.h"
#include "engine/replay/replay.h"
#include "engine/runtime/experience.h"
#include "nets/amp.h"
#include "nets/actor_copy.h"
#include "nets/flat_parameters.h"
#include "nets/flush_denormals.h"
#include "nets/mlp_backprop.h"
#include "nets/optim.h"
#include "nets/polyak.h"
#include "nets/q_network.h"

namespace pavlov::agents {
namespace {

std::vector<KeySpec> dqn_keys() {
  KeySpec loss{.name = "loss", .type = KeyType::kString, .default_value = std::string("huber"),
               .help = "TD loss: huber (smooth L1, delta 1) or mse"};
  loss.choices = {"huber", "mse"};
  KeySpec tau{.name = "tau", .type = KeyType::kFloat, .default_value = 1.0,
              .help = "target update: 1 copies the weights, < 1 is Polyak averaging", .min = 0.0, .max = 1.0};
  tau.min_exclusive = true;
  return {{.name = "gamma", .type = KeyType::kFloat, .default_value = 0.99, .help = "discount factor", .min = 0.0, .max = 1.0},
          {.name = "train_freq", .type = KeyType::kInt, .default_value = std::int64_t{4},
           .help = "env steps between training phases", .min = 1, .max = 1e9},
          {.name = "gradient_steps", .type = KeyType::kInt, .default_value = std::int64_t{1},
           .help = "gradient steps per training phase", .min = 1, .max = 1e6},
          {.name = "target_update_interval", .type = KeyType::kInt, .default_value = std::int64_t{10000},
           .help = "env steps between target network updates", .min = 1, .max = 1e12},
          tau,
          {.name = "double_q", .type = KeyType::kBool, .default_value = false,
           .help = "double DQN: the online network picks the next action, the target network rates it"},
          loss,
          {.name = "exploration_fraction", .type = KeyType::kFloat, .default_value = 0.1,
           .help = "fraction of the run over which epsilon decays", .min = 0.0, .max = 1.0},
          {.name = "exploration_initial_eps", .type = KeyType::kFloat, .default_value = 1.0,
           .help = "epsilon at the start", .min = 0.0, .max = 1.0},
          {.name = "exploration_final_eps", .type = KeyType::kFloat, .default_value = 0.05,
           .help = "epsilon after the decay", .min = 0.0, .max = 1.0},
          {.name = "apex_epsilons", .type = KeyType::kBool, .default_value = false,
           .help = "Ape-X exploration instead of the schedule: env i of N (all actors' envs) acts with the fixed "
                   "epsilon 0.4^(1 + 7 i / (N - 1)); random actions still until learning_starts"}};
}

// MlpBackprop's input on the CPU: uint8 frames stay uint8 for a network
// with a leading convolution (it converts the patches as it gathers them),
// so no converted copy of the batch is allocated.
torch::Tensor fast_input(const nets::MlpBackprop& mlp, ConstArrayView obs, std::int64_t n, std::int64_t numel) {
  if (obs.dtype != DType::kUInt8 || !mlp.has_front()) return obs_tensor(obs, n, numel, torch::kCPU);
  return torch::from_blob(const_cast<void*>(obs.data), {n, numel}, torch::kUInt8);
}

// Epsilon-greedy acting with one Q network: the Dqn's own (its learner, or
// the CPU copy of it) and each async actor's (DqnPolicy).
class QActor {
 public:
  QActor(nets::QNetwork net, const nets::QNetworkOptions& opts, const Space& obs_space, torch::Device device,
         std::int64_t batch)
      : net_(std::move(net)), device_(device), obs_numel_(obs_space.numel()), num_actions_(opts.num_actions()) {
    const auto layers = net_->plain_layers();
    if (!layers.empty() && device_.is_cpu()) {  // the hot path: MlpBackprop's forward for a whole vector step
      mlp_ = std::make_unique<nets::MlpBackprop>(layers, opts.torso().activation(), batch, net_->conv_front());
      mlp_batch_ = batch;
    }
    explore_row_.assign(batch, 0);
  }

  // Random actions throughout `random_phase` (before learning starts); else
  // with `explore`, a random action with probability `epsilon` per row, or
  // row_epsilon[i] for row i when given (Ape-X's fixed per-env epsilons).
  void act(Rng& rng, double epsilon, bool random_phase, bool explore, ConstArrayView obs, std::int64_t n,
           std::int64_t* out, const double* row_epsilon = nullptr) {
    bool need_q = !random_phase;
    if (static_cast<std::int64_t>(explore_row_.size()) < n) explore_row_.resize(n);  // only if n grows
    if (need_q && explore) {  // draw the epsilon coins first: skip the network when every row explores
      need_q = false;
      for (std::int64_t i = 0; i < n; ++i) {
        explore_row_[i] = rng.uniform() < (row_epsilon ? row_epsilon[i] : epsilon);
        need_q = need_q || !explore_row_[i];
      }
    }
    torch::NoGradGuard no_grad;  // grad mode is per thread: async actors set it too
    if (need_q && mlp_ && n == mlp_batch_) {  // argmax over the rows of one forward pass
      const float* q = mlp_->forward(fast_input(*mlp_, obs, n, obs_numel_)).data_ptr<float>();
      for (std::int64_t i = 0; i < n; ++i) {
        const float* row = q + i * num_actions_;
        out[i] = std::max_element(row, row + num_actions_) - row;
      }
    } else if (need_q) {
      net_->eval();
      const torch::Tensor greedy = net_->forward(obs_tensor(obs, n, obs_numel_, device_)).argmax(1).to(torch::kCPU);
      net_->train();
      const std::int64_t* g = greedy.data_ptr<std::int64_t>();
      for (std::int64_t i = 0; i < n; ++i) out[i] = g[i];
    }
    for (std::int64_t i = 0; i < n; ++i)
      if (random_phase || (explore && explore_row_[i])) out[i] = static_cast<std::int64_t>(rng.below(num_actions_));
  }

  std::vector<float> q_values(ConstArrayView obs) {
    torch::NoGradGuard no_grad;
    net_->eval();
    const torch::Tensor q = net_->forward(obs_tensor(obs, 1, obs_numel_, device_)).to(torch::kCPU).contiguous();
    net_->train();
    return {q.data_ptr<float>(), q.data_ptr<float>() + num_actions_};
  }

 private:
  nets::QNetwork net_;
  torch::Device device_;
  std::int64_t obs_numel_, num_actions_;
  std::unique_ptr<nets::MlpBackprop> mlp_;
  std::int64_t mlp_batch_ = 0;
  std::vector<std::uint8_t> explore_row_;  // per row of act(): take a random action
};

// The linear epsilon schedule over the run ([agent] exploration_*).
struct EpsilonSchedule {
  explicit EpsilonSchedule(const Config& cfg)
      : start(cfg.get_float("agent.exploration_initial_eps")),
        end(cfg.get_float("agent.exploration_final_eps")),
        fraction(cfg.get_float("agent.exploration_fraction")),
        total_steps(cfg.get_int("train.total_steps")) {}
  double at(std::int64_t env_steps) const {
    const double progress = static_cast<double>(env_steps) / static_cast<double>(std::max<std::int64_t>(1, total_steps));
    return fraction > 0 ? start + (end - start) * std::min(1.0, progress / fraction) : end;
  }
  double start, end, fraction;
  std::int64_t total_steps;
};

// Ape-X's exploration (Horgan et al., 2018): env i of N acts with the fixed
// epsilon 0.4^(1 + 7 i / (N - 1)) (N = 1: 0.4), from 0.4 down to 0.4^8, so
// that a few envs explore hard while most act almost greedily.
std::vector<double> apex_epsilons(std::int64_t first, std::int64_t count, std::int64_t total) {
  std::vector<double> eps(count);
  for (std::int64_t i = 0; i < count; ++i)
    eps[i] = std::pow(0.4, 1.0 + (total > 1 ? 7.0 * static_cast<double>(first + i) / static_cast<double>(total - 1) : 0.0));
  return eps;
}

// An async actor's DQN (engine/runtime/async_runner.h): a CPU copy of the Q
// network, loaded from the learner's flat parameters, acting epsilon-greedily
// on the learner's schedule (random actions until the learner has seen
// replay.learning_starts env steps).
class DqnPolicy : public Policy {
 public:
  // `envs` per actor; with [agent] apex_epsilons, this actor's envs are
  // numbers actor * envs ... of actors * envs in Ape-X's epsilon ladder.
  DqnPolicy(const Config& cfg, const nets::QNetworkOptions& opts, const Space& obs_space, std::int64_t envs, int actor,
            int actors, std::uint64_t seed)
      : rng_(seed), epsilon_(cfg), learning_starts_(cfg.get_int("replay.learning_starts")), net_(opts),
        flat_(net_->parameters()), actor_(net_, opts, obs_space, torch::kCPU, envs) {
    if (cfg.get_bool("agent.apex_epsilons")) row_epsilon_ = apex_epsilons(actor * envs, envs, actors * envs);
    initial_priorities_ = cfg.get_bool("replay.prioritized");
    gamma_ = cfg.get_float("agent.gamma");
  }

  // Prioritized replay: Ape-X's initial priorities, computed here rather than
  // by the learner: |r + gamma * max_a Q(s', a) - Q(s, a)| with this actor's
  // copy of the network as its own target, one step, in one batched forward
  // pass over the block (the learner refines them with n-step TD errors).
  void finish_block(Experience& x) override {
    if (!initial_priorities_ || x.behaviour.empty()) return;
    torch::NoGradGuard no_grad;
    const std::int64_t rows = static_cast<std::int64_t>(x.steps) * x.num_envs;
    const std::int64_t numel = x.obs_bytes / static_cast<std::int64_t>(dtype_size(x.obs_dtype));
    net_->eval();
    const torch::Tensor q = net_->forward(obs_tensor(ConstArrayView(x.obs.data(), x.obs_dtype, rows * numel), rows, numel, torch::kCPU));
    const torch::Tensor next_q =
        std::get<0>(net_->forward(obs_tensor(ConstArrayView(x.next_obs.data(), x.obs_dtype, rows * numel), rows, numel,
                                             torch::kCPU)).max(1)).contiguous();
    net_->train();
    const torch::Tensor chosen =
        q.gather(1, torch::from_blob(x.actions.data(), {rows, 1}, torch::kInt64)).squeeze(1).contiguous();
    const float* qa = chosen.data_ptr<float>();
    const float* nq = next_q.data_ptr<float>();
    for (std::int64_t i = 0; i < rows; ++i)
      x.behaviour[i] = std::abs(x.rewards[i] + static_cast<float>(gamma_) * (x.terminated[i] ? 0.0f : nq[i]) - qa[i]);
  }

  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, std::int64_t env_steps, std::span<float>) override {
    const bool ladder = !row_epsilon_.empty() && n == static_cast<std::int64_t>(row_epsilon_.size());
    actor_.act(rng_, epsilon_.at(env_steps), env_steps < learning_starts_, true, obs, n, actions.as<std::int64_t>(),
               ladder ? row_epsilon_.data() : nullptr);
  }
  void set_weights(std::span<const float> w) override {
    torch::Tensor& f = flat_.flat();
    if (static_cast<std::int64_t>(w.size()) != f.numel())
      throw std::invalid_argument("DQN policy: " + std::to_string(w.size()) + " weights for a network of " +
                                  std::to_string(f.numel()));
    std::copy(w.begin(), w.end(), f.data_ptr<float>());
  }

 private:
  Rng rng_;
  EpsilonSchedule epsilon_;
  std::int64_t learning_starts_;
  nets::QNetwork net_;
  nets::FlatParameters flat_;
  QActor actor_;
  std::vector<double> row_epsilon_;  // Ape-X's, or empty: the schedule
  bool initial_priorities_ = false;
  double gamma_ = 0.99;
};

// One batch for the fast path's update: the parts of a ReplaySample it reads.
struct FastBatch {
  std::int64_t size;
  const std::int64_t* actions;
  const float* returns;
  const float* discounts;
  const float* weights;
  static FastBatch of(const ReplaySample& s) {
    return {s.size, s.actions.as<std::int64_t>(), s.returns.data(), s.discounts.data(), s.weights.data()};
  }
};

class Dqn : public Agent {
 public:
  explicit Dqn(const AgentContext& ctx)
      : cfg_(ctx.config),
        device_(ctx.device),
        obs_space_(ctx.observation_space),
        num_actions_(ctx.action_space.n()),
        total_steps_(ctx.total_steps),
        rng_(derive_seed(ctx.seed, 0xA6E27)),
        replay_(ctx.observation_space, ctx.action_space, replay_options_from(cfg_, ctx.num_envs)),
        schedule_(cfg_),
        epsilon_schedule_(cfg_),
        num_envs_(ctx.num_envs) {
    if (!ctx.action_space.is_discrete())
      throw std::invalid_argument("dqn needs a discrete action space, got " + ctx.action_space.to_string());
    torch::manual_seed(derive_seed(ctx.seed, 0x7E7));
    opts_ = std::make_unique<nets::QNetworkOptions>(nets::q_network_options_from(cfg_, obs_space_, num_actions_));
    const auto& opts = *opts_;
    q_ = nets::QNetwork(opts);
    target_ = nets::QNetwork(opts);
    q_->to(device_);
    target_->to(device_);
    nets::polyak_update(*q_, *target_, 1.0);
    target_->eval();
    flat_ = std::make_unique<nets::FlatParameters>(q_->parameters());
    optimizer_ = nets::make_optimizer(cfg_, {flat_->flat()});
    amp_ = cfg_.get_bool("experiment.amp");
    // Acting: with the learner on an accelerator, by default a CPU copy of the
    // Q network picks the actions (one env step's batch is too small to pay
    // for the round trip), refreshed after every training phase.
    actor_ = q_;
    if (nets::wants_cpu_actor(cfg_, device_)) {
      actor_ = nets::QNetwork(opts);
      actor_copy_ = std::make_unique<nets::ActorCopy>(*flat_, actor_->parameters());
    }
    learning_starts_ = cfg_.get_int("replay.learning_starts");
    train_freq_ = cfg_.get_int("agent.train_freq");
    gradient_steps_ = cfg_.get_int("agent.gradient_steps");
    target_interval_ = cfg_.get_int("agent.target_update_interval");
    tau_ = cfg_.get_float("agent.tau");
    double_q_ = cfg_.get_bool("agent.double_q");
    huber_ = cfg_.get_string("agent.loss") == "huber";
    grad_clip_ = cfg_.get_float("optimizer.grad_clip");
    beta0_ = cfg_.get_float("replay.beta");
    td_.assign(cfg_.get_int("replay.batch_size"), 0.0f);
    epsilon_ = epsilon_schedule_.at(0);
    if (cfg_.get_bool("agent.apex_epsilons")) row_epsilon_ = apex_epsilons(0, ctx.num_envs, ctx.num_envs);
    // The hand-written backward for plain MLPs on the CPU (MlpBackprop): same numbers, no autograd overhead.
    const auto layers = q_->plain_layers();
    if (!layers.empty() && device_.is_cpu()) {
      const std::int64_t b = cfg_.get_int("replay.batch_size");
      const std::string& act = opts.torso().activation();
      online_mlp_ = std::make_unique<nets::MlpBackprop>(layers, act, b, q_->conv_front());
      target_mlp_ = std::make_unique<nets::MlpBackprop>(target_->plain_layers(), act, b, target_->conv_front());
      if (double_q_) online_eval_ = std::make_unique<nets::MlpBackprop>(layers, act, b, q_->conv_front());
      dq_ = torch::zeros({b, num_actions_});
      std::int64_t threads = cfg_.get_int("experiment.threads");
      if (threads == 0) threads = std::thread::hardware_concurrency();
      if (threads >= 2 && gradient_steps_ > 1) {
        pipeline_ = true;
        pool_ = std::make_unique<WorkerPool>(2);
        auto single = [](int) { at::set_num_threads(1); };  // one math thread each
        pool_->run(single);
        const std::int64_t g = gradient_steps_, d = obs_space_.numel();
        phase_.batch = b;
        phase_.obs = torch::zeros({g, b, d});
        phase_.next_obs = torch::zeros({g, b, d});
        phase_.nq = torch::zeros({g, b, num_actions_});
        phase_.actions.assign(g * b, 0);
        phase_.returns.assign(g * b, 0.0f);
        phase_.discounts.assign(g * b, 0.0f);
        phase_.ones.assign(b, 1.0f);
      }
    }
    acting_ = std::make_unique<QActor>(actor_, opts, obs_space_, actor_device(), ctx.num_envs);
  }

  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) override {
    const bool ladder = !row_epsilon_.empty() && n == static_cast<std::int64_t>(row_epsilon_.size());
    acting_->act(rng_, epsilon_, explore && env_steps_ < learning_starts_, explore, obs, n, actions.as<std::int64_t>(),
                 ladder ? row_epsilon_.data() : nullptr);
  }

  ActionInsight insight(ConstArrayView obs) override { return {"Q", acting_->q_values(obs)}; }

  SaliencyMap saliency(ConstArrayView obs) override {
    const torch::Tensor x = to_device(obs, 1).clone().requires_grad_(true);
    q_->forward(x).max().backward();
    const torch::Tensor g = x.grad().abs().to(torch::kCPU).view({-1});
    if (obs_space_.shape().size() != 3) return {static_cast<int>(g.numel()), 1, {g.data_ptr<float>(), g.data_ptr<float>() + g.numel()}};
    const ImageLayout l = image_layout(obs_space_.shape());
    const torch::Tensor grid = (l.channels_last ? g.view({l.height, l.width, l.channels}).amax(2)
                                                : g.view({l.channels, l.height, l.width}).amax(0)).contiguous();
    return {static_cast<int>(l.width), static_cast<int>(l.height),
            {grid.data_ptr<float>(), grid.data_ptr<float>() + grid.numel()}};
  }

  void observe(ConstArrayView obs, ConstArrayView actions, const Batch& result) override {
    replay_.add(obs, actions, result);
  }

  // The async runtime: actors with their own CPU copy, writing their columns of the replay.
  std::unique_ptr<Policy> make_policy(int actor, int actors, int envs, std::uint64_t seed) override {
    return std::make_unique<DqnPolicy>(cfg_, *opts_, obs_space_, envs, actor, actors, seed);
  }
  void policy_weights(std::vector<float>& out) override {
    const torch::Tensor w = flat_->flat().detach().to(torch::kCPU).contiguous();
    out.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  }
  // Prioritized replay: actors send each transition's initial priority (DqnPolicy::finish_block).
  int behaviour_numbers() const override { return replay_.prioritized() ? 1 : 0; }
  void observe_columns(int first_env, ConstArrayView obs, ConstArrayView actions, const Batch& result,
                       std::span<const float> priorities) override {
    replay_.add(obs, actions, result, first_env, priorities);
  }
  void release_columns(int first_env, int n) override { replay_.cut(first_env, n); }

  std::span<const Metric> train(std::int64_t env_steps) override {
    const std::int64_t before = env_steps_;
    env_steps_ = env_steps;
    const double progress = static_cast<double>(env_steps) / static_cast<double>(std::max<std::int64_t>(1, total_steps_));
    epsilon_ = epsilon_schedule_.at(env_steps);
    if (env_steps < learning_starts_) return {};
    if (env_steps / target_interval_ > before / target_interval_) nets::polyak_update(*q_, *target_, tau_);
    if (env_steps / train_freq_ == before / train_freq_) return {};

    const nets::FlushDenormals no_subnormals;  // see flush_denormals.h
    schedule_.apply(*optimizer_, progress);
    double loss_sum = 0, q_sum = 0;
    torch::Tensor sums;  // the autograd path's loss and mean Q, summed over the phase on the learner's device
    if (pipeline_ && !replay_.prioritized()) {
      pipelined_phase(loss_sum, q_sum);
      return finish_phase(loss_sum, q_sum, sums);
    }
    for (std::int64_t g = 0; g < gradient_steps_; ++g) {
      // Prioritized replay: the importance-sampling exponent goes from [replay] beta to 1 over the run.
      const double beta = beta0_ + (1.0 - beta0_) * std::min(1.0, progress);
      const ReplaySample& s = replay_.sample(rng_, beta);
      const torch::Tensor obs = online_mlp_ ? fast_input(*online_mlp_, s.obs, s.size, obs_space_.numel()) : to_device(s.obs, s.size);
      const torch::Tensor next_obs =
          online_mlp_ ? fast_input(*online_mlp_, s.next_obs, s.size, obs_space_.numel()) : to_device(s.next_obs, s.size);
      if (online_mlp_) {
        const float* nq = target_mlp_->forward(next_obs).data_ptr<float>();
        const auto [loss, q_mean] = fast_update(FastBatch::of(s), obs, next_obs, nq);
        loss_sum += loss;
        q_sum += q_mean;
      } else {
        const torch::Tensor actions = from(s.actions.data, {s.size, 1}, torch::kInt64);
        const torch::Tensor returns = from(s.returns.data(), {s.size}, torch::kFloat32);
        const torch::Tensor discounts = from(s.discounts.data(), {s.size}, torch::kFloat32);
        torch::Tensor q, loss;
        {
          const nets::Autocast autocast(amp_, device_);  // the forward passes and the loss; backward outside
          torch::Tensor y;
          {
            torch::NoGradGuard no_grad;
            y = td_targets(returns, discounts, target_->forward(next_obs), double_q_ ? q_->forward(next_obs) : torch::Tensor());
          }
          q = q_->forward(obs).gather(1, actions).squeeze(1).to(torch::kFloat32);
          y = y.to(torch::kFloat32);
          if (replay_.prioritized()) {  // each sample's loss scaled by its importance-sampling weight
            namespace F = torch::nn::functional;
            const torch::Tensor each = huber_ ? F::smooth_l1_loss(q, y, F::SmoothL1LossFuncOptions().reduction(torch::kNone))
                                              : F::mse_loss(q, y, F::MSELossFuncOptions().reduction(torch::kNone));
            loss = (each * from(s.weights.data(), {s.size}, torch::kFloat32)).mean();
            const torch::Tensor td = (q.detach() - y).to(torch::kCPU).contiguous();
            std::copy(td.data_ptr<float>(), td.data_ptr<float>() + s.size, td_.begin());
          } else {
            loss = huber_ ? torch::nn::functional::smooth_l1_loss(q, y) : torch::nn::functional::mse_loss(q, y);
          }
        }
        flat_->zero_grad();
        loss.backward();
        const torch::Tensor both = torch::stack({loss.detach(), q.detach().mean()});
        sums = sums.defined() ? sums + both : both;
      }
      replay_.update_priorities(s.indices, std::span<const float>(td_.data(), static_cast<std::size_t>(s.size)));
      flat_->clip_grad_norm(grad_clip_);
      nets::optimizer_step(*optimizer_);
      ++updates_;
    }
    return finish_phase(loss_sum, q_sum, sums);
  }

  std::span<const Metric> finish_phase(double loss_sum, double q_sum, const torch::Tensor& sums) {
    if (actor_copy_) actor_copy_->sync();
    if (sums.defined()) {
      // On an accelerator, reading the figures makes the host wait for the GPU:
      // they are read at the first phase and every kMetricsEvery-th after it,
      // and the log shows the last read.
      // Non-empty all the same: it tells the trainer that the network changed.
      if (!device_.is_cpu() && phases_++ % kMetricsEvery != 0) return metrics_;
      const torch::Tensor host = sums.to(torch::kCPU, torch::kFloat64);
      loss_sum = host[0].item<double>();
      q_sum = host[1].item<double>();
    }
    metrics_[0] = {"loss", loss_sum / gradient_steps_};
    metrics_[1] = {"q_mean", q_sum / gradient_steps_};
    return metrics_;
  }

  std::span<const Metric> status() override {
    status_[0] = {"epsilon", epsilon_};
    status_[1] = {"lr", schedule_.at(static_cast<double>(env_steps_) / std::max<std::int64_t>(1, total_steps_))};
    status_[2] = {"updates", static_cast<double>(updates_)};
    return status_;
  }

  // A training phase on two threads, with the same numbers as one at a time:
  // the target network does not change during a phase, so its forward passes
  // over the phase's batches do not depend on the updates. The batches are
  // drawn first (the same draws in the same order: the replay does not change
  // during a phase, and nothing else uses the generator); the pool's second
  // thread runs the target network over them, batch after batch, while this
  // thread runs the updates, each waiting only for its own batch's targets.
  // Takes the target network's quarter of the matrix multiplies off the
  // learner's critical path (cartpole_dqn, 2-core CI VM: 12.5 -> 9.9 s).
  void pipelined_phase(double& loss_sum, double& q_sum) {
    for (std::int64_t g = 0; g < gradient_steps_; ++g) {
      const ReplaySample& s = replay_.sample(rng_, 1.0);
      if (s.size != phase_.batch) throw std::logic_error("dqn: a replay sample of " + std::to_string(s.size) + " rows, not the batch size");
      phase_.obs[g].copy_(to_device(s.obs, s.size));
      phase_.next_obs[g].copy_(to_device(s.next_obs, s.size));
      std::copy_n(s.actions.as<std::int64_t>(), s.size, phase_.actions.data() + g * s.size);
      std::copy_n(s.returns.data(), s.size, phase_.returns.data() + g * s.size);
      std::copy_n(s.discounts.data(), s.size, phase_.discounts.data() + g * s.size);
    }
    std::atomic<std::int64_t> ready{0};  // batches whose target Q values are in phase_.nq
    std::atomic<bool> failed{false};     // the target thread threw: the pool rethrows it here
    auto work = [&](int worker) {
      if (worker == 1) {
        try {
          for (std::int64_t g = 0; g < gradient_steps_; ++g) {
            phase_.nq[g].copy_(target_mlp_->forward(phase_.next_obs[g]));
            ready.store(g + 1, std::memory_order_release);
          }
        } catch (...) {
          failed = true;
          throw;
        }
        return;
      }
      const std::int64_t b = phase_.batch;
      for (std::int64_t g = 0; g < gradient_steps_; ++g) {
        while (ready.load(std::memory_order_acquire) <= g) {
          if (failed) return;
          std::this_thread::yield();
        }
        const FastBatch batch{b, phase_.actions.data() + g * b, phase_.returns.data() + g * b,
                              phase_.discounts.data() + g * b, phase_.ones.data()};
        const auto [loss, q_mean] = fast_update(batch, phase_.obs[g], phase_.next_obs[g], phase_.nq[g].data_ptr<float>());
        loss_sum += loss;
        q_sum += q_mean;
        flat_->clip_grad_norm(grad_clip_);
        nets::optimizer_step(*optimizer_);
        ++updates_;
      }
    };
    pool_->run(work);
  }

  // One update through MlpBackprop: the targets, the Huber or MSE loss and its
  // gradient with respect to the chosen Q values, computed in a loop over the
  // batch (float32, as the autograd path computes them), then one backward pass.
  // `nq`: the target network's Q values of next_obs, [B, actions].
  std::pair<double, double> fast_update(const FastBatch& s, const torch::Tensor& obs, const torch::Tensor& next_obs,
                                        const float* nq) {
    const std::int64_t b_size = s.size, a_size = num_actions_;
    const float* oq = double_q_ ? online_eval_->forward(next_obs).data_ptr<float>() : nullptr;
    const float* q = online_mlp_->forward(obs).data_ptr<float>();
    const std::int64_t* act = s.actions;
    float* dq = dq_.data_ptr<float>();
    std::fill(dq, dq + b_size * a_size, 0.0f);
    double loss = 0.0, q_sum = 0.0;
    for (std::int64_t b = 0; b < b_size; ++b) {
      const float* nrow = nq + b * a_size;
      std::int64_t pick = 0;
      const float* chooser = oq ? oq + b * a_size : nrow;
      for (std::int64_t a = 1; a < a_size; ++a)
        if (chooser[a] > chooser[pick]) pick = a;
      const float y = s.returns[b] + s.discounts[b] * nrow[pick];
      const float qa = q[b * a_size + act[b]];
      const float d = qa - y;
      const float w = s.weights[b];  // 1 without prioritized replay
      td_[b] = d;
      float grad;
      if (huber_) {
        loss += w * (std::abs(d) < 1.0f ? 0.5 * d * d : std::abs(d) - 0.5);
        grad = std::clamp(d, -1.0f, 1.0f);
      } else {
        loss += w * static_cast<double>(d) * d;
        grad = 2.0f * d;
      }
      dq[b * a_size + act[b]] = w * grad / static_cast<float>(b_size);
      q_sum += qa;
    }
    online_mlp_->backward(dq_);
    return {loss / b_size, q_sum / b_size};
  }

  std::vector<std::string> metric_names() const override { return {"loss", "q_mean", "epsilon", "lr", "updates"}; }

  void save(std::ostream& out) const override {
    io::write_pod(out, env_steps_);
    io::write_pod(out, updates_);
    io::write_pod(out, epsilon_);
    io::write_pod(out, rng_.state());
    io::write_string(out, archive_bytes([&](torch::serialize::OutputArchive& a) {
      torch::serialize::OutputArchive q, t, o;
      q_->save(q);
      target_->save(t);
      optimizer_->save(o);
      a.write("q", q);
      a.write("target", t);
      a.write("optimizer", o);
    }));
    replay_.save(out);
  }

  void load(std::istream& in) override {
    env_steps_ = io::read_pod<std::int64_t>(in);
    updates_ = io::read_pod<std::int64_t>(in);
    epsilon_ = io::read_pod<double>(in);
    rng_.set_state(io::read_pod<Rng::State>(in));
    torch::serialize::InputArchive q, t, o;
    read_archive_bytes(io::read_string(in), device_, [&](torch::serialize::InputArchive& a) {
      a.read("q", q);
      a.read("target", t);
      a.read("optimizer", o);
    });
    q_->load(q);
    target_->load(t);
    flat_->relink();  // loading replaced the parameters' storage
    optimizer_->load(o);
    replay_.load(in);
    if (actor_copy_) actor_copy_->sync();
  }

 private:
  torch::Tensor from(const void* data, std::vector<std::int64_t> shape, torch::ScalarType type) const {
    return tensor_from(data, std::move(shape), type, device_);
  }
  torch::Tensor to_device(ConstArrayView obs, std::int64_t n) const { return obs_tensor(obs, n, obs_space_.numel(), device_); }
  torch::Device actor_device() const { return nets::acting_device(device_, actor_copy_.get()); }
  static constexpr int kMetricsEvery = 50;

  const Config& cfg_;
  torch::Device device_;
  Space obs_space_;
  std::int64_t num_actions_;
  std::int64_t total_steps_;
  Rng rng_;
  Replay replay_;
  nets::LrSchedule schedule_;
  EpsilonSchedule epsilon_schedule_;
  int num_envs_;
  std::unique_ptr<nets::QNetworkOptions> opts_;
  std::unique_ptr<QActor> acting_;
  nets::QNetwork q_{nullptr}, target_{nullptr};
  nets::QNetwork actor_{nullptr};  // acts: q_ itself, or its CPU copy when the learner is on an accelerator
  std::unique_ptr<nets::FlatParameters> flat_;
  std::unique_ptr<nets::ActorCopy> actor_copy_;  // with actor_device = "cpu" on an accelerator
  bool amp_ = false;
  std::int64_t phases_ = 0;  // training phases on the autograd path
  std::unique_ptr<nets::MlpBackprop> online_mlp_, target_mlp_, online_eval_;
  torch::Tensor dq_;
  // The two-thread training phase (pipelined_phase), allocated once.
  bool pipeline_ = false;
  std::unique_ptr<WorkerPool> pool_;
  struct {
    std::int64_t batch = 0;
    torch::Tensor obs, next_obs, nq;  // [gradient_steps, batch, ...]
    std::vector<std::int64_t> actions;
    std::vector<float> returns, discounts, ones;
  } phase_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::int64_t learning_starts_ = 0, train_freq_ = 1, gradient_steps_ = 1, target_interval_ = 1;
  double tau_ = 1.0, grad_clip_ = 0.0, epsilon_ = 1.0;
  bool double_q_ = false, huber_ = true;
  std::int64_t env_steps_ = 0, updates_ = 0;
  double beta0_ = 0.4;
  std::vector<float> td_;  // the last batch's TD errors (prioritized replay)
  std::vector<double> row_epsilon_;  // [agent] apex_epsilons: per env (sync acting), else empty
  Metric metrics_[2];
  Metric status_[3];
};

const bool kRegistered = register_agent("dqn", "DQN with target network, double Q, dueling heads and n-step returns",
                                        dqn_keys(), [](const AgentContext& ctx) { return make_dqn(ctx); },
                                        // SB3's: Adam lr 1e-4, gradient norm 10, batch 32, 100 random steps
                                        {{"optimizer.lr", 1e-4}, {"optimizer.grad_clip", 10.0},
                                         {"replay.batch_size", std::int64_t{32}}, {"replay.learning_starts", std::int64_t{100}}});

}  // namespace

std::unique_ptr<Agent> make_dqn(const AgentContext& context) { return std::make_unique<Dqn>(context); }

}  // namespace pavlov::agents
