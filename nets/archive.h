// LibTorch archives (weights, optimizer state) as bytes, for the named
// sections of pavlov's checkpoint files (engine/io/checkpoint.h).
#pragma once

#include <ATen/CPUGeneratorImpl.h>
#include <sstream>
#include <string>
#include <torch/serialize/archive.h>
#include <torch/types.h>

namespace pavlov::nets {

// The bytes of an OutputArchive that `fill` writes.
template <class F>
std::string archive_bytes(F fill) {
  torch::serialize::OutputArchive a;
  fill(a);
  std::ostringstream os;
  a.save_to(os);
  return os.str();
}

// Loads archive bytes onto `device` (whatever device wrote them) and hands the archive to `read`.
template <class F>
void read_archive_bytes(const std::string& bytes, const torch::Device& device, F read) {
  std::istringstream in(bytes);
  torch::serialize::InputArchive a;
  a.load_from(in, device);
  read(a);
}

// The archive bytes of a module or an optimizer (anything with save(OutputArchive&)), and
// their loading back onto `device` (anything with load(InputArchive&)).
template <class T>
std::string saved_bytes(T& saved) {
  return archive_bytes([&](torch::serialize::OutputArchive& a) { saved.save(a); });
}

template <class T>
void load_saved(const std::string& bytes, const torch::Device& device, T& loaded) {
  read_archive_bytes(bytes, device, [&](torch::serialize::InputArchive& a) { loaded.load(a); });
}

// The state of LibTorch's default CPU generator (dropout's draws) as bytes,
// and back: what a checkpoint keeps so that a resumed run draws what the
// uninterrupted one would have.
inline std::string cpu_generator_bytes() {
  const torch::Tensor state = at::detail::getDefaultCPUGenerator().get_state();
  return {reinterpret_cast<const char*>(state.data_ptr<std::uint8_t>()), static_cast<std::size_t>(state.numel())};
}

inline void set_cpu_generator_bytes(const std::string& bytes) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<std::int64_t>(bytes.size())},
                                       torch::kUInt8)
                          .clone());
}

}  // namespace pavlov::nets
