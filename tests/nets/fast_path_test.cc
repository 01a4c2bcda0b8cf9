// The hand-written fast paths of the learner against LibTorch's own:
// MlpBackprop against autograd, the fused Adam loop against torch::optim::Adam,
// FlatParameters against per-tensor clipping.
// LibTorch first: its glog defines a CHECK macro that must not replace doctest's.
#include <torch/torch.h>
#undef CHECK
#include <doctest/doctest.h>

#include "nets/actor_critic.h"
#include "nets/flat_parameters.h"
#include "nets/mlp_backprop.h"
#include "nets/optim.h"
#include "nets/q_network.h"

using namespace pavlov::nets;

TEST_CASE("nets: MlpBackprop computes autograd's outputs and gradients") {
  for (const std::string act : {"relu", "tanh", "leaky_relu", "sigmoid"}) {
    CAPTURE(act);
    torch::manual_seed(1);
    QNetwork net(QNetworkOptions(MLPOptions(5).hidden({32, 16}).activation(act), 3));
    const auto layers = net->plain_layers();
    REQUIRE(layers.size() == 3);
    const auto x = torch::randn({8, 5});
    const auto dout = torch::randn({8, 3});
    // autograd
    const auto out = net->forward(x);
    out.backward(dout);
    std::vector<torch::Tensor> want;
    for (const auto& p : net->parameters()) want.push_back(p.grad().clone());
    // by hand
    MlpBackprop mlp(layers, act, 8);
    const auto& got_out = mlp.forward(x);
    CHECK(torch::allclose(got_out, out.detach(), 1e-5, 1e-6));
    for (auto& p : net->parameters()) p.mutable_grad().zero_();
    mlp.backward(dout);
    const auto params = net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) CHECK(torch::allclose(params[i].grad(), want[i], 1e-4, 1e-6));
  }
  // Networks it cannot run say so.
  QNetwork dueling(QNetworkOptions(MLPOptions(5).hidden({8}), 2).dueling(true));
  CHECK(dueling->plain_layers().empty());
  QNetwork gelu(QNetworkOptions(MLPOptions(5).hidden({8}).activation("gelu"), 2));
  CHECK(gelu->plain_layers().empty());
}

TEST_CASE("nets: MlpBackprop with MinAtar's leading convolution computes autograd's outputs and gradients") {
  for (const std::string act : {"relu", "tanh"}) {
    CAPTURE(act);
    torch::manual_seed(3);
    ConvEncoderOptions enc{"minatar_cnn", {4, 10, 10}};
    enc.activation = act;
    QNetwork net(QNetworkOptions(MLPOptions(16 * 8 * 8).hidden({32}).activation(act), 3).encoder(enc));
    const auto front = net->conv_front();
    REQUIRE(front.has_value());
    const auto layers = net->plain_layers();
    REQUIRE(layers.size() == 2);
    // MinAtar frames: 0/1 grids, as uint8 (what the replay holds) and as float.
    const auto bits = torch::randint(0, 2, {6, 400}, torch::kUInt8);
    const auto x = bits.to(torch::kFloat32);
    const auto dout = torch::randn({6, 3});
    const auto out = net->forward(x);
    out.backward(dout);
    std::vector<torch::Tensor> want;
    for (const auto& p : net->parameters()) want.push_back(p.grad().clone());
    REQUIRE(want.size() == 6);  // conv, hidden and head: weight and bias each
    MlpBackprop mlp(layers, act, 6, front);
    REQUIRE(mlp.has_front());
    for (const auto& input : {x, bits}) {
      REQUIRE(torch::allclose(mlp.forward(input), out.detach(), 1e-5, 1e-6));
      for (auto& p : net->parameters()) p.mutable_grad().zero_();
      mlp.backward(dout);
      const auto params = net->parameters();
      for (std::size_t i = 0; i < params.size(); ++i) REQUIRE(torch::allclose(params[i].grad(), want[i], 1e-4, 1e-6));
    }
  }
  // Encoders it cannot run say so: normalised, or with an activation other than the torso's.
  ConvEncoderOptions batch_norm{"minatar_cnn", {4, 10, 10}};
  batch_norm.norm = "batch";
  QNetwork normed(QNetworkOptions(MLPOptions(1024).hidden({8}), 2).encoder(batch_norm));
  REQUIRE(!normed->conv_front());
  REQUIRE(normed->plain_layers().empty());
  ConvEncoderOptions tanh_conv{"minatar_cnn", {4, 10, 10}};
  tanh_conv.activation = "tanh";
  QNetwork mixed(QNetworkOptions(MLPOptions(1024).hidden({8}), 2).encoder(tanh_conv));
  REQUIRE(mixed->plain_layers().empty());
  ConvEncoderOptions nature{"nature_cnn", {4, 84, 84}};
  QNetwork big(QNetworkOptions(MLPOptions(3136).hidden({8}), 2).encoder(nature));
  REQUIRE(big->plain_layers().empty());
}

