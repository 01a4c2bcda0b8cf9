// The actor side of remote acting (`pavlov actor EXPERIMENT --connect
// HOST:PORT`; docs/protocol.md). The process runs actor threads exactly as
// the learner's own (engine/runtime/async_runner.h: run_actor) on the same
// experiment's envs and policy, and one connection to the learner: a hello,
// then experience blocks out and weights in, heartbeats both ways.
//
// When the learner goes away (closed, unreachable, silent past the heartbeat
// timeout) the process reconnects with exponential backoff (0.2 s doubling to
// 5 s) and goes on; blocks recorded meanwhile wait in the bounded queue
// (actors pause when it is full). A refusal (wrong token, another env, no
// room) is final: the learner would refuse again.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "engine/runtime/async_runner.h"

namespace pavlov::net {

struct RemoteActorOptions {
  std::string host;
  int port = 0;
  std::string token;
  std::uint32_t max_payload = 64u << 20;
  double heartbeat_timeout_s = 10.0;
  const std::atomic<bool>* stop = nullptr;        // set (Ctrl-C) to say goodbye and return
  std::function<void(const std::string&)> log;   // one line per connection event
};

// The learner refused this actor; what() is its reason.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs plan.actors actor threads of `agent`'s policies until stopped.
// Returns the blocks sent; throws Refused, or the first actor thread's error.
std::int64_t run_remote_actors(Agent& agent, const ActorPlan& plan, const RemoteActorOptions& options);

}  // namespace pavlov::net
