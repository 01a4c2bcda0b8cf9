// pavlov::nets::MlpBackprop: the forward and backward passes of a stack of
// Linear layers with an elementwise activation between them, by hand, into
// buffers allocated once.
//
// Autograd builds a graph and allocates every intermediate on every call;
// for the small MLPs of vector-observation agents that bookkeeping costs as
// much as the matrix multiplications. This computes the same numbers with
// the same LibTorch kernels (addmm, mm, the activations and their backward
// functions), writing gradients straight into the layers' .grad tensors
// (with FlatParameters, views of one flat gradient). A test pins it against
// autograd. Activations: relu, leaky_relu, tanh, sigmoid; the last layer has none.
#pragma once

#include <string>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>
#include <vector>

#include "nets/mlp.h"

namespace pavlov::nets {

class MlpBackprop {
 public:
  // True when `activation` has a hand-written backward here.
  static bool supports(const std::string& activation);

  MlpBackprop(std::vector<torch::nn::Linear> layers, std::string activation, std::int64_t batch);

  // x: [batch, in] float32. Returns the output [batch, out]; the returned
  // tensor and the activations kept for backward() live until the next call.
  const torch::Tensor& forward(const torch::Tensor& x);
  // The output of the last forward().
  const torch::Tensor& output() const { return z_.back(); }
  // grad_out: d loss / d output [batch, out]. Sets every layer's weight and
  // bias gradient (overwriting, not accumulating) for the last forward().
  void backward(const torch::Tensor& grad_out);

 private:
  void activate(torch::Tensor& out, const torch::Tensor& z);
  void activate_backward(torch::Tensor& out, const torch::Tensor& grad, const torch::Tensor& z, const torch::Tensor& h);

  std::vector<torch::nn::Linear> layers_;
  std::string activation_;
  torch::Tensor input_;                  // the last forward's input
  std::vector<torch::Tensor> z_, h_;     // pre- and post-activation of each layer
  std::vector<torch::Tensor> dz_, dh_;   // their gradients
};

// The Linear layers of `torso` in order, then `head`: what MlpBackprop runs
// for torso + head. Empty when the torso is not a plain stack it can run
// (a norm or dropout layer, or an activation without a hand-written backward).
std::vector<torch::nn::Linear> plain_layers(const MLP& torso, const torch::nn::Linear& head);

}  // namespace pavlov::nets
