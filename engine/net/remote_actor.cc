#include "engine/net/remote_actor.h"

#include <chrono>
#include <thread>
#include <utility>  // before Asio: Debian 12's Boost 1.74 uses std::exchange without it

#include <boost/asio.hpp>

#include "engine/net/protocol.h"

namespace pavlov::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Reads one message (blocking); throws ProtocolError or boost::system::system_error.
std::pair<MessageType, std::vector<std::byte>> read_message(tcp::socket& socket, std::uint32_t max_payload) {
  std::array<std::byte, kHeaderSize> header;
  asio::read(socket, asio::buffer(header));
  const Header h = decode_header(header, max_payload);
  std::vector<std::byte> payload(h.size);
  asio::read(socket, asio::buffer(payload));
  check_payload(h, payload);
  return {h.type, std::move(payload)};
}

// Sleeps `seconds`, waking early when `stop` is set.
void nap(double seconds, const std::atomic<bool>* stop) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until && !(stop && stop->load())) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

std::int64_t run_remote_actors(Agent& agent, const ActorPlan& plan, const RemoteActorOptions& o) {
  const auto stopped = [&] { return o.stop && o.stop->load(); };
  // The actors: as the learner's own, with their own queues and weights board.
  AsyncRunner runner(agent, plan);
  WeightsBoard& board_in = runner.board();  // this process publishes what the learner sends
  bool started = false;

  const Space& os = runner.observation_space();
  const Space& as = runner.action_space();
  const Hello hello{o.token, plan.env_id, os.to_string(), as.to_string(),
                    static_cast<std::uint32_t>(plan.actors * plan.envs_per_actor), static_cast<std::uint32_t>(plan.actors),
                    static_cast<std::uint32_t>(plan.unroll), static_cast<std::uint32_t>(agent.behaviour_numbers())};
  const auto hello_bytes = encode(MessageType::kHello, encode_hello(hello));
  const auto heartbeat = encode(MessageType::kHeartbeat, {});
  const auto timeout = std::chrono::duration<double>(o.heartbeat_timeout_s);
  std::int64_t sent = 0;
  double backoff = 0.2;
  asio::io_context io;
  std::vector<std::byte> payload, message;

  while (!stopped()) {
    tcp::socket socket(io);
    try {
      tcp::resolver resolver(io);
      asio::connect(socket, resolver.resolve(o.host, std::to_string(o.port)));
      socket.set_option(tcp::no_delay(true));
      asio::write(socket, asio::buffer(hello_bytes));
      auto [type, reply] = read_message(socket, o.max_payload);
      if (type == MessageType::kRefuse) throw Refused(decode_refuse(reply));
      if (type != MessageType::kWelcome) throw ProtocolError("the learner answered the hello with another message");
      const Welcome w = decode_welcome(reply);
      if (o.log) o.log("joined the learner at " + o.host + ":" + std::to_string(o.port) + " (env columns from " +
                       std::to_string(w.first_env) + ")");
      backoff = 0.2;
    } catch (const Refused&) {
      runner.stop();
      throw;
    } catch (const std::exception& e) {
      if (o.log) o.log("learner at " + o.host + ":" + std::to_string(o.port) + " not reachable (" + e.what() +
                       "); retrying in " + std::to_string(backoff).substr(0, 3) + " s");
      nap(backoff, o.stop);
      backoff = std::min(5.0, backoff * 2);
      continue;
    }

    // Receiving: weights (and heartbeats) until the connection ends.
    std::atomic<bool> alive{true};
    std::atomic<std::int64_t> last_heard{Clock::now().time_since_epoch().count()};
    std::thread receiver([&] {
      try {
        while (alive) {
          auto [type, bytes] = read_message(socket, o.max_payload);
          last_heard = Clock::now().time_since_epoch().count();
          if (type == MessageType::kWeights) {
            const WeightsMessage m = decode_weights(bytes);
            board_in.publish(m.version, m.env_steps, [&](std::vector<float>& v) { v = m.values; });
          } else if (type == MessageType::kRefuse) {
            throw ProtocolError("the learner sent us away: " + decode_refuse(bytes));
          } else if (type != MessageType::kHeartbeat) {
            throw ProtocolError("unexpected message type " + std::to_string(static_cast<int>(type)));
          }
        }
      } catch (const std::exception& e) {
        if (alive.exchange(false) && o.log) o.log(std::string("connection lost: ") + e.what());
      }
    });
    if (!started) {
      runner.start_without_publishing(0);  // the actors wait for the learner's first weights
      started = true;
    }
    // Sending: blocks as they come, a heartbeat when there is nothing to say.
    try {
      while (alive && !stopped()) {
        if (Clock::now() - Clock::time_point(Clock::duration(last_heard.load())) > timeout)
          throw ProtocolError("the learner is silent");
        std::optional<Experience> block = runner.inbox().pop_for(timeout / 3);
        if (runner.inbox().closed() && !block) {  // an actor thread failed
          runner.stop();
          runner.rethrow_if_failed();
          return sent;
        }
        if (block) {
          encode_experience(*block, payload);
          encode(MessageType::kExperience, payload, message);
          runner.recycle(std::move(*block));
          asio::write(socket, asio::buffer(message));
          ++sent;
        } else {
          asio::write(socket, asio::buffer(heartbeat));
        }
      }
      if (stopped()) asio::write(socket, asio::buffer(encode(MessageType::kGoodbye, {})));
    } catch (const std::exception& e) {
      if (alive.exchange(false) && o.log) o.log(std::string("connection lost: ") + e.what());
    }
    alive = false;
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    receiver.join();
  }
  runner.stop();
  return sent;
}

}  // namespace pavlov::net
