#include "engine/net/learner_server.h"

#include <array>
#include <utility>  // before Asio: Debian 12's Boost 1.74 uses std::exchange without it
#include <chrono>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "engine/net/protocol.h"
#include "engine/runtime/async_runner.h"

namespace pavlov::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Bytes = std::shared_ptr<const std::vector<std::byte>>;

std::string resolve_token(const std::string& configured) {
  const char* env = std::getenv("PAVLOV_TOKEN");
  return env && *env ? std::string(env) : configured;
}

std::pair<std::string, int> split_host_port(const std::string& address) {
  // "5555" and ":5555" mean the loopback address: nothing is exposed unless a host is named.
  const auto colon = address.rfind(':');
  const std::string host = colon == std::string::npos || colon == 0 ? "127.0.0.1" : address.substr(0, colon);
  const std::string port = colon == std::string::npos ? address : address.substr(colon + 1);
  int p = -1;
  try {
    std::size_t used = 0;
    p = std::stoi(port, &used);
    if (used != port.size()) p = -1;
  } catch (const std::exception&) {
  }
  if (p < 0 || p > 65535) throw std::invalid_argument("'" + port + "' is not a port number (0-65535)");
  return {host, p};
}

namespace {
Bytes message(MessageType type, const std::vector<std::byte>& payload) {
  return std::make_shared<const std::vector<std::byte>>(encode(type, payload));
}
}  // namespace

struct Session;

struct LearnerServer::Impl {
  ServerOptions options;
  AsyncRunner& runner;
  std::function<void(const std::string&)> log;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer ticker{io};
  std::set<std::shared_ptr<Session>> sessions;
  std::vector<int> column_owner;  // per remote column: session id, or -1
  int next_id = 1;
  std::int64_t sent_version = 0;
  Bytes weights;  // the latest version, encoded once for every session
  mutable std::mutex stats_mutex;
  ServerStats stats;
  std::thread thread;

  Impl(ServerOptions o, AsyncRunner& r, std::function<void(const std::string&)> l)
      : options(std::move(o)), runner(r), log(std::move(l)), column_owner(options.columns, -1) {}

  void count(std::int64_t ServerStats::*field) {
    std::lock_guard lock(stats_mutex);
    ++(stats.*field);
  }
  void accept();
  void tick();
  // A contiguous range of n free columns (first fit), or -1.
  int allocate(int n, int owner) {
    for (int start = 0; start + n <= options.columns; ++start) {
      bool free = true;
      for (int c = start; c < start + n && free; ++c) free = column_owner[c] < 0;
      if (!free) continue;
      for (int c = start; c < start + n; ++c) column_owner[c] = owner;
      return start;
    }
    return -1;
  }
  void release(int start, int n) {
    for (int c = start; c < start + n; ++c) column_owner[c] = -1;
    // A block of 0 steps tells the learner the columns' writer left (the queue keeps the order).
    Experience leave;
    leave.first_env = options.first_column + start;
    leave.num_envs = n;
    leave.steps = 0;
    stall_safe_push(std::move(leave));
  }
  // Pushing waits while the learner's queue is full; sessions' silence during
  // that wait is the server's, not theirs, so their clocks restart after it.
  void stall_safe_push(Experience&& x);
};

