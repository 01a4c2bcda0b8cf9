// The wire protocol (engine/net/protocol.h): what is sent decodes to what was
// meant, and every malformed input is a ProtocolError, never a wild read.
#include "engine/net/protocol.h"
#include "engine/net/learner_server.h"

#include <doctest/doctest.h>

#include <cstring>

using namespace pavlov::net;

namespace {
std::span<const std::byte, kHeaderSize> header_of(const std::vector<std::byte>& m) {
  return std::span<const std::byte, kHeaderSize>(m.data(), kHeaderSize);
}
std::span<const std::byte> payload_of(const std::vector<std::byte>& m) { return std::span(m).subspan(kHeaderSize); }

pavlov::Experience cartpole_block(int envs, int steps) {
  pavlov::Experience x;
  x.shape(pavlov::Space::box(-5, 5, {4}), pavlov::Space::discrete(2), envs, steps, true);
  for (std::size_t i = 0; i < x.rewards.size(); ++i) {
    x.rewards[i] = static_cast<float>(i);
    reinterpret_cast<std::int64_t*>(x.actions.data())[i] = static_cast<std::int64_t>(i % 2);
    x.behaviour[i] = -0.5f;
  }
  for (std::size_t i = 0; i < x.obs.size() / 4; ++i) reinterpret_cast<float*>(x.obs.data())[i] = 0.25f * i;
  x.steps = steps;
  x.actor = 1;
  x.policy_version = 42;
  return x;
}
}  // namespace

TEST_CASE("protocol: messages round-trip") {
  const Hello h{"tok", "CartPole-v1", "Box(4)", "Discrete(2)", 4, 2, 16, 1};
  const auto m = encode(MessageType::kHello, encode_hello(h));
  const Header hd = decode_header(header_of(m), 1 << 20);
  CHECK(hd.type == MessageType::kHello);
  CHECK(hd.size == m.size() - kHeaderSize);
  check_payload(hd, payload_of(m));
  const Hello back = decode_hello(payload_of(m));
  CHECK(back.token == "tok");
  CHECK(back.env_id == "CartPole-v1");
  CHECK(back.num_envs == 4);
  CHECK(back.actors == 2);
  CHECK(back.unroll == 16);
  CHECK(back.behaviour_numbers == 1);

  const std::vector<float> w = {1.5f, -2.0f, 3.25f};
  const WeightsMessage wm = decode_weights(encode_weights(7, 1000, w));
  CHECK(wm.version == 7);
  CHECK(wm.env_steps == 1000);
  CHECK(wm.values == w);

  const pavlov::Experience x = cartpole_block(2, 3);
  std::vector<std::byte> payload;
  encode_experience(x, payload);
  pavlov::Experience shape = cartpole_block(2, 3), y;
  decode_experience(payload, shape, y);
  CHECK(y.steps == 3);
  CHECK(y.actor == 1);
  CHECK(y.policy_version == 42);
  CHECK(y.obs == x.obs);
  CHECK(y.actions == x.actions);
  CHECK(y.rewards == x.rewards);
  CHECK(y.behaviour == x.behaviour);
  check_experience(y, pavlov::Space::box(-5, 5, {4}), pavlov::Space::discrete(2));
}

TEST_CASE("protocol: bad headers are refused before any payload is read") {
  auto m = encode(MessageType::kHeartbeat, {});
  auto bad = m;
  bad[0] = std::byte{0};
  CHECK_THROWS_WITH_AS(decode_header(header_of(bad), 1024), "not a pavlov message (bad magic)", ProtocolError);
  bad = m;
  bad[4] = std::byte{9};  // version 9
  CHECK_THROWS_WITH_AS(decode_header(header_of(bad), 1024), "protocol version 9, this side speaks 1", ProtocolError);
  bad = m;
  bad[6] = std::byte{99};
  CHECK_THROWS_WITH_AS(decode_header(header_of(bad), 1024), "unknown message type 99", ProtocolError);
  const auto big = encode(MessageType::kWeights, encode_weights(1, 1, std::vector<float>(1000)));
  CHECK_THROWS_WITH_AS(decode_header(header_of(big), 1024), "payload of 4024 bytes exceeds the maximum of 1024", ProtocolError);
  const auto hello = encode(MessageType::kHello, encode_hello({"t", "e", "o", "a", 1, 1, 1, 0}));
  auto flipped = hello;
  flipped.back() ^= std::byte{1};
  const Header h = decode_header(header_of(flipped), 1024);
  CHECK_THROWS_WITH_AS(check_payload(h, payload_of(flipped)), "payload checksum mismatch", ProtocolError);
}

TEST_CASE("protocol: truncated, padded and lying payloads are errors") {
  const auto hello = encode_hello({"token", "CartPole-v1", "o", "a", 1, 1, 1, 0});
  for (std::size_t n = 0; n < hello.size(); ++n)  // every truncation
    CHECK_THROWS_AS(decode_hello(std::span(hello).first(n)), ProtocolError);
  auto padded = hello;
  padded.push_back(std::byte{0});
  CHECK_THROWS_WITH_AS(decode_hello(padded), "payload has 1 bytes too many", ProtocolError);
  auto long_string = hello;
  const std::uint32_t huge = 1u << 30;
  std::memcpy(long_string.data(), &huge, 4);  // the token claims a gigabyte
  CHECK_THROWS_AS(decode_hello(long_string), ProtocolError);
  auto weights = encode_weights(1, 1, std::vector<float>(4));
  const std::uint64_t lie = 1ull << 40;
  std::memcpy(weights.data() + 16, &lie, 8);
  CHECK_THROWS_WITH_AS(decode_weights(weights), "weights count larger than the payload", ProtocolError);

  const pavlov::Experience x = cartpole_block(2, 3);
  std::vector<std::byte> payload;
  encode_experience(x, payload);
  pavlov::Experience shape = cartpole_block(2, 3), y;
  CHECK_THROWS_AS(decode_experience(std::span(payload).first(payload.size() - 1), shape, y), ProtocolError);
  pavlov::Experience other = cartpole_block(3, 3);  // the hello announced 3 envs per block
  CHECK_THROWS_AS(decode_experience(payload, other, y), ProtocolError);
}

TEST_CASE("protocol: experience the learner must not trust") {
  const auto os = pavlov::Space::box(-5, 5, {4});
  const auto as = pavlov::Space::discrete(2);
  pavlov::Experience x = cartpole_block(2, 3);
  reinterpret_cast<std::int64_t*>(x.actions.data())[3] = 2;  // Discrete(2) has actions 0 and 1
  CHECK_THROWS_WITH_AS(check_experience(x, os, as), "experience with action 2 outside Discrete(2)", ProtocolError);
  x = cartpole_block(2, 3);
  x.rewards[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(check_experience(x, os, as), "experience with a non-finite reward", ProtocolError);
  x = cartpole_block(2, 3);
  reinterpret_cast<float*>(x.next_obs.data())[5] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH_AS(check_experience(x, os, as), "experience with a non-finite observation", ProtocolError);
}

TEST_CASE("listen addresses: a port alone binds the loopback address") {
  CHECK(split_host_port("10.0.0.2:5555") == std::pair<std::string, int>{"10.0.0.2", 5555});
  CHECK(split_host_port("5555") == std::pair<std::string, int>{"127.0.0.1", 5555});
  CHECK(split_host_port(":0") == std::pair<std::string, int>{"127.0.0.1", 0});
  CHECK_THROWS_WITH_AS(split_host_port("host:http"), "'http' is not a port number (0-65535)", std::invalid_argument);
  CHECK_THROWS_AS(split_host_port("host:70000"), std::invalid_argument);
}