TEST_CASE("nets: policy and value MlpBackprops sharing one convolution compute autograd's gradients") {
  torch::manual_seed(5);
  ConvEncoderOptions enc{"minatar_cnn", {4, 10, 10}};
  ActorCritic ac(ActorCriticOptions(MLPOptions(1024).hidden({32}), 3, false).encoder(enc));
  const auto front = ac->conv_front();
  REQUIRE(front.has_value());
  const auto bits = torch::randint(0, 2, {6, 400}, torch::kUInt8);
  const auto dlogits = torch::randn({6, 3});
  const auto dvalues = torch::randn({6});
  const auto [logits, values] = ac->forward(bits.to(torch::kFloat32));
  torch::autograd::backward({logits, values}, {dlogits, dvalues});
  std::vector<torch::Tensor> want;
  for (const auto& p : ac->parameters()) want.push_back(p.grad().clone());
  REQUIRE(want.size() == 10);  // conv, two torsos, two heads: weight and bias each

  MlpBackprop policy(ac->plain_policy_layers(), "relu", 6, front);
  MlpBackprop value(ac->plain_value_layers(), "relu", 6, std::nullopt, /*input_grad=*/true);
  REQUIRE(torch::allclose(policy.forward(bits), logits.detach(), 1e-5, 1e-6));
  REQUIRE(torch::allclose(value.forward(policy.front_output()).squeeze(1), values.detach(), 1e-5, 1e-6));
  for (auto& p : ac->parameters()) p.mutable_grad().zero_();
  policy.backward_layers(dlogits);
  value.backward(dvalues.unsqueeze(1));
  policy.backward_front(value.input_grad());
  const auto params = ac->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    CAPTURE(i);
    REQUIRE(torch::allclose(params[i].grad(), want[i], 1e-4, 1e-6));
  }
  // Without the value network's share, the convolution's gradient is the policy's alone: wrong.
  policy.backward(dlogits);
  REQUIRE(!torch::allclose(params[0].grad(), want[0], 1e-4, 1e-6));
}

TEST_CASE("nets: flat parameters keep the module working and clip as LibTorch does") {
  torch::manual_seed(2);
  QNetwork a(QNetworkOptions(MLPOptions(4).hidden({16}), 2));
  QNetwork b(QNetworkOptions(MLPOptions(4).hidden({16}), 2));
  {
    torch::NoGradGuard g;
    for (std::size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
  }
  FlatParameters flat(b->parameters());
  const auto x = torch::randn({6, 4});
  CHECK(torch::allclose(a->forward(x), b->forward(x)));  // same values after flattening
  (a->forward(x).pow(2).sum() * 100).backward();
  flat.zero_grad();
  (b->forward(x).pow(2).sum() * 100).backward();  // autograd writes into the flat gradient
  const double want = torch::nn::utils::clip_grad_norm_(a->parameters(), 1.0);
  const double got = flat.clip_grad_norm(1.0).item<double>();
  CHECK(got == doctest::Approx(want).epsilon(1e-5));
  for (std::size_t i = 0; i < a->parameters().size(); ++i)
    CHECK(torch::allclose(a->parameters()[i].grad(), b->parameters()[i].grad(), 1e-5, 1e-7));
  CHECK(flat.flat().grad().norm().item<double>() == doctest::Approx(1.0).epsilon(1e-4));
  // Loading replaces the parameters' storage; relink() points them back at the same flat tensor
  // (an optimizer holds it), so optimizer steps keep reaching the module.
  const void* before = flat.flat().data_ptr();
  {
    torch::NoGradGuard g;
    for (auto& p : b->parameters()) p.set_(p.clone().fill_(0.5));
  }
  flat.relink();
  CHECK(flat.flat().data_ptr() == before);
  CHECK(flat.flat().eq(0.5).all().item<bool>());
  {
    torch::NoGradGuard g;
    flat.flat().fill_(0.25);
  }
  for (const auto& p : b->parameters()) CHECK(p.eq(0.25).all().item<bool>());
}

TEST_CASE("nets: the fused Adam and AdamW steps follow torch::optim") {
  for (bool decoupled : {false, true}) {
    CAPTURE(decoupled);
    torch::manual_seed(3);
    auto p1 = torch::randn({1000}), p2 = p1.clone();
    std::unique_ptr<torch::optim::Optimizer> ref, fused;
    if (decoupled) {
      ref = std::make_unique<torch::optim::AdamW>(std::vector{p1}, torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
      fused = std::make_unique<torch::optim::AdamW>(std::vector{p2}, torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
    } else {
      ref = std::make_unique<torch::optim::Adam>(std::vector{p1}, torch::optim::AdamOptions(1e-2).weight_decay(0.01));
      fused = std::make_unique<torch::optim::Adam>(std::vector{p2}, torch::optim::AdamOptions(1e-2).weight_decay(0.01));
    }
    for (int step = 0; step < 20; ++step) {
      const auto g = torch::randn({1000});
      p1.mutable_grad() = g.clone();
      p2.mutable_grad() = g.clone();
      ref->step();
      optimizer_step(*fused);
    }
    CHECK(torch::allclose(p1, p2, 1e-5, 1e-6));
  }
}

TEST_CASE("nets: the fused RMSprop step follows torch::optim::RMSprop") {
  for (bool centered : {false, true}) {
    CAPTURE(centered);
    torch::manual_seed(4);
    auto p1 = torch::randn({1000}), p2 = p1.clone(), p3 = p1.clone();
    // DQN's MinAtar settings (alpha 0.95, eps 0.01)
    const auto opts = torch::optim::RMSpropOptions(2.5e-4).alpha(0.95).eps(0.01).centered(centered);
    torch::optim::RMSprop ref(std::vector{p1}, opts), fused(std::vector{p2}, opts);
    torch::optim::RMSprop with_momentum(std::vector{p3}, torch::optim::RMSpropOptions(opts).momentum(0.9));
    for (int step = 0; step < 20; ++step) {
      const auto g = torch::randn({1000});
      p1.mutable_grad() = g.clone();
      p2.mutable_grad() = g.clone();
      p3.mutable_grad() = g.clone();
      ref.step();
      optimizer_step(fused);
      optimizer_step(with_momentum);  // not fused: LibTorch's own step
    }
    CHECK(torch::equal(p1, p2));  // the same operations, fused as LibTorch's AVX2 kernels fuse them
    CHECK(!torch::allclose(p1, p3));
    auto& st = static_cast<torch::optim::RMSpropParamState&>(*fused.state().begin()->second);
    CHECK(st.step() == 20);
  }
}
