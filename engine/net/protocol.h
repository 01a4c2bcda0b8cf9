// The wire protocol between a learner and its remote actors (docs/protocol.md).
//
// Every message is a fixed 16-byte header, then `size` payload bytes:
//   magic   u32  0x564C5650 ("PVLV" in memory)
//   version u16  kProtocolVersion
//   type    u16  MessageType
//   size    u32  payload bytes, at most the receiver's max_payload
//   crc     u32  CRC-32 of the payload
// Numbers are little-endian (the only byte order pavlov builds for). A
// receiver checks the header before it reads the payload, and decodes the
// payload with a bounds-checked reader: anything malformed is a
// ProtocolError, and the connection that sent it is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/runtime/experience.h"

namespace pavlov::net {

constexpr std::uint32_t kMagic = 0x564C5650;
constexpr std::uint16_t kProtocolVersion = 1;
constexpr std::size_t kHeaderSize = 16;

enum class MessageType : std::uint16_t {
  kHello = 1,       // actor -> learner: who it is, what it runs, the token
  kWelcome = 2,     // learner -> actor: its env columns
  kRefuse = 3,      // learner -> actor: why not (then the learner closes)
  kWeights = 4,     // learner -> actor: a policy version
  kExperience = 5,  // actor -> learner: one Experience block
  kHeartbeat = 6,   // either way, when there is nothing else to say
  kGoodbye = 7,     // actor -> learner: leaving on purpose
};

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Header {
  MessageType type{};
  std::uint32_t size = 0;
  std::uint32_t crc = 0;
};

// Checks magic, version, type and size against `max_payload`; throws ProtocolError.
Header decode_header(std::span<const std::byte, kHeaderSize> bytes, std::uint32_t max_payload);
// Checks the payload's CRC against the header's.
void check_payload(const Header& header, std::span<const std::byte> payload);
// A whole message: header and payload; the second form writes into `out`, reusing its memory.
std::vector<std::byte> encode(MessageType type, std::span<const std::byte> payload);
void encode(MessageType type, std::span<const std::byte> payload, std::vector<std::byte>& out);

struct Hello {
  std::string token;
  std::string env_id, observation_space, action_space;  // Space::to_string, as the learner's
  std::uint32_t num_envs = 0;                           // envs the process steps, all actors together
  std::uint32_t actors = 0;                             // its actor threads (num_envs / actors envs each)
  std::uint32_t unroll = 0;
  std::uint32_t behaviour_numbers = 0;
};
struct Welcome {
  std::uint32_t first_env = 0;  // the first of its num_envs columns
  std::uint32_t actor_id = 0;
};
struct WeightsMessage {
  std::int64_t version = 0, env_steps = 0;
  std::vector<float> values;
};

std::vector<std::byte> encode_hello(const Hello& h);
Hello decode_hello(std::span<const std::byte> payload);
std::vector<std::byte> encode_welcome(const Welcome& w);
Welcome decode_welcome(std::span<const std::byte> payload);
std::vector<std::byte> encode_refuse(const std::string& reason);
std::string decode_refuse(std::span<const std::byte> payload);
std::vector<std::byte> encode_weights(std::int64_t version, std::int64_t env_steps, std::span<const float> values);
WeightsMessage decode_weights(std::span<const std::byte> payload);
// The block's filled steps; `out` (reused) gets the payload.
void encode_experience(const Experience& x, std::vector<std::byte>& out);
// Decodes into `x` (reusing its memory), checking every size against what the
// hello announced: `num_envs` envs, `unroll` steps, byte sizes of one
// observation and one action, behaviour numbers.
void decode_experience(std::span<const std::byte> payload, const Experience& shape, Experience& x);
// Checks what a learner must not trust: every action inside the action
// space (an index out of range would read past a network's outputs) and every
// float observation, reward and action finite. Throws ProtocolError.
void check_experience(const Experience& x, const Space& observation_space, const Space& action_space);

}  // namespace pavlov::net
