// Installs the compute setup of engine/runtime/device.h: LibTorch knows
// whether CUDA is there, and owns the math threads.
#include <stdexcept>
#include <thread>
#include <torch/cuda.h>
#include <torch/utils.h>

#include "engine/runtime/device.h"

namespace pavlov::nets {
namespace {
const bool kInstalled = [] {
  set_compute_setup([](const std::string& requested, int threads) -> std::string {
    // Debian's LibTorch starts with one intra-op thread; a run asks for its own number.
    torch::set_num_threads(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    const bool cuda = torch::cuda::is_available();
    if (requested == "cuda" && !cuda)
      throw std::runtime_error("device = \"cuda\" but no CUDA device is available (LibTorch " +
                               std::string(cuda ? "has" : "sees no") + " CUDA); use device = \"auto\" or \"cpu\"");
    if (requested == "cpu") return "cpu";
    return cuda ? "cuda" : "cpu";
  });
  return true;
}();
}  // namespace
}  // namespace pavlov::nets