struct Session : std::enable_shared_from_this<Session> {
  Session(LearnerServer::Impl& s, tcp::socket sock, int i) : server(s), socket(std::move(sock)), id(i) {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    peer = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  LearnerServer::Impl& server;
  tcp::socket socket;
  int id;
  std::string peer;
  std::array<std::byte, kHeaderSize> header{};
  std::vector<std::byte> payload;
  std::deque<Bytes> out;
  bool writing = false, closing = false, closed = false;
  bool welcomed = false;
  int first = -1, envs = 0, actors = 0;
  Experience shape;  // one block as this actor's hello announced it
  Clock::time_point last_heard = Clock::now(), last_sent = Clock::now();
  std::int64_t version_sent = 0;

  void start() { read_header(); }

  void read_header() {
    asio::async_read(socket, asio::buffer(header), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec) return self->close(ec == asio::error::eof ? "disconnected" : "read failed: " + ec.message());
      Header h;
      try {
        h = decode_header(self->header, self->server.options.max_payload);
      } catch (const ProtocolError& e) {
        return self->close(std::string("bad header: ") + e.what());
      }
      self->payload.resize(h.size);
      asio::async_read(self->socket, asio::buffer(self->payload), [self, h](boost::system::error_code ec2, std::size_t) {
        if (ec2) return self->close("read failed: " + ec2.message());
        try {
          check_payload(h, self->payload);
          self->last_heard = Clock::now();
          self->handle(h.type);
        } catch (const ProtocolError& e) {
          return self->close(std::string("bad message: ") + e.what());
        }
        if (!self->closed && !self->closing) self->read_header();
      });
    });
  }

  void handle(MessageType type) {
    switch (type) {
      case MessageType::kHello: return hello(decode_hello(payload));
      case MessageType::kExperience: return experience();
      case MessageType::kHeartbeat: return;
      case MessageType::kGoodbye: return close("said goodbye");
      default: throw ProtocolError("an actor does not send message type " + std::to_string(static_cast<int>(type)));
    }
  }

  void refuse(const std::string& why) {
    server.count(&ServerStats::refused);
    server.log("remote actor " + peer + " refused: " + why);
    send(message(MessageType::kRefuse, encode_refuse(why)));
    closing = true;  // close once the refusal is written
  }

  void hello(const Hello& h) {
    const ServerOptions& o = server.options;
    if (welcomed) throw ProtocolError("a second hello");
    if (o.token.empty() || h.token != o.token) return refuse(h.token.empty() ? "no token" : "wrong token");
    if (h.env_id != o.env_id) return refuse("env " + h.env_id + ", the learner trains " + o.env_id);
    if (h.observation_space != o.observation_space.to_string() || h.action_space != o.action_space.to_string())
      return refuse("spaces " + h.observation_space + " / " + h.action_space + " differ from the learner's " +
                    o.observation_space.to_string() + " / " + o.action_space.to_string());
    if (h.unroll != static_cast<std::uint32_t>(o.unroll) || h.behaviour_numbers != static_cast<std::uint32_t>(o.behaviour_numbers))
      return refuse("runtime.unroll or the agent differ from the learner's (same experiment file?)");
    if (h.actors < 1 || h.num_envs < h.actors || h.num_envs % h.actors != 0 || h.num_envs > 65536)
      return refuse("num_envs " + std::to_string(h.num_envs) + " does not split over " + std::to_string(h.actors) + " actors");
    const int start = server.allocate(static_cast<int>(h.num_envs), id);
    if (start < 0)
      return refuse("no room: the learner has " + std::to_string(o.columns) + " remote env columns ([runtime] remote_envs) "
                    "and not " + std::to_string(h.num_envs) + " of them free");
    first = start;
    envs = static_cast<int>(h.num_envs);
    actors = static_cast<int>(h.actors);
    shape.shape(o.observation_space, o.action_space, envs / actors, o.unroll, o.behaviour_numbers > 0);
    welcomed = true;
    server.count(&ServerStats::accepted);
    server.log("remote actor " + peer + " joined: " + std::to_string(envs) + " envs in columns " +
               std::to_string(o.first_column + first) + ".." + std::to_string(o.first_column + first + envs - 1));
    send(message(MessageType::kWelcome, encode_welcome({static_cast<std::uint32_t>(o.first_column + first),
                                                        static_cast<std::uint32_t>(id)})));
    if (server.weights) {
      send(server.weights);
      version_sent = server.sent_version;
    }
  }

  void experience() {
    if (!welcomed) throw ProtocolError("experience before hello");
    std::optional<Experience> block = server.runner.free_blocks().pop_for(std::chrono::seconds(0));
    Experience x = block ? std::move(*block) : Experience{};
    try {
      decode_experience(payload, shape, x);
      if (x.actor < 0 || x.actor >= actors) throw ProtocolError("experience from actor " + std::to_string(x.actor));
      check_experience(x, server.options.observation_space, server.options.action_space);
    } catch (...) {
      server.runner.recycle(std::move(x));
      throw;
    }
    x.first_env = server.options.first_column + first + x.actor * (envs / actors);
    server.count(&ServerStats::blocks);
    server.stall_safe_push(std::move(x));
  }

  void send(Bytes bytes) {
    out.push_back(std::move(bytes));
    last_sent = Clock::now();
    if (!writing) write_next();
  }

  void write_next() {
    if (out.empty() || closed) {
      writing = false;
      if (closing) close("refused");
      return;
    }
    writing = true;
    asio::async_write(socket, asio::buffer(*out.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->out.pop_front();
      if (ec) return self->close("write failed: " + ec.message());
      self->write_next();
    });
  }

  void close(const std::string& why) {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    if (welcomed) {
      server.log("remote actor " + peer + " left (" + why + ")");
      server.release(first, envs);
      if (why != "said goodbye") server.count(&ServerStats::dropped);
    } else if (!closing) {
      server.log("remote connection " + peer + " dropped: " + why);
      server.count(&ServerStats::dropped);
    }
    server.sessions.erase(shared_from_this());
  }
};

