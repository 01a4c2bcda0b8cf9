// The learner's server under attack, on loopback: at least 10 000 malformed,
// truncated, oversize and unauthorised messages with random disconnects,
// and a peer that goes silent. The learner must keep training throughout
// (local actors' blocks keep arriving), drop and log each bad peer, and still
// let a well-behaved remote actor in afterwards. CI runs this under
// AddressSanitizer and UndefinedBehaviorSanitizer (tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include <boost/asio.hpp>

#include "engine/env/rng.h"
#include "engine/net/learner_server.h"
#include "engine/net/protocol.h"
#include "engine/runtime/fake_agent.h"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace pavlov::net;
using namespace std::chrono_literals;

namespace {

const pavlov::Space kObs = pavlov::Space::box(-4.8, 4.8, {4});
const pavlov::Space kAct = pavlov::Space::discrete(2);

std::vector<std::byte> raw_header(std::uint32_t magic, std::uint16_t version, std::uint16_t type, std::uint32_t size,
                                  std::uint32_t crc) {
  std::vector<std::byte> h(kHeaderSize);
  std::memcpy(h.data(), &magic, 4);
  std::memcpy(h.data() + 4, &version, 2);
  std::memcpy(h.data() + 6, &type, 2);
  std::memcpy(h.data() + 8, &size, 4);
  std::memcpy(h.data() + 12, &crc, 4);
  return h;
}

// The learner thread: pops blocks like the Trainer, counting what came from where.
struct Learner {
  pavlov::AsyncRunner& runner;
  int local_envs;
  std::atomic<std::int64_t> local{0}, remote{0}, leaves{0};
  std::atomic<bool> done{false};
  std::thread thread;
  explicit Learner(pavlov::AsyncRunner& r) : runner(r), local_envs(r.local_envs()) {
    thread = std::thread([this] {
      std::int64_t k = 0;
      while (auto b = runner.next()) {
        if (b->steps == 0) ++leaves;
        else if (b->first_env >= local_envs) ++remote;
        else ++local;
        runner.recycle(std::move(*b));
        if (++k % 8 == 0) runner.publish(k);
      }
    });
  }
  void join() {
    if (thread.joinable()) thread.join();
  }
};

Hello good_hello(const std::string& token) {
  return {token, "CartPole-v1", kObs.to_string(), kAct.to_string(), 2, 1, 4, 1};
}

pavlov::Experience good_block() {
  pavlov::Experience x;
  x.shape(kObs, kAct, 2, 4, true);
  x.steps = 4;
  return x;
}

}  // namespace

