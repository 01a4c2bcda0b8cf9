// DQN (Mnih et al., 2015) and its common extensions: target network (hard
// copy every target_update_interval env steps, or Polyak averaging with
// tau < 1), double DQN (van Hasselt et al., 2016), dueling heads
// ([agent.net] dueling), n-step returns ([replay] n_step), uniform replay
// over vectorized envs, a linear epsilon schedule, Huber or MSE loss.
//
// Scheduling follows Stable-Baselines3: random actions until
// replay.learning_starts env steps, then every train_freq env steps
// gradient_steps updates on batches of replay.batch_size. All step counts are
// env steps of all envs together.
//
// Async runtime (docs/async.md), Ape-X's layout (Horgan et al., 2018): actor
// threads and remote actor processes act with CPU copies of the Q network
// and write their env columns of the learner's replay; with
// [agent] apex_epsilons each env keeps a fixed epsilon from Ape-X's ladder.
//
// [agent] keys: gamma, train_freq, gradient_steps, target_update_interval,
// tau, double_q, loss, exploration_fraction, exploration_initial_eps,
// exploration_final_eps, apex_epsilons (docs/experiments.md).
#pragma once

#include <memory>

#include "engine/runtime/agent.h"

namespace pavlov::agents {

// The DQN agent, built through the agent registry as "dqn".
std::unique_ptr<Agent> make_dqn(const AgentContext& context);

}  // namespace pavlov::agents
