// pavlov::net::LearnerServer: the learner's door for remote actors
// ([runtime] listen = "127.0.0.1:5555"; docs/protocol.md).
//
// One Boost.Asio thread serves every connection asynchronously. An actor
// process says hello (protocol version, token, env id and spaces, its envs);
// the server checks each, assigns it a free range of the learner's remote env
// columns, answers welcome and sends the latest weights, then sends every new
// version as the learner publishes it. Experience blocks are checked (sizes,
// actions, finite numbers), placed in the actor's columns and queued for the
// learner like a local actor's (AsyncRunner::inbox). When a connection ends
// for any reason the server queues a block of 0 steps for its columns
// (Trainer: Agent::release_columns), so that a later actor's steps in them do
// not continue the leaver's episodes.
//
// Faults drop the connection that caused them, with a line in the log, and
// nothing else: garbage, a wrong size or checksum, an oversize payload, a
// wrong protocol version, a wrong token (refused), a mismatched env, or
// silence past the heartbeat timeout.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/env/space.h"

namespace pavlov {
class AsyncRunner;
}

namespace pavlov::net {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port (port 0: any free port)
  std::string token;                   // required in every hello
  std::uint32_t max_payload = 64u << 20;
  double heartbeat_timeout_s = 10.0;
  int first_column = 0, columns = 0;   // the learner's env columns for remote actors
  std::string env_id;
  Space observation_space, action_space;
  int unroll = 16;
  int behaviour_numbers = 0;
};

struct ServerStats {
  std::int64_t accepted = 0, refused = 0, dropped = 0, blocks = 0;
};

class LearnerServer {
 public:
  // Binds and starts serving (throws std::runtime_error when it cannot bind).
  // `log` receives one line per connection event (from the server's thread).
  LearnerServer(ServerOptions options, AsyncRunner& runner, std::function<void(const std::string&)> log);
  ~LearnerServer();  // closes every connection, stops the thread

  int port() const;  // the bound port
  ServerStats stats() const;

  struct Impl;  // public so that its connections (in the .cc) can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// The token in force: the environment variable PAVLOV_TOKEN when set, else `configured` ([runtime] token).
std::string resolve_token(const std::string& configured);

// "host:port" -> (host, port); "port" or ":port" -> ("127.0.0.1", port).
// Throws std::invalid_argument with the reason.
std::pair<std::string, int> split_host_port(const std::string& address);

}  // namespace pavlov::net
