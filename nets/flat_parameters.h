// pavlov::nets::FlatParameters: the parameters of a network laid out in one
// contiguous tensor, and their gradients in another.
//
// A LibTorch update of a small network is dominated by per-tensor overhead:
// Adam runs about ten ops per parameter tensor, clipping two, zeroing one.
// With the parameters flattened, the optimizer steps one tensor, clipping is
// one norm and one multiply, zeroing one fill, whatever the depth of the
// network. The module keeps working unchanged: each of its parameters is a
// view into the flat storage, and autograd accumulates each gradient into a
// view of the flat gradient.
#pragma once

#include <torch/types.h>
#include <vector>

namespace pavlov::nets {

class FlatParameters {
 public:
  // Takes over `params` (a module's parameters(), whose values are kept).
  explicit FlatParameters(std::vector<torch::Tensor> params);

  // The one tensor an optimizer should step; its grad() is the flat gradient.
  torch::Tensor& flat() { return flat_; }
  void zero_grad() { grad_.zero_(); }
  // Scales the gradient to a global L2 norm of at most `max_norm` (0: no
  // clipping), as torch::nn::utils::clip_grad_norm_ does; returns the norm
  // before (a 0-dim tensor on the parameters' device: on a GPU nothing waits).
  torch::Tensor clip_grad_norm(double max_norm);
  // Re-links the parameters after something replaced their storage (loading
  // a checkpoint does): their current values are copied into the flat tensor.
  void relink();

 private:
  std::vector<torch::Tensor> params_;
  torch::Tensor flat_, grad_;
};

}  // namespace pavlov::nets
