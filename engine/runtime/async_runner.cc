#include "engine/runtime/async_runner.h"

#include <chrono>
#include <cstring>
#include <stdexcept>

#include "engine/env/rng.h"

namespace pavlov {

void run_actor(int actor, int first_env, VectorEnv& venv, Policy& policy, int behaviour_numbers, int unroll,
               std::uint64_t reset_seed, const WeightsBoard& board, ClosableQueue<Experience>& free,
               ClosableQueue<Experience>& out) {
  const Space& os = venv.observation_space();
  const Space& as = venv.action_space();
  const int n = venv.num_envs();
  const std::int64_t obs_bytes = os.numel() * static_cast<std::int64_t>(dtype_size(os.dtype()));
  const std::int64_t act_bytes = as.numel() * static_cast<std::int64_t>(dtype_size(as.dtype()));
  std::vector<std::byte> obs(n * obs_bytes);
  std::memcpy(obs.data(), venv.reset(reset_seed).obs.data, obs.size());
  std::shared_ptr<const Weights> weights;
  while (!weights) {  // the runner publishes before it starts the actors; a remote actor waits for the learner's
    if (out.closed()) return;
    weights = board.latest();
    if (!weights) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  policy.set_weights(weights->values);
  for (;;) {
    std::optional<Experience> block = free.pop();
    if (!block) return;
    if (board.version() != weights->version) {
      weights = board.latest();
      policy.set_weights(weights->values);
    }
    Experience& x = *block;
    if (x.num_envs != n || x.capacity() != unroll || x.obs_bytes != obs_bytes || x.act_bytes != act_bytes ||
        static_cast<int>(x.behaviour.size()) != (behaviour_numbers ? n * unroll : 0))
      x.shape(os, as, n, unroll, behaviour_numbers > 0);
    x.actor = actor;
    x.first_env = first_env;
    x.policy_version = weights->version;
    for (int t = 0; t < unroll; ++t) {
      const std::size_t k = static_cast<std::size_t>(t) * n;
      std::byte* o = x.obs.data() + k * obs_bytes;
      std::memcpy(o, obs.data(), obs.size());
      const ArrayView actions(x.actions.data() + k * act_bytes, as.dtype(), n * as.numel());
      std::span<float> behaviour = x.behaviour.empty() ? std::span<float>() : std::span<float>(x.behaviour).subspan(k, n);
      policy.act(ConstArrayView(o, os.dtype(), n * os.numel()), n, actions, weights->env_steps, behaviour);
      const Batch& b = venv.step(ConstArrayView(actions));
      for (int e = 0; e < n; ++e) {
        const bool done = b.terminated[e] || b.truncated[e];
        const std::byte* next = static_cast<const std::byte*>(done ? b.final_obs.data : b.obs.data) + e * obs_bytes;
        std::memcpy(x.next_obs.data() + (k + e) * obs_bytes, next, obs_bytes);
        x.rewards[k + e] = b.rewards[e];
        x.terminated[k + e] = b.terminated[e];
        x.truncated[k + e] = b.truncated[e];
        x.episode_return[k + e] = done ? b.episode_return[e] : 0.0f;
        x.episode_length[k + e] = done ? b.episode_length[e] : 0;
      }
      std::memcpy(obs.data(), b.obs.data, obs.size());
      x.steps = t + 1;
    }
    policy.finish_block(x);
    if (!out.push(std::move(x))) return;
  }
}

namespace {
int queue_size(const ActorPlan& plan) { return plan.queue > 0 ? plan.queue : 2 * plan.actors; }
// The blocks made up front: the queue's, and one being filled and one at the learner per actor.
int pool_size(const ActorPlan& plan) { return queue_size(plan) + 2 * plan.actors; }
}  // namespace

AsyncRunner::AsyncRunner(Agent& agent, const ActorPlan& plan)
    : agent_(agent),
      plan_(plan),
      behaviour_numbers_(agent.behaviour_numbers()),
      full_(static_cast<std::size_t>(queue_size(plan))),
      free_(static_cast<std::size_t>(pool_size(plan) + 16)) {  // room for blocks remote connections add
  for (int a = 0; a < plan.actors; ++a) {
    auto policy = agent.make_policy(a, plan.actors, plan.envs_per_actor, derive_seed(plan.seed, 0xAC7000 + a));
    if (!policy) throw std::invalid_argument("this agent trains only synchronously ([runtime] mode = \"sync\")");
    policies_.push_back(std::move(policy));
    envs_.push_back(std::make_unique<VectorEnv>(
        plan.env_id, VectorEnvConfig{.num_envs = plan.envs_per_actor,
                                     .threads = std::min(plan.env_threads, plan.envs_per_actor),
                                     .autoreset = AutoresetMode::kSameStep,
                                     .seed = derive_seed(plan.seed, 0xE0000 + a),
                                     .env_options = plan.env_options,
                                     .frame_stack = plan.frame_stack}));
  }
  for (int b = 0; b < pool_size(plan); ++b) free_.push(Experience{});
}

AsyncRunner::~AsyncRunner() { stop(); }

void AsyncRunner::publish(std::int64_t env_steps) {
  board_.publish(board_.version() + 1, env_steps, [&](std::vector<float>& v) { agent_.policy_weights(v); });
}

void AsyncRunner::start(std::int64_t env_steps) {
  publish(env_steps);
  start_without_publishing(env_steps);
}

void AsyncRunner::start_without_publishing(std::int64_t env_steps) {
  for (int a = 0; a < plan_.actors; ++a) {
    threads_.emplace_back([this, a, env_steps] {
      try {
        run_actor(a, a * plan_.envs_per_actor, *envs_[a], *policies_[a], behaviour_numbers_, plan_.unroll,
                  derive_seed(plan_.seed, static_cast<std::uint64_t>(env_steps) * 1024 + a), board_, free_, full_);
      } catch (...) {
        fail(std::current_exception());
      }
    });
  }
}

std::optional<Experience> AsyncRunner::next() { return full_.pop(); }

// Never waits: blocks that remote connections or leave notices added beyond
// the pool's size are simply freed (a learner must not block on its actors).
void AsyncRunner::recycle(Experience&& block) { free_.try_push(std::move(block)); }

void AsyncRunner::fail(std::exception_ptr error) {
  {
    std::lock_guard lock(error_mutex_);
    if (!error_) error_ = error;
  }
  full_.close();
  free_.close();
}

void AsyncRunner::stop() {
  full_.close();
  free_.close();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void AsyncRunner::rethrow_if_failed() {
  std::lock_guard lock(error_mutex_);
  if (error_) std::rethrow_exception(error_);
}

}  // namespace pavlov
