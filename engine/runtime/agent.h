// pavlov::Agent: the interface every learning algorithm implements, and the
// registry that an experiment's `[agent] algo` resolves through.
//
// The trainer (trainer.h) drives an agent with plain arrays, so this header
// and the loop need no LibTorch; an agent keeps its networks to itself.
// Per vector step the trainer calls act() on the current observations, steps
// the envs (same-step autoreset: `final_obs` holds the last observation of
// every episode that ended), calls observe() with the result, then train().
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/value.h"
#include "engine/env/space.h"
#include "engine/env/vector_env.h"

namespace pavlov {

class Config;
struct Experience;

// A named number an agent reports (loss, epsilon, ...).
struct Metric {
  std::string_view name;
  double value = 0.0;
};

// What a viewer shows of the agent's greedy decision for one observation.
// An agent's saliency map: `values` over a cols x rows grid (row-major).
struct SaliencyMap {
  int cols = 0, rows = 0;
  std::vector<float> values;
};

struct ActionInsight {
  std::string kind;           // "Q": action values, "p": action probabilities, "mean": mean action; "": nothing to show
  std::vector<float> values;  // one per discrete action, or per action dimension
};

struct AgentContext {
  const Config& config;
  Space observation_space;
  Space action_space;
  int num_envs = 1;
  std::string device;        // "cpu" or "cuda", resolved from experiment.device
  std::uint64_t seed = 0;
  std::int64_t total_steps = 0;  // env steps of the whole run
};

// An actor's own copy of an agent's behaviour policy, for the async runtime
// (engine/runtime/async_runner.h): each actor thread, or remote actor
// process, acts with one, and loads the learner's weights whenever a newer
// version is published. It lives on the CPU and allocates nothing per act().
class Policy {
 public:
  virtual ~Policy() = default;
  // One exploring action per row, as Agent::act with explore would choose it
  // `env_steps` into the run (schedules such as epsilon follow the learner's
  // count). `behaviour` gets one number per row when the agent asked for it
  // (Agent::behaviour_numbers, e.g. the action's log-probability), else it is empty.
  virtual void act(ConstArrayView obs, std::int64_t n, ArrayView actions, std::int64_t env_steps,
                   std::span<float> behaviour) = 0;
  // The learner's weights, as Agent::policy_weights wrote them.
  virtual void set_weights(std::span<const float> weights) = 0;
  // Called with each filled block before it goes to the learner: a last look
  // over all of it (DQN with prioritized replay writes each transition's
  // initial priority into `behaviour`). The default does nothing.
  virtual void finish_block(Experience& block);
};

class Agent {
 public:
  virtual ~Agent() = default;

  // Writes one action per observation row (n rows) into `actions`. With
  // `explore`, the behaviour policy (e.g. epsilon-greedy); without, greedy.
  virtual void act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) = 0;
  // The experience of one vector step: the observations acted on, the actions
  // taken, and what the envs returned.
  virtual void observe(ConstArrayView obs, ConstArrayView actions, const Batch& result) = 0;
  // Learns if it is time, given the env steps taken so far (all envs
  // together). Returns the metrics of the updates it made (empty if none).
  virtual std::span<const Metric> train(std::int64_t env_steps) = 0;
  // Numbers worth logging on every metrics row whether or not it learned.
  virtual std::span<const Metric> status() = 0;
  // The names train() and status() report, in column order (for metrics.csv).
  virtual std::vector<std::string> metric_names() const = 0;

  // The async runtime. An agent that supports it returns a policy for actor
  // `actor` of `actors`, which steps `envs` envs, seeded with `seed`; the
  // default, nullptr, means it trains only synchronously.
  virtual std::unique_ptr<Policy> make_policy(int actor, int actors, int envs, std::uint64_t seed);
  // The weights its policies load, flattened (called by the learner thread).
  virtual void policy_weights(std::vector<float>& out);
  // Numbers per transition its policies record for the learner (0 or 1).
  virtual int behaviour_numbers() const { return 0; }
  // observe() for the envs that an actor stepped: they are the columns
  // [first_env, first_env + result.size) of the agent's num_envs, and
  // `behaviour` holds their policy's numbers (if any).
  virtual void observe_columns(int first_env, ConstArrayView obs, ConstArrayView actions, const Batch& result,
                               std::span<const float> behaviour);

  // The writer of columns [first_env, first_env + n) left (a remote actor
  // disconnected); a later one will continue them. The default does nothing.
  virtual void release_columns(int first_env, int n);

  // Called before the first greedy act() of an episode (evaluation, `pavlov
  // watch`, the live view): an agent with memory (a recurrent policy) clears
  // the memory its greedy acting carries. The default does nothing.
  virtual void start_greedy_episode() {}

  // The numbers behind the greedy action for one observation (for `pavlov
  // watch` and the live view; not on a hot path). The default shows nothing.
  virtual ActionInsight insight(ConstArrayView obs);
  // Which parts of one observation move the greedy choice: the magnitude of
  // the gradient of the greedy action's value (DQN: max_a Q(obs, a)) with
  // respect to each observation element, an image's channels reduced by
  // their maximum to its grid (image_layout). `pavlov explain` draws it. The
  // default has none (cols = 0).
  virtual SaliencyMap saliency(ConstArrayView obs);

  // Everything needed to continue exactly: weights, optimizer, replay, RNGs, counters.
  virtual void save(std::ostream& out) const = 0;
  virtual void load(std::istream& in) = 0;
};

using AgentFactory = std::function<std::unique_ptr<Agent>(const AgentContext&)>;

// Registers an agent: its factory, its [agent] keys in the Catalog, and the
// defaults it brings for keys of other tables ({"optimizer.lr", 3e-4}, ...).
bool register_agent(const std::string& name, const std::string& summary, std::vector<KeySpec> keys, AgentFactory factory,
                    std::vector<std::pair<std::string, ConfigValue>> defaults = {});
// Builds the agent `name`; throws std::invalid_argument if unknown.
std::unique_ptr<Agent> make_agent(const std::string& name, const AgentContext& context);

}  // namespace pavlov