void LearnerServer::Impl::stall_safe_push(Experience&& x) {
  const auto t0 = Clock::now();
  runner.inbox().push(std::move(x));
  const auto t1 = Clock::now();
  if (t1 - t0 > std::chrono::milliseconds(100))
    for (const auto& s : sessions) s->last_heard = std::max(s->last_heard, t1);
}

void LearnerServer::Impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      auto s = std::make_shared<Session>(*this, std::move(socket), next_id++);
      sessions.insert(s);
      s->start();
    }
    accept();
  });
}

void LearnerServer::Impl::tick() {
  const auto now = Clock::now();
  const auto timeout = std::chrono::duration<double>(options.heartbeat_timeout_s);
  if (runner.version() != sent_version) {  // encode the new version once, send it to whoever is not still busy
    const auto w = runner.board().latest();
    if (w) {
      weights = message(MessageType::kWeights, encode_weights(w->version, w->env_steps, w->values));
      sent_version = w->version;
    }
  }
  const auto all = sessions;  // close() erases
  for (const auto& s : all) {
    if (s->closed) continue;
    if (now - s->last_heard > timeout) {
      s->close("silent for more than " + std::to_string(options.heartbeat_timeout_s) + " s");
      continue;
    }
    if (!s->welcomed || s->closing) continue;
    if (weights && s->version_sent != sent_version && s->out.empty()) {
      s->send(weights);
      s->version_sent = sent_version;
    } else if (now - s->last_sent > timeout / 3) {
      s->send(message(MessageType::kHeartbeat, {}));
    }
  }
  ticker.expires_after(std::chrono::milliseconds(50));
  ticker.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

LearnerServer::LearnerServer(ServerOptions options, AsyncRunner& runner, std::function<void(const std::string&)> log)
    : impl_(std::make_unique<Impl>(std::move(options), runner, std::move(log))) {
  Impl& s = *impl_;
  const auto [host, port] = split_host_port(s.options.listen);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("[runtime] listen: '" + host + "' is not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(tcp::acceptor::reuse_address(true));
  s.acceptor.bind(endpoint, ec);
  if (ec) throw std::runtime_error("cannot listen on " + s.options.listen + ": " + ec.message());
  s.acceptor.listen();
  s.accept();
  s.tick();
  s.thread = std::thread([&s] { s.io.run(); });
}

LearnerServer::~LearnerServer() {
  Impl& s = *impl_;
  asio::post(s.io, [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    s.ticker.cancel();
    const auto all = s.sessions;
    for (const auto& x : all) {
      x->welcomed = false;  // the learner is going away: no leave markers
      x->close("learner stopped");
    }
    s.io.stop();  // handlers still queued (a tick that would re-arm its timer) are dropped with the context
  });
  s.runner.inbox().close();  // a push that waits for room would otherwise hold the thread
  if (s.thread.joinable()) s.thread.join();
}

int LearnerServer::port() const { return impl_->acceptor.local_endpoint().port(); }

ServerStats LearnerServer::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->stats;
}

}  // namespace pavlov::net
