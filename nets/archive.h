// LibTorch archives (weights, optimizer state) as bytes, for the named
// sections of pavlov's checkpoint files (engine/io/checkpoint.h).
#pragma once

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

}  // namespace pavlov::nets
