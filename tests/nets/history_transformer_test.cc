// The Transformer agent encoder (nets/history_transformer.h): one token per
// stacked observation, oldest first; the newest token's output depends on
// every frame of its own window, on their order, and on nothing else.
#include "nets/history_transformer.h"

#include <doctest/doctest.h>

#include <torch/torch.h>

#include "nets/actor_critic.h"

namespace {
pavlov::nets::HistoryTransformer make_encoder() {
  torch::manual_seed(5);
  auto net = pavlov::nets::HistoryTransformer(
      pavlov::nets::HistoryTransformerOptions{.frames = 4, .obs_dim = 3, .dim = 16, .heads = 2, .layers = 2});
  net->eval();
  return net;
}
}  // namespace

TEST_CASE("history transformer: each row reads its own window, every frame of it, in order") {
  auto net = make_encoder();
  torch::NoGradGuard no_grad;
  const torch::Tensor obs = torch::randn({3, 4 * 3});
  const torch::Tensor out = net(obs);
  CHECK(out.sizes() == torch::IntArrayRef({3, 16}));

  torch::Tensor other = obs.clone();
  other[1].normal_();  // another window in row 1: rows 0 and 2 unchanged
  const torch::Tensor out2 = net(other);
  CHECK(torch::allclose(out2[0], out[0]));
  CHECK(torch::allclose(out2[2], out[2]));
  CHECK(!torch::allclose(out2[1], out[1]));

  torch::Tensor oldest = obs.clone();
  oldest[0].slice(0, 0, 3).add_(1.0);  // frame 0 (the oldest) of row 0
  CHECK(!torch::allclose(net(oldest)[0], out[0], 1e-4, 1e-5));

  // Swapping the two oldest frames changes the output: positions tell them apart.
  torch::Tensor swapped = obs.clone();
  swapped[0].slice(0, 0, 3).copy_(obs[0].slice(0, 3, 6));
  swapped[0].slice(0, 3, 6).copy_(obs[0].slice(0, 0, 3));
  CHECK(!torch::allclose(net(swapped)[0], out[0], 1e-4, 1e-5));
}

TEST_CASE("history transformer: the newest frame is the last obs_dim numbers of the stack") {
  auto net = make_encoder();
  torch::NoGradGuard no_grad;
  // A window whose frames are all the same is the window of a fresh episode
  // (FrameStack repeats the first observation); only the newest frame
  // differing from the rest must change the output more than an old one.
  const torch::Tensor frame = torch::randn({3});
  const torch::Tensor same = frame.repeat({4}).unsqueeze(0);
  const torch::Tensor base = net(same);
  torch::Tensor newest = same.clone(), oldest = same.clone();
  newest[0].slice(0, 9, 12).add_(0.5);
  oldest[0].slice(0, 0, 3).add_(0.5);
  const double d_newest = (net(newest) - base).norm().item<double>();
  const double d_oldest = (net(oldest) - base).norm().item<double>();
  CHECK(d_newest > 0);
  CHECK(d_oldest > 0);
  CHECK(d_newest > d_oldest);  // the newest token's own input passes the residual stream directly
}

TEST_CASE("actor-critic with a history transformer: one shared encoder, torsos on its features") {
  torch::manual_seed(1);
  pavlov::nets::ActorCriticOptions options(pavlov::nets::MLPOptions(16).hidden({8}), 2, false);
  options.history(pavlov::nets::HistoryTransformerOptions{.frames = 4, .obs_dim = 2, .dim = 16, .heads = 4, .layers = 1});
  pavlov::nets::ActorCritic ac(options);
  const auto [logits, values] = ac->forward(torch::randn({5, 8}));
  CHECK(logits.sizes() == torch::IntArrayRef({5, 2}));
  CHECK(values.sizes() == torch::IntArrayRef({5}));
  CHECK(ac->plain_policy_layers().empty());  // the hand-written MLP fast path does not apply
  std::size_t encoder_params = 0;
  for (const auto& p : ac->named_parameters())
    if (p.key().rfind("history.", 0) == 0) ++encoder_params;
  CHECK(encoder_params > 0);
}
