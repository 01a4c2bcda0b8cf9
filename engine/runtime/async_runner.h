// pavlov::AsyncRunner: the actor side of the async runtime ([runtime] mode =
// "async"). K actor threads each own a slice of the experiment's envs (a
// VectorEnv of num_envs / K) and a CPU copy of the agent's policy
// (Agent::make_policy); they act, step, and hand blocks of `unroll` vector
// steps (Experience) to the learner through a bounded, closable queue. The
// learner thread (the Trainer) feeds each block to the agent, trains, and
// publishes versioned weights on a WeightsBoard, which actors pick up
// between blocks without ever blocking the learner. Each block records the
// policy version that produced it, so the learner can log the policy lag.
//
// Shutdown is one path: stop() closes both queues, which wakes every
// blocked thread, and joins the actors. An exception in an actor thread is
// kept, the queues close, next() returns nothing, and rethrow() raises it in
// the learner's thread, which checkpoints and reports it: never a hang or a
// silent death.
//
// Async runs are not deterministic (the learner sees the actors' blocks in
// the order they arrive); sync runs stay the reference.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/env/options.h"
#include "engine/env/vector_env.h"
#include "engine/runtime/agent.h"
#include "engine/runtime/closable_queue.h"
#include "engine/runtime/experience.h"
#include "engine/runtime/weights_board.h"

namespace pavlov {

class Config;

struct ActorPlan {
  std::string env_id;
  OptionMap env_options;
  int frame_stack = 1;
  int actors = 1;          // threads
  int envs_per_actor = 1;  // each actor's VectorEnv
  int env_threads = 1;     // threads stepping each actor's envs (1: the actor's own)
  int unroll = 16;         // vector steps per block
  int queue = 0;           // blocks waiting for the learner at most (0: 2 per actor)
  std::uint64_t seed = 0;
};

// The actors of cfg's [runtime] (actors, unroll, queue) over its [env]: the
// env.num_envs envs split evenly, seeded from experiment.seed.
ActorPlan actor_plan_from(const Config& cfg);

// One actor's loop, shared by the learner's actor threads and by remote actor
// processes (`pavlov actor`): until `out` or `free` closes, takes an empty
// block from `free`, loads newer weights from `board` (waits for the first),
// records `unroll` steps of `venv` acted by `policy`, pushes it to `out`.
// Steps' experience lands in env columns first_env .. first_env + N - 1.
void run_actor(int actor, int first_env, VectorEnv& venv, Policy& policy, int behaviour_numbers, int unroll,
               std::uint64_t reset_seed, const WeightsBoard& board, ClosableQueue<Experience>& free,
               ClosableQueue<Experience>& out);

class AsyncRunner {
 public:
  // Builds the actors' envs and policies (throws std::invalid_argument when
  // the agent cannot act asynchronously). Nothing runs before start().
  AsyncRunner(Agent& agent, const ActorPlan& plan);
  ~AsyncRunner();  // stop()

  // Publishes the agent's weights and starts the actors; `env_steps` seeds
  // their resets, so a resumed run does not replay the same episodes.
  void start(std::int64_t env_steps);
  // Starts the actors without publishing: they wait until weights arrive on
  // the board from elsewhere (a remote actor process's, from the learner).
  void start_without_publishing(std::int64_t env_steps);
  // The next block from any actor (local or remote); nothing once stopped or failed.
  std::optional<Experience> next();
  // Gives a used block back to the actors.
  void recycle(Experience&& block);
  // The learner's new weights for the actors (called after training).
  void publish(std::int64_t env_steps);
  std::int64_t version() const { return board_.version(); }
  // Closes the queues and joins every actor thread.
  void stop();
  // Raises the first error an actor thread had, if any.
  void rethrow_if_failed();
  // Records an error from another thread of the run (remote actors'
  // server) and shuts the actors down.
  void fail(std::exception_ptr error);

  ClosableQueue<Experience>& inbox() { return full_; }
  ClosableQueue<Experience>& free_blocks() { return free_; }
  WeightsBoard& board() { return board_; }
  int local_envs() const { return plan_.actors * plan_.envs_per_actor; }
  const Space& observation_space() const { return envs_.front()->observation_space(); }
  const Space& action_space() const { return envs_.front()->action_space(); }

 private:
  Agent& agent_;
  ActorPlan plan_;
  int behaviour_numbers_ = 0;
  std::vector<std::unique_ptr<VectorEnv>> envs_;
  std::vector<std::unique_ptr<Policy>> policies_;
  WeightsBoard board_;
  ClosableQueue<Experience> full_, free_;
  std::vector<std::thread> threads_;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace pavlov
