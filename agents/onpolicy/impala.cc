// IMPALA (Espeholt et al., 2018): an actor-critic whose learner corrects for
// the lag between the policy that acted (mu, an actor's copy) and the one it
// trains (pi) with V-trace (vtrace.h). Discrete actions.
//
// Trajectories are [runtime] unroll vector steps long. Synchronously the
// agent acts itself and learns from each trajectory of all its envs once it
// is complete (pi = mu up to the update: V-trace is then the n-step return).
// In the async runtime each actor's block is a trajectory of its slice of
// envs, recorded with the behaviour log-probabilities log mu(a|x) of the
// policy version it had; the learner makes one update per block.
//
// Loss (per trajectory, means over its T x n steps):
//   -log pi(a_t|x_t) * A_t  +  vf_coef * 0.5 * (v_t - V(x_t))^2  -  ent_coef * H(pi(.|x_t))
// with the V-trace targets v_t and advantages A_t held constant.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/common/tensors.h"
#include "agents/onpolicy/vtrace.h"
#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/io/binary.h"
#include "engine/runtime/agent.h"
#include "nets/actor_critic.h"
#include "nets/flat_parameters.h"
#include "nets/flush_denormals.h"
#include "nets/optim.h"

namespace pavlov::agents {
namespace {

std::vector<KeySpec> impala_keys() {
  auto f = [](std::string name, double def, std::string help, double min, double max) {
    return KeySpec{.name = std::move(name), .type = KeyType::kFloat, .default_value = def, .help = std::move(help), .min = min, .max = max};
  };
  return {f("gamma", 0.99, "discount factor", 0.0, 1.0),
          f("ent_coef", 0.01, "weight of the entropy bonus", 0.0, 1e3),
          f("vf_coef", 0.5, "weight of the value loss", 0.0, 1e3),
          f("rho_bar", 1.0, "V-trace: truncation of the importance weights in the TD errors (the fixed point's policy)", 0.0, 1e6),
          f("c_bar", 1.0, "V-trace: truncation of the traces (how far corrections flow back)", 0.0, 1e6),
          f("lambda", 1.0, "V-trace: trace decay", 0.0, 1.0),
          {.name = "ortho_init", .type = KeyType::kBool, .default_value = true,
           .help = "orthogonal initialisation (gain sqrt 2 torso, 0.01 policy head, 1 value head)"}};
}

nets::ActorCriticOptions impala_net_options(const Config& cfg, const Space& obs_space, std::int64_t actions) {
  return nets::actor_critic_options_from(cfg, obs_space, actions, false).ortho_init(cfg.get_bool("agent.ortho_init"));
}

// Acting with one policy network on the CPU: a sample from the softmax of
// the logits (recording its log-probability), or the argmax. The agent's own
// network acts synchronously; each async actor has an ImpalaPolicy.
class CategoricalActor {
 public:
  CategoricalActor(nets::ActorCritic net, std::int64_t obs_numel) : net_(std::move(net)), obs_numel_(obs_numel) {}

  void act(Rng& rng, bool explore, ConstArrayView obs, std::int64_t n, std::int64_t first_action, std::int64_t* out,
           float* log_probs) {
    torch::NoGradGuard no_grad;  // per thread: actors set it too
    const torch::Tensor logits = net_->forward(obs_tensor(obs, n, obs_numel_, torch::kCPU)).first.contiguous();
    const std::int64_t a_size = logits.size(1);
    const float* l = logits.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i) {
      const float* row = l + i * a_size;
      std::int64_t pick = std::max_element(row, row + a_size) - row;
      const float m = row[pick];
      float s = 0.0f;
      for (std::int64_t j = 0; j < a_size; ++j) s += std::exp(row[j] - m);
      if (explore) {
        float u = static_cast<float>(rng.uniform()) * s;
        pick = a_size - 1;
        for (std::int64_t j = 0; j < a_size; ++j)
          if ((u -= std::exp(row[j] - m)) < 0.0f) {
            pick = j;
            break;
          }
      }
      if (log_probs) log_probs[i] = row[pick] - m - std::log(s);
      out[i] = pick + first_action;
    }
  }

