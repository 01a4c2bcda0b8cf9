// Mixed precision for the learner ([experiment] amp = true): inside an
// Autocast scope on a CUDA device, LibTorch's autocast runs matmuls and
// convolutions in bfloat16 and keeps losses, reductions and the weights in
// float32. bfloat16 has float32's exponent range, so no loss scaling is
// needed (float16 would need a GradScaler). Backward passes run outside the
// scope, in the dtypes the forward chose. On the CPU the scope does nothing.
#pragma once

#include <torch/types.h>

namespace pavlov::nets {

class Autocast {
 public:
  Autocast(bool enabled, const torch::Device& device);
  ~Autocast();
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  bool on_ = false;
  bool was_enabled_ = false;
};

}  // namespace pavlov::nets
