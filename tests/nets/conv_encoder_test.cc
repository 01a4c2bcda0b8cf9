// The convolutional encoders: output sizes, channels-last images, the Q
// network on top, and agents that cannot use them saying so.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "nets/conv_encoder.h"
#include "nets/actor_critic.h"
#include "nets/q_network.h"

using pavlov::nets::ConvEncoder;
using pavlov::nets::ConvEncoderOptions;

TEST_CASE("conv encoder: MinAtar's, Nature's and IMPALA's output sizes") {
  CHECK(ConvEncoder(ConvEncoderOptions{"minatar_cnn", {4, 10, 10}})->out_features() == 16 * 8 * 8);
  CHECK(ConvEncoder(ConvEncoderOptions{"nature_cnn", {4, 84, 84}})->out_features() == 64 * 7 * 7);
  CHECK(ConvEncoder(ConvEncoderOptions{"nature_cnn", {96, 96, 3}})->out_features() == 64 * 8 * 8);  // CarRacing, HWC
  CHECK(ConvEncoder(ConvEncoderOptions{"impala_cnn", {3, 64, 64}})->out_features() == 32 * 8 * 8);
  CHECK(ConvEncoder(ConvEncoderOptions{"impala_cnn", {4, 10, 10}})->out_features() == 32 * 2 * 2);  // 10 -> 5 -> 3 -> 2
  CHECK(ConvEncoder(ConvEncoderOptions{"impala_cnn", {4, 10, 10}})->forward(torch::zeros({2, 400})).sizes() ==
        torch::IntArrayRef({2, 128}));
  CHECK_THROWS_WITH(ConvEncoder(ConvEncoderOptions{"nature_cnn", {4, 10, 10}}), doctest::Contains("too small"));
  CHECK_THROWS_WITH(ConvEncoder(ConvEncoderOptions{"minatar_cnn", {8}}), doctest::Contains("3 dimensions"));
}

TEST_CASE("conv encoder: an [H, W, C] image gives what the same image as [C, H, W] gives") {
  torch::manual_seed(0);
  ConvEncoder hwc(ConvEncoderOptions{"minatar_cnn", {10, 10, 3}});
  ConvEncoder chw(ConvEncoderOptions{"minatar_cnn", {3, 10, 10}});
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < hwc->parameters().size(); ++i) chw->parameters()[i].copy_(hwc->parameters()[i]);
  const torch::Tensor image = torch::rand({2, 10, 10, 3});
  const torch::Tensor a = hwc->forward(image.reshape({2, -1}));
  const torch::Tensor b = chw->forward(image.permute({0, 3, 1, 2}).contiguous().reshape({2, -1}));
  CHECK(torch::allclose(a, b));
}

TEST_CASE("conv encoder: scaled inputs and a Q network with a dueling head on top") {
  ConvEncoderOptions enc{"minatar_cnn", {4, 10, 10}, 0.5};
  auto q = pavlov::nets::QNetwork(pavlov::nets::QNetworkOptions(pavlov::nets::MLPOptions(1024).hidden({128}), 6)
                                      .dueling(true)
                                      .encoder(enc));
  const torch::Tensor out = q->forward(torch::ones({5, 400}));
  CHECK(out.sizes() == torch::IntArrayRef({5, 6}));
  CHECK(q->plain_layers().empty());  // no hand-written fast path through convolutions
}

TEST_CASE("conv encoder: the actor-critic shares one encoder between policy and value") {
  ConvEncoderOptions enc{"minatar_cnn", {4, 10, 10}};
  auto ac = pavlov::nets::ActorCritic(
      pavlov::nets::ActorCriticOptions(pavlov::nets::MLPOptions(1024).hidden({64}), 3, false).encoder(enc));
  const auto [logits, values] = ac->forward(torch::ones({7, 400}));
  CHECK(logits.sizes() == torch::IntArrayRef({7, 3}));
  CHECK(values.sizes() == torch::IntArrayRef({7}));
  CHECK(torch::allclose(values, ac->value(torch::ones({7, 400}))));
  int encoders = 0;
  for (const auto& item : ac->named_children()) encoders += item.key() == "encoder";
  CHECK(encoders == 1);
  CHECK(ac->conv_front().has_value());  // MlpBackprop can run it (tests/nets/fast_path_test.cc)
  CHECK(ac->plain_policy_layers().size() == 2);
}

TEST_CASE("conv encoder: activation, norm and dropout after each convolution, as for the MLP") {
  ConvEncoderOptions enc{"nature_cnn", {3, 84, 84}, 1.0, "tanh", "batch", 0.1};
  ConvEncoder e(enc);
  int batch_norms = 0, tanhs = 0, dropouts = 0;
  for (const auto& m : e->modules(/*include_self=*/false)) {
    batch_norms += std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m) != nullptr;
    tanhs += std::dynamic_pointer_cast<torch::nn::TanhImpl>(m) != nullptr;
    dropouts += std::dynamic_pointer_cast<torch::nn::DropoutImpl>(m) != nullptr;
  }
  CHECK(batch_norms == 3);
  CHECK(tanhs == 3);
  CHECK(dropouts == 3);
  e->eval();
  const torch::Tensor out = e->forward(torch::rand({2, 3 * 84 * 84}));
  CHECK(out.sizes() == torch::IntArrayRef({2, 64 * 7 * 7}));
  CHECK(out.abs().max().item<float>() <= 1.0f);  // tanh
}

TEST_CASE("conv encoder: the pre-activation ResNet's layout, size and residual path") {
  ConvEncoderOptions opts{"resnet", {1, 28, 28}};
  opts.channels = {16, 32, 64};
  opts.blocks = 2;
  ConvEncoder e(opts);
  CHECK(e->out_features() == 64);  // global average pooling
  int blocks = 0, projections = 0;
  for (const auto& item : e->named_modules()) {
    blocks += std::dynamic_pointer_cast<pavlov::nets::PreActBlockImpl>(item.value()) != nullptr;
    projections += item.key().ends_with("projection");
  }
  CHECK(blocks == 6);
  CHECK(projections == 2);  // 16 -> 32 and 32 -> 64, both with stride 2
  // The same count as bench/cnn_images.py's PyTorch resnet(blocks=2): 174,778 with its 64 -> 10
  // head, 174,128 without.
  std::int64_t count = 0;
  for (const auto& p : e->parameters()) count += p.numel();
  CHECK(count == 174128);
  e->eval();
  const torch::Tensor out = e->forward(torch::rand({3, 28 * 28}));
  CHECK(out.sizes() == torch::IntArrayRef({3, 64}));
  CHECK(out.min().item<float>() >= 0.0f);  // after the final ReLU
  // Odd sizes round up (3x3, padding 1, stride 2): 7 -> 4 -> 2 still pools to the width.
  opts.shape = {3, 7, 7};
  CHECK(ConvEncoder(opts)->forward(torch::rand({2, 3 * 49})).sizes() == torch::IntArrayRef({2, 64}));
  opts.channels = {};
  CHECK_THROWS_WITH(ConvEncoder{opts}, doctest::Contains("at least one stage"));
}

TEST_CASE("conv encoder: a ResNet block whose last convolution is zero passes its input through") {
  torch::manual_seed(1);
  pavlov::nets::PreActBlock block(8, 8, 1);
  torch::NoGradGuard no_grad;
  for (auto& item : block->named_parameters())
    if (item.key().starts_with("conv1")) item.value().zero_();
  const torch::Tensor x = torch::randn({2, 8, 5, 5});
  CHECK(torch::allclose(block->forward(x), x));
}