  nets::ActorCritic& net() { return net_; }

 private:
  nets::ActorCritic net_;
  std::int64_t obs_numel_;
};

class ImpalaPolicy : public Policy {
 public:
  ImpalaPolicy(const nets::ActorCriticOptions& opts, const Space& obs_space, std::int64_t first_action, std::uint64_t seed)
      : rng_(seed), actor_(nets::ActorCritic(opts), obs_space.numel()), flat_(actor_.net()->parameters()),
        first_action_(first_action) {}

  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, std::int64_t, std::span<float> behaviour) override {
    actor_.act(rng_, true, obs, n, first_action_, actions.as<std::int64_t>(), behaviour.data());
  }
  void set_weights(std::span<const float> w) override {
    torch::Tensor& f = flat_.flat();
    if (static_cast<std::int64_t>(w.size()) != f.numel())
      throw std::invalid_argument("IMPALA policy: " + std::to_string(w.size()) + " weights for a network of " +
                                  std::to_string(f.numel()));
    std::copy(w.begin(), w.end(), f.data_ptr<float>());
  }

 private:
  Rng rng_;
  CategoricalActor actor_;
  nets::FlatParameters flat_;
  std::int64_t first_action_;
};

class Impala : public Agent {
 public:
  explicit Impala(const AgentContext& ctx)
      : cfg_(ctx.config),
        obs_space_(ctx.observation_space),
        first_action_(ctx.action_space.is_discrete() ? ctx.action_space.start() : 0),
        num_envs_(ctx.num_envs),
        steps_(static_cast<int>(cfg_.get_int("runtime.unroll"))),
        obs_numel_(ctx.observation_space.numel()),
        total_steps_(ctx.total_steps),
        rng_(derive_seed(ctx.seed, 0x1A9A1A)),
        schedule_(cfg_),
        gamma_(cfg_.get_float("agent.gamma")),
        lambda_(cfg_.get_float("agent.lambda")),
        rho_bar_(cfg_.get_float("agent.rho_bar")),
        c_bar_(cfg_.get_float("agent.c_bar")),
        vf_coef_(cfg_.get_float("agent.vf_coef")),
        ent_coef_(cfg_.get_float("agent.ent_coef")),
        grad_clip_(cfg_.get_float("optimizer.grad_clip")) {
    if (!ctx.action_space.is_discrete())
      throw std::invalid_argument("impala needs a discrete action space, got " + ctx.action_space.to_string());
    if (ctx.device != "cpu")  // the update is small and latency-bound; see docs/async.md
      throw std::invalid_argument("impala's learner runs on the CPU here: set [experiment] device = \"cpu\"");
    torch::manual_seed(derive_seed(ctx.seed, 0x7E7));
    opts_ = std::make_unique<nets::ActorCriticOptions>(impala_net_options(cfg_, obs_space_, ctx.action_space.n()));
    actor_ = std::make_unique<CategoricalActor>(nets::ActorCritic(*opts_), obs_numel_);
    flat_ = std::make_unique<nets::FlatParameters>(net()->parameters());
    optimizer_ = nets::make_optimizer(cfg_, {flat_->flat()});
    const std::size_t cells = static_cast<std::size_t>(steps_) * num_envs_;
    obs_.assign(cells * obs_numel_, 0.0f);
    next_obs_.assign(cells * obs_numel_, 0.0f);
    actions_.assign(cells, 0);
    behaviour_.assign(cells, 0.0f);
    rewards_.assign(cells, 0.0f);
    terminated_.assign(cells, 0);
    truncated_.assign(cells, 0);
    filled_.assign(num_envs_, 0);
    act_log_probs_.assign(num_envs_, 0.0f);
  }

  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) override {
    if (static_cast<std::int64_t>(act_log_probs_.size()) < n) act_log_probs_.resize(n);
    actor_->act(rng_, explore, obs, n, first_action_, actions.as<std::int64_t>(), act_log_probs_.data());
  }

  ActionInsight insight(ConstArrayView obs) override {
    torch::NoGradGuard no_grad;
    const torch::Tensor p = torch::softmax(net()->forward(obs_tensor(obs, 1, obs_numel_, torch::kCPU)).first, 1).contiguous();
    return {"p", {p.data_ptr<float>(), p.data_ptr<float>() + p.numel()}};
  }

  void observe(ConstArrayView obs, ConstArrayView actions, const Batch& result) override {
    observe_columns(0, obs, actions, result, std::span<const float>(act_log_probs_).first(result.size));
  }

  std::unique_ptr<Policy> make_policy(int, int, int, std::uint64_t seed) override {
    return std::make_unique<ImpalaPolicy>(*opts_, obs_space_, first_action_, seed);
  }
  void policy_weights(std::vector<float>& out) override {
    const torch::Tensor& w = flat_->flat();
    out.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  }
  int behaviour_numbers() const override { return 1; }

  void observe_columns(int first_env, ConstArrayView obs, ConstArrayView actions, const Batch& b,
                       std::span<const float> behaviour) override {
    if (first_env < 0 || first_env + b.size > num_envs_ || static_cast<std::int64_t>(behaviour.size()) != b.size)
      throw std::invalid_argument("impala: experience for envs the agent does not have, or without log-probabilities");
    const int t = filled_[first_env];
    for (std::int64_t i = 0; i < b.size; ++i) {
      const int e = first_env + static_cast<int>(i);
      const std::size_t k = static_cast<std::size_t>(t) * num_envs_ + e;
      const bool done = b.terminated[i] || b.truncated[i];
      to_float(obs, i, &obs_[k * obs_numel_]);
      to_float(done ? ConstArrayView(b.final_obs) : ConstArrayView(b.obs), i, &next_obs_[k * obs_numel_]);
      actions_[k] = actions.as<std::int64_t>()[i] - first_action_;
      behaviour_[k] = behaviour[i];
      rewards_[k] = b.rewards[i];
      terminated_[k] = b.terminated[i];
      truncated_[k] = b.truncated[i];
      filled_[e] = t + 1;
    }
    if (t + 1 == steps_) ready_.push_back({first_env, static_cast<int>(b.size)});
  }

  // A remote actor left: drop what it began (blocks arrive whole, so nothing, normally).
  void release_columns(int first_env, int n) override {
    for (int e = first_env; e < first_env + n && e < num_envs_; ++e) filled_[e] = 0;
  }

  std::span<const Metric> train(std::int64_t env_steps) override {
    env_steps_ = env_steps;
    if (ready_.empty()) return {};
    const nets::FlushDenormals no_subnormals;
    schedule_.apply(*optimizer_, static_cast<double>(env_steps) / std::max<std::int64_t>(1, total_steps_));
    double sums[4] = {0, 0, 0, 0};
    for (const auto& [first, n] : ready_) {
      const Stats s = update(first, n);
      sums[0] += s.policy_loss;
      sums[1] += s.value_loss;
      sums[2] += s.entropy;
      sums[3] += s.rho;
      for (int e = first; e < first + n; ++e) filled_[e] = 0;
    }
    const double k = static_cast<double>(ready_.size());
    ready_.clear();
    metrics_[0] = {"policy_loss", sums[0] / k};
    metrics_[1] = {"value_loss", sums[1] / k};
    metrics_[2] = {"entropy", sums[2] / k};
    metrics_[3] = {"rho_mean", sums[3] / k};
    return metrics_;
  }

  std::span<const Metric> status() override {
    status_[0] = {"lr", schedule_.at(static_cast<double>(env_steps_) / std::max<std::int64_t>(1, total_steps_))};
    status_[1] = {"updates", static_cast<double>(updates_)};
    return status_;
  }
  std::vector<std::string> metric_names() const override {
    return {"policy_loss", "value_loss", "entropy", "rho_mean", "lr", "updates"};
  }

  void save(std::ostream& out) const override {
    io::write_pod(out, env_steps_);
    io::write_pod(out, updates_);
    io::write_pod(out, rng_.state());
    for (const auto* v : {&obs_, &next_obs_, &behaviour_, &rewards_}) io::write_vector(out, *v);
    io::write_vector(out, actions_);
    io::write_vector(out, terminated_);
    io::write_vector(out, truncated_);
    io::write_vector(out, filled_);
    io::write_string(out, archive_bytes([&](torch::serialize::OutputArchive& a) {
      torch::serialize::OutputArchive model, opt;
      actor_->net()->save(model);
      optimizer_->save(opt);
      a.write("model", model);
      a.write("optimizer", opt);
    }));
  }

  void load(std::istream& in) override {
    env_steps_ = io::read_pod<std::int64_t>(in);
    updates_ = io::read_pod<std::int64_t>(in);
    rng_.set_state(io::read_pod<Rng::State>(in));
    auto same = [](auto& dst, auto src) {
      if (src.size() != dst.size()) throw std::runtime_error("the checkpoint's IMPALA trajectories have other shapes");
      dst = std::move(src);
    };
    for (auto* v : {&obs_, &next_obs_, &behaviour_, &rewards_}) same(*v, io::read_vector<float>(in));
    same(actions_, io::read_vector<std::int64_t>(in));
    same(terminated_, io::read_vector<std::uint8_t>(in));
    same(truncated_, io::read_vector<std::uint8_t>(in));
    same(filled_, io::read_vector<int>(in));
    torch::serialize::InputArchive model, opt;
    read_archive_bytes(io::read_string(in), torch::kCPU, [&](torch::serialize::InputArchive& a) {
      a.read("model", model);
      a.read("optimizer", opt);
    });
    actor_->net()->load(model);
    flat_->relink();
    optimizer_->load(opt);
  }

 private:
  struct Stats {
    double policy_loss, value_loss, entropy, rho;
  };

  nets::ActorCritic& net() { return actor_->net(); }

  void to_float(ConstArrayView src, std::int64_t row, float* dst) const {
    if (src.dtype == DType::kUInt8) {
      const std::uint8_t* s = src.as<std::uint8_t>() + row * obs_numel_;
      for (std::int64_t j = 0; j < obs_numel_; ++j) dst[j] = s[j];
    } else {
      std::memcpy(dst, src.as<float>() + row * obs_numel_, obs_numel_ * sizeof(float));
    }
  }

  // One gradient step on the trajectories of envs [first, first + n).
  Stats update(int first, int n) {
    const std::int64_t T = steps_, N = num_envs_, D = obs_numel_;
    auto columns = [&](std::vector<float>& v, std::int64_t width) {
      return torch::from_blob(v.data(), {T, N, width}, torch::kFloat32).narrow(1, first, n).reshape({T * n, width});
    };
    const torch::Tensor obs = columns(obs_, D), next_obs = columns(next_obs_, D);
    const torch::Tensor actions =
        torch::from_blob(actions_.data(), {T, N}, torch::kInt64).narrow(1, first, n).reshape({T * n, 1});
    const torch::Tensor behaviour = columns(behaviour_, 1).reshape({T * n});
    auto contiguous = [&](const auto& v, torch::ScalarType type) {
      return torch::from_blob(const_cast<void*>(static_cast<const void*>(v.data())), {T, N}, type).narrow(1, first, n).contiguous();
    };
    const torch::Tensor rewards = contiguous(rewards_, torch::kFloat32);
    const torch::Tensor terminated = contiguous(terminated_, torch::kUInt8), truncated = contiguous(truncated_, torch::kUInt8);

    const auto [logits, values] = net()->forward(obs);
    torch::Tensor next_values;
    {
      torch::NoGradGuard no_grad;
      next_values = net()->value(next_obs).contiguous();
    }
    const torch::Tensor log_pi = torch::log_softmax(logits, 1);
    const torch::Tensor log_prob = log_pi.gather(1, actions).squeeze(1);
    const torch::Tensor log_rhos = (log_prob.detach() - behaviour).contiguous();
    const torch::Tensor v_detached = values.detach().contiguous();
    torch::Tensor targets = torch::empty({T * n}), advantages = torch::empty({T * n});
    const auto span = [](const torch::Tensor& t) {
      return std::span<const float>(t.data_ptr<float>(), static_cast<std::size_t>(t.numel()));
    };
    compute_vtrace({.steps = static_cast<int>(T), .envs = n, .log_rhos = span(log_rhos), .rewards = span(rewards),
                    .values = span(v_detached), .next_values = span(next_values),
                    .terminated = {terminated.data_ptr<std::uint8_t>(), static_cast<std::size_t>(T * n)},
                    .truncated = {truncated.data_ptr<std::uint8_t>(), static_cast<std::size_t>(T * n)},
                    .gamma = gamma_, .lambda = lambda_, .rho_bar = rho_bar_, .c_bar = c_bar_},
                   {targets.data_ptr<float>(), static_cast<std::size_t>(T * n)},
                   {advantages.data_ptr<float>(), static_cast<std::size_t>(T * n)});
    const torch::Tensor policy_loss = -(log_prob * advantages).mean();
    const torch::Tensor value_loss = 0.5 * (values - targets).pow(2).mean();
    const torch::Tensor entropy = -(log_pi.exp() * log_pi).sum(1).mean();
    const torch::Tensor loss = policy_loss + vf_coef_ * value_loss - ent_coef_ * entropy;
    flat_->zero_grad();
    loss.backward();
    flat_->clip_grad_norm(grad_clip_);
    nets::optimizer_step(*optimizer_);
    ++updates_;
    return {policy_loss.item<double>(), value_loss.item<double>(), entropy.item<double>(),
            log_rhos.exp().clamp_max(rho_bar_).mean().item<double>()};
  }

  const Config& cfg_;
  Space obs_space_;
  std::int64_t first_action_;
  int num_envs_, steps_;
  std::int64_t obs_numel_, total_steps_;
  Rng rng_;
  nets::LrSchedule schedule_;
  double gamma_, lambda_, rho_bar_, c_bar_, vf_coef_, ent_coef_, grad_clip_;
  std::unique_ptr<nets::ActorCriticOptions> opts_;
  std::unique_ptr<CategoricalActor> actor_;  // its network is the learner's
  std::unique_ptr<nets::FlatParameters> flat_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  // Trajectories being filled, [T, num_envs] per column; filled_[e] steps so far.
  std::vector<float> obs_, next_obs_, behaviour_, rewards_;
  std::vector<std::int64_t> actions_;
  std::vector<std::uint8_t> terminated_, truncated_;
  std::vector<int> filled_;
  std::vector<std::pair<int, int>> ready_;  // complete trajectories: (first env, envs)
  std::vector<float> act_log_probs_;        // act()'s, for observe()
  std::int64_t env_steps_ = 0, updates_ = 0;
  Metric metrics_[4];
  Metric status_[2];
};

const bool kRegistered = register_agent(
    "impala", "IMPALA: actor-critic with V-trace off-policy correction (sync, or async actors)", impala_keys(),
    [](const AgentContext& ctx) { return std::make_unique<Impala>(ctx); },
    // Adam, gradient norm 40 (the paper's clipping), 64-64 tanh as PPO's MLP default
    {{"optimizer.lr", 1e-3}, {"optimizer.grad_clip", 40.0}});

}  // namespace
}  // namespace pavlov::agents
