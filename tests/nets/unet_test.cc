// nets/unet.h: shapes through the U-Net, its skip connections, its errors.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "nets/unet.h"

using pavlov::nets::UNet;
using pavlov::nets::UNetOptions;

TEST_CASE("unet: one logit per class and pixel, at the input's size") {
  torch::manual_seed(1);
  UNet net(UNetOptions{.in_channels = 3, .classes = 5, .channels = {8, 16, 32}});
  const torch::Tensor x = torch::rand({2, 3, 32, 48});
  const torch::Tensor y = net->forward(x);
  CHECK(y.sizes() == torch::IntArrayRef({2, 5, 32, 48}));
  // The logits of a pixel depend on the input far away (the contracting path) and nearby (the skips):
  // changing one corner pixel changes the output there most.
  net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor base = net->forward(x);
  torch::Tensor x2 = x.clone();
  x2.index_put_({0, 0, 0, 0}, 5.0);
  const torch::Tensor diff = (net->forward(x2) - base).abs().sum(1)[0];
  CHECK(diff.index({0, 0}).item<double>() > 0);
  CHECK(diff.index({0, 0}).item<double>() >= diff.index({31, 47}).item<double>());
  CHECK(torch::allclose(net->forward(x2)[1], base[1]));  // another image is untouched
}

TEST_CASE("unet: image sides that the levels cannot halve are an error that says so") {
  UNet net(UNetOptions{.in_channels = 1, .classes = 2, .channels = {4, 8, 16}});
  CHECK_THROWS_WITH(net->forward(torch::rand({1, 1, 30, 32})),
                    "unet: images of 30x32 pixels; with 3 levels their sides must be multiples of 4");
}
