#include "nets/amp.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace pavlov::nets {
namespace {
// LibTorch 2.4 replaced the CUDA-only calls by ones that name the device type.
#if TORCH_VERSION_MAJOR >= 2 && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 4)
bool cuda_autocast() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void set_cuda_autocast(bool on) {
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, on);
}
#else
bool cuda_autocast() { return at::autocast::is_enabled(); }
void set_cuda_autocast(bool on) {
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(on);
}
#endif
}  // namespace

Autocast::Autocast(bool enabled, const torch::Device& device) : on_(enabled && device.is_cuda()) {
  if (!on_) return;
  was_enabled_ = cuda_autocast();
  set_cuda_autocast(true);
  at::autocast::increment_nesting();
}

Autocast::~Autocast() {
  if (!on_) return;
  // The casts of the weights are cached while autocast is on; they are stale after the optimizer steps.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cuda_autocast(was_enabled_);
}

}  // namespace pavlov::nets
