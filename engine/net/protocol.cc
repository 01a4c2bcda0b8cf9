#include "engine/net/protocol.h"

#include <bit>
#include <cmath>
#include <cstring>

#include <boost/crc.hpp>

namespace pavlov::net {
namespace {

static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

class Writer {
 public:
  explicit Writer(std::vector<std::byte>& out) : out_(out) { out_.clear(); }
  template <class T>
  void put(const T& v) {
    bytes(&v, sizeof(T));
  }
  void bytes(const void* data, std::size_t n) {
    if (n == 0) return;
    const std::size_t at = out_.size();
    out_.resize(at + n);
    std::memcpy(out_.data() + at, data, n);
  }
  void string(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }

 private:
  std::vector<std::byte>& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> in) : in_(in) {}
  template <class T>
  T get() {
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  const std::byte* take(std::size_t n) {
    if (n > in_.size() - pos_) throw ProtocolError("payload ends early");
    const std::byte* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string string(std::size_t max = 4096) {
    const auto n = get<std::uint32_t>();
    if (n > max) throw ProtocolError("a string of " + std::to_string(n) + " bytes is longer than allowed");
    const std::byte* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  void done() const {
    if (pos_ != in_.size()) throw ProtocolError("payload has " + std::to_string(in_.size() - pos_) + " bytes too many");
  }

 private:
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

std::uint32_t crc32(std::span<const std::byte> data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

}  // namespace

Header decode_header(std::span<const std::byte, kHeaderSize> bytes, std::uint32_t max_payload) {
  Reader r(bytes);
  if (r.get<std::uint32_t>() != kMagic) throw ProtocolError("not a pavlov message (bad magic)");
  const auto version = r.get<std::uint16_t>();
  if (version != kProtocolVersion)
    throw ProtocolError("protocol version " + std::to_string(version) + ", this side speaks " + std::to_string(kProtocolVersion));
  const auto type = r.get<std::uint16_t>();
  if (type < 1 || type > 7) throw ProtocolError("unknown message type " + std::to_string(type));
  Header h{static_cast<MessageType>(type), r.get<std::uint32_t>(), r.get<std::uint32_t>()};
  if (h.size > max_payload)
    throw ProtocolError("payload of " + std::to_string(h.size) + " bytes exceeds the maximum of " + std::to_string(max_payload));
  return h;
}

void check_payload(const Header& header, std::span<const std::byte> payload) {
  if (payload.size() != header.size || crc32(payload) != header.crc) throw ProtocolError("payload checksum mismatch");
}

std::vector<std::byte> encode(MessageType type, std::span<const std::byte> payload) {
  std::vector<std::byte> out;
  encode(type, payload, out);
  return out;
}

void encode(MessageType type, std::span<const std::byte> payload, std::vector<std::byte>& out) {
  out.reserve(kHeaderSize + payload.size());
  Writer w(out);
  w.put(kMagic);
  w.put(kProtocolVersion);
  w.put(static_cast<std::uint16_t>(type));
  w.put(static_cast<std::uint32_t>(payload.size()));
  w.put(crc32(payload));
  w.bytes(payload.data(), payload.size());
}

std::vector<std::byte> encode_hello(const Hello& h) {
  std::vector<std::byte> out;
  Writer w(out);
  w.string(h.token);
  w.string(h.env_id);
  w.string(h.observation_space);
  w.string(h.action_space);
  w.put(h.num_envs);
  w.put(h.actors);
  w.put(h.unroll);
  w.put(h.behaviour_numbers);
  return out;
}

Hello decode_hello(std::span<const std::byte> payload) {
  Reader r(payload);
  Hello h;
  h.token = r.string();
  h.env_id = r.string();
  h.observation_space = r.string();
  h.action_space = r.string();
  h.num_envs = r.get<std::uint32_t>();
  h.actors = r.get<std::uint32_t>();
  h.unroll = r.get<std::uint32_t>();
  h.behaviour_numbers = r.get<std::uint32_t>();
  r.done();
  return h;
}

std::vector<std::byte> encode_welcome(const Welcome& wm) {
  std::vector<std::byte> out;
  Writer w(out);
  w.put(wm.first_env);
  w.put(wm.actor_id);
  return out;
}

Welcome decode_welcome(std::span<const std::byte> payload) {
  Reader r(payload);
  Welcome w{r.get<std::uint32_t>(), r.get<std::uint32_t>()};
  r.done();
  return w;
}

std::vector<std::byte> encode_refuse(const std::string& reason) {
  std::vector<std::byte> out;
  Writer(out).string(reason);
  return out;
}

std::string decode_refuse(std::span<const std::byte> payload) {
  Reader r(payload);
  std::string s = r.string();
  r.done();
  return s;
}

std::vector<std::byte> encode_weights(std::int64_t version, std::int64_t env_steps, std::span<const float> values) {
  std::vector<std::byte> out;
  Writer w(out);
  w.put(version);
  w.put(env_steps);
  w.put(static_cast<std::uint64_t>(values.size()));
  w.bytes(values.data(), values.size_bytes());
  return out;
}

WeightsMessage decode_weights(std::span<const std::byte> payload) {
  Reader r(payload);
  WeightsMessage m;
  m.version = r.get<std::int64_t>();
  m.env_steps = r.get<std::int64_t>();
  const auto n = r.get<std::uint64_t>();
  if (n > payload.size() / sizeof(float)) throw ProtocolError("weights count larger than the payload");
  m.values.resize(n);
  std::memcpy(m.values.data(), r.take(n * sizeof(float)), n * sizeof(float));
  r.done();
  return m;
}

void encode_experience(const Experience& x, std::vector<std::byte>& out) {
  Writer w(out);
  const std::size_t cells = static_cast<std::size_t>(x.steps) * x.num_envs;
  w.put(static_cast<std::uint32_t>(x.actor));
  w.put(static_cast<std::uint32_t>(x.num_envs));
  w.put(static_cast<std::uint32_t>(x.steps));
  w.put(x.policy_version);
  w.put(static_cast<std::uint32_t>(x.behaviour.empty() ? 0 : 1));
  w.bytes(x.obs.data(), cells * x.obs_bytes);
  w.bytes(x.next_obs.data(), cells * x.obs_bytes);
  w.bytes(x.actions.data(), cells * x.act_bytes);
  w.bytes(x.rewards.data(), cells * sizeof(float));
  if (!x.behaviour.empty()) w.bytes(x.behaviour.data(), cells * sizeof(float));
  w.bytes(x.terminated.data(), cells);
  w.bytes(x.truncated.data(), cells);
  w.bytes(x.episode_return.data(), cells * sizeof(float));
  w.bytes(x.episode_length.data(), cells * sizeof(std::int32_t));
}

void decode_experience(std::span<const std::byte> payload, const Experience& shape, Experience& x) {
  Reader r(payload);
  const auto actor = r.get<std::uint32_t>();
  const auto envs = r.get<std::uint32_t>();
  const auto steps = r.get<std::uint32_t>();
  const auto version = r.get<std::int64_t>();
  const auto with_behaviour = r.get<std::uint32_t>();
  if (static_cast<int>(envs) != shape.num_envs || steps < 1 || static_cast<int>(steps) > shape.capacity() ||
      with_behaviour != (shape.behaviour.empty() ? 0u : 1u))
    throw ProtocolError("experience of " + std::to_string(envs) + " envs x " + std::to_string(steps) +
                        " steps does not match the hello (" + std::to_string(shape.num_envs) + " x " +
                        std::to_string(shape.capacity()) + ")");
  if (x.num_envs != shape.num_envs || x.capacity() != shape.capacity() || x.obs_bytes != shape.obs_bytes ||
      x.act_bytes != shape.act_bytes || x.behaviour.size() != shape.behaviour.size())
    x = shape;  // a block from the pool shaped for other envs: take this connection's shape
  const std::size_t cells = static_cast<std::size_t>(steps) * envs;
  auto copy = [&](void* dst, std::size_t n) { std::memcpy(dst, r.take(n), n); };
  copy(x.obs.data(), cells * x.obs_bytes);
  copy(x.next_obs.data(), cells * x.obs_bytes);
  copy(x.actions.data(), cells * x.act_bytes);
  copy(x.rewards.data(), cells * sizeof(float));
  if (with_behaviour) copy(x.behaviour.data(), cells * sizeof(float));
  copy(x.terminated.data(), cells);
  copy(x.truncated.data(), cells);
  copy(x.episode_return.data(), cells * sizeof(float));
  copy(x.episode_length.data(), cells * sizeof(std::int32_t));
  r.done();
  for (std::size_t i = 0; i < cells; ++i)
    if (x.terminated[i] > 1 || x.truncated[i] > 1) throw ProtocolError("episode flags must be 0 or 1");
  x.actor = static_cast<int>(actor);
  x.steps = static_cast<int>(steps);
  x.policy_version = version;
}

void check_experience(const Experience& x, const Space& os, const Space& as) {
  const std::size_t cells = static_cast<std::size_t>(x.steps) * x.num_envs;
  auto finite = [](const float* p, std::size_t n, const char* what) {
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite(p[i])) throw ProtocolError(std::string("experience with a non-finite ") + what);
  };
  finite(x.rewards.data(), cells, "reward");
  if (os.dtype() == DType::kFloat32) {
    finite(reinterpret_cast<const float*>(x.obs.data()), cells * os.numel(), "observation");
    finite(reinterpret_cast<const float*>(x.next_obs.data()), cells * os.numel(), "observation");
  }
  if (as.is_discrete()) {
    const auto* a = reinterpret_cast<const std::int64_t*>(x.actions.data());
    for (std::size_t i = 0; i < cells; ++i)
      if (a[i] < as.start() || a[i] >= as.start() + as.n())
        throw ProtocolError("experience with action " + std::to_string(a[i]) + " outside " + as.to_string());
  } else if (as.dtype() == DType::kFloat32) {
    finite(reinterpret_cast<const float*>(x.actions.data()), cells * as.numel(), "action");
  }
}

}  // namespace pavlov::net