TEST_CASE("learner server: malformed messages, random disconnects, bad tokens and silence; learning goes on") {
  pavlov::test::FakeAgent agent(0);
  pavlov::AsyncRunner runner(agent, pavlov::test::cartpole_plan(1, 1, 4));
  runner.start(0);
  Learner learner(runner);
  std::atomic<int> log_lines{0};
  auto server = std::make_unique<LearnerServer>(
      ServerOptions{.listen = "127.0.0.1:0", .token = "sesame", .max_payload = 1 << 16, .heartbeat_timeout_s = 0.5,
                    .first_column = 1, .columns = 4, .env_id = "CartPole-v1", .observation_space = kObs,
                    .action_space = kAct, .unroll = 4, .behaviour_numbers = 1},
      runner, [&](const std::string&) { ++log_lines; });
  const auto endpoint = tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server->port()));
  asio::io_context io;
  pavlov::Rng rng(2024);

  std::vector<std::byte> block_payload;
  encode_experience(good_block(), block_payload);
  const std::int64_t local_before = learner.local.load();
  int sent = 0;
  while (sent < 10000) {
    tcp::socket socket(io);
    socket.connect(endpoint);
    const int burst = 1 + static_cast<int>(rng.below(40));  // then a disconnect, clean or abrupt
    for (int k = 0; k < burst && sent < 10000; ++k, ++sent) {
      std::vector<std::byte> m;
      switch (rng.below(9)) {
        case 0: {  // noise
          m.resize(rng.below(120));
          for (auto& b : m) b = static_cast<std::byte>(rng.below(256));
          break;
        }
        case 1: m = raw_header(0xDEADBEEF, 1, 6, 0, 0); break;                          // bad magic
        case 2: m = raw_header(kMagic, 2, 6, 0, 0); break;                              // a future version
        case 3: m = raw_header(kMagic, 1, static_cast<std::uint16_t>(rng.below(65536)), 0, 0); break;  // any type
        case 4: m = raw_header(kMagic, 1, 5, 1u << 30, 0); break;                       // oversize
        case 5: {  // truncated: says 100 bytes, sends 10
          m = raw_header(kMagic, 1, 5, 100, 0);
          m.resize(m.size() + 10);
          break;
        }
        case 6: m = encode(MessageType::kHello, encode_hello(good_hello(rng.below(2) ? "open" : ""))); break;  // bad token
        case 7: {  // a good hello, then experience that lies (wrong sizes, an action out of range, a flipped bit)
          const auto hello = encode(MessageType::kHello, encode_hello(good_hello("sesame")));
          m = hello;
          auto payload = block_payload;
          if (rng.below(2)) payload.resize(payload.size() - 1 - rng.below(20));
          else payload[40 + rng.below(payload.size() - 40)] ^= std::byte{0x55};
          const auto e = encode(MessageType::kExperience, payload);
          m.insert(m.end(), e.begin(), e.end());
          break;
        }
        default:  // a valid header with a checksum that does not match
          m = raw_header(kMagic, 1, 6, 4, 12345);
          m.insert(m.end(), {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}});
      }
      boost::system::error_code ec;
      asio::write(socket, asio::buffer(m), ec);
      if (ec) break;  // the server already hung up on this connection
    }
    boost::system::error_code ignored;
    if (rng.below(2)) socket.set_option(asio::socket_base::linger(true, 0), ignored);  // an abrupt reset
    socket.close(ignored);
  }
  CHECK(sent == 10000);

  // A peer that connects and says nothing is dropped after the heartbeat timeout.
  tcp::socket silent(io);
  silent.connect(endpoint);
  std::this_thread::sleep_for(1200ms);
  {
    std::array<std::byte, 1> one;
    boost::system::error_code ec;
    silent.read_some(asio::buffer(one), ec);
    CHECK(ec);  // closed by the server
  }

  // The learner trained all along: the local actor's blocks kept coming.
  CHECK(learner.local.load() > local_before);
  const ServerStats stats = server->stats();
  CHECK(stats.refused > 0);
  CHECK(stats.dropped > 0);
  CHECK(log_lines.load() > 0);

  // A wrong token is refused with the reason.
  {
    tcp::socket s(io);
    s.connect(endpoint);
    asio::write(s, asio::buffer(encode(MessageType::kHello, encode_hello(good_hello("guess")))));
    std::array<std::byte, kHeaderSize> h;
    asio::read(s, asio::buffer(h));
    const Header hd = decode_header(h, 1 << 16);
    REQUIRE(hd.type == MessageType::kRefuse);
    std::vector<std::byte> p(hd.size);
    asio::read(s, asio::buffer(p));
    CHECK(decode_refuse(p) == "wrong token");
  }

  // And a well-behaved actor still gets in, gets weights, and its experience reaches the learner.
  const std::int64_t remote_before = learner.remote.load(), leaves_before = learner.leaves.load();
  {
    tcp::socket s(io);
    s.connect(endpoint);
    asio::write(s, asio::buffer(encode(MessageType::kHello, encode_hello(good_hello("sesame")))));
    std::array<std::byte, kHeaderSize> h;
    asio::read(s, asio::buffer(h));
    Header hd = decode_header(h, 1 << 16);
    REQUIRE(hd.type == MessageType::kWelcome);
    std::vector<std::byte> p(hd.size);
    asio::read(s, asio::buffer(p));
    CHECK(decode_welcome(p).first_env >= 1);
    asio::read(s, asio::buffer(h));
    hd = decode_header(h, 1 << 16);
    CHECK(hd.type == MessageType::kWeights);
    for (int k = 0; k < 3; ++k) asio::write(s, asio::buffer(encode(MessageType::kExperience, block_payload)));
    asio::write(s, asio::buffer(encode(MessageType::kGoodbye, {})));
    for (int wait = 0; wait < 200 && learner.leaves.load() == leaves_before; ++wait) std::this_thread::sleep_for(10ms);
  }
  CHECK(learner.remote.load() - remote_before == 3);
  CHECK(learner.leaves.load() > leaves_before);

  server.reset();
  runner.stop();
  learner.join();
}
