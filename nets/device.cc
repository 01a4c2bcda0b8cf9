// Installs the device resolver of engine/runtime/device.h: LibTorch knows
// whether CUDA is there.
#include <stdexcept>
#include <torch/cuda.h>

#include "engine/runtime/device.h"

namespace pavlov::nets {
namespace {
const bool kInstalled = [] {
  set_device_resolver([](const std::string& requested) -> std::string {
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
