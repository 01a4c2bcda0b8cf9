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
//
// An optional convolution may come first (ConvFront: the MinAtar network's
// 3x3 convolution). It runs as a matrix multiply over the input's patches
// (im2col into a buffer of the batch's size), so the whole update of a
// MinAtar DQN is a handful of matmuls with no autograd graph; the first
// layer needs no input gradient, so the patches are never scattered back.
//
// A convolution shared by two networks (PPO's policy and value heads on one
// MinAtar encoder) runs in the network that owns it: the other takes its
// front_output() as input, is built with input_grad, and its input_grad()
// joins the owner's in backward_front().
#pragma once

#include <optional>
#include <string>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>
#include <vector>

#include "nets/conv_encoder.h"
#include "nets/mlp.h"

namespace pavlov::nets {

class MlpBackprop {
 public:
  // True when `activation` has a hand-written backward here.
  static bool supports(const std::string& activation);

  // `front`: a convolution ahead of `layers` (whose first takes its flattened output).
  // `input_grad`: backward() also computes d loss / d input (input_grad()).
  MlpBackprop(std::vector<torch::nn::Linear> layers, std::string activation, std::int64_t batch,
              std::optional<ConvFront> front = std::nullopt, bool input_grad = false);

  // x: [batch, in] float32 (with a ConvFront also uint8: the patches are
  // converted as they are gathered, scaled by its input_scale). Returns the output [batch, out]; the returned
  // tensor and the activations kept for backward() live until the next call.
  const torch::Tensor& forward(const torch::Tensor& x);
  // True with a leading convolution (forward() then also takes uint8 input).
  bool has_front() const { return front_.has_value(); }
  // The output of the last forward().
  const torch::Tensor& output() const { return z_.back(); }
  // grad_out: d loss / d output [batch, out]. Sets every layer's weight and
  // bias gradient (overwriting, not accumulating) for the last forward().
  void backward(const torch::Tensor& grad_out);
  // backward() in two parts: the Linear layers (and the gradient at the
  // convolution's output), then the convolution, with `shared_grad` (another
  // network's input_grad(), same shape as front_output()) added to that gradient.
  void backward_layers(const torch::Tensor& grad_out);
  void backward_front(const torch::Tensor& shared_grad = {});
  // The convolution's flattened output of the last forward() [batch, features].
  const torch::Tensor& front_output() const { return flat_; }
  // d loss / d input of the last backward() (built with input_grad).
  const torch::Tensor& input_grad() const { return dx_; }

 private:
  void activate(torch::Tensor& out, const torch::Tensor& z);
  void activate_backward(torch::Tensor& out, const torch::Tensor& grad, const torch::Tensor& z, const torch::Tensor& h);
  void gather_patches(const torch::Tensor& x);  // x's patches into cols_, one row per (sample, output position)
  void front_forward(const torch::Tensor& x);
  void front_backward(const torch::Tensor& grad_flat);

  std::vector<torch::nn::Linear> layers_;
  std::string activation_;
  torch::Tensor input_;                  // the last forward's input
  torch::Tensor dx_;                     // its gradient (with input_grad)
  std::vector<torch::Tensor> z_, h_;     // pre- and post-activation of each layer
  std::vector<torch::Tensor> dz_, dh_;   // their gradients
  // The ConvFront's buffers: patches [batch * positions, C*k*k]; its pre- and
  // post-activation per position [batch * positions, out channels], their
  // gradients; the post-activation flattened channel-major [batch, out * positions]
  // (the first Linear's input) and that input's gradient.
  std::optional<ConvFront> front_;
  std::int64_t kernel_ = 0, stride_ = 1, out_h_ = 0, out_w_ = 0;
  torch::Tensor cols_, fz_, fh_, fdz_, fdh_, flat_, dflat_;
};

// The Linear layers of `torso` in order, then `head`: what MlpBackprop runs
// for torso + head. Empty when the torso is not a plain stack it can run
// (a norm or dropout layer, or an activation without a hand-written backward).
std::vector<torch::nn::Linear> plain_layers(const MLP& torso, const torch::nn::Linear& head);

}  // namespace pavlov::nets
