// Detection (nets/detection.h): IoU, NMS and VOC mAP on cases worked by hand;
// the grid targets decode back to the boxes they encode (mAP 1, zero box and
// class loss); the larger box keeps a shared cell.
#include "nets/detection.h"

#include <doctest/doctest.h>

#include <cmath>
#include <torch/torch.h>

using pavlov::nets::Box;

TEST_CASE("detection: IoU and non-maximum suppression by hand") {
  const Box a{0, 0, 10, 10}, b{5, 0, 15, 10}, c{20, 20, 30, 30};
  CHECK(pavlov::nets::iou(a, b) == doctest::Approx(50.0 / 150.0));
  CHECK(pavlov::nets::iou(a, c) == 0.0f);
  CHECK(pavlov::nets::iou(a, a) == doctest::Approx(1.0));
  // Three overlapping boxes of class 0 (IoU 0.33 and 0.82 with the best) and one of class 1 on top.
  std::vector<Box> boxes = {{5, 0, 15, 10, 0, 0.6f}, {0, 0, 10, 10, 0, 0.9f}, {1, 0, 11, 10, 0, 0.8f}, {0, 0, 10, 10, 1, 0.5f}};
  const auto kept = pavlov::nets::non_max_suppression(boxes, 0.5f);
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].score == 0.9f);
  CHECK(kept[1].score == 0.6f);  // overlaps the best by 1/3 < 0.5: kept
  CHECK(kept[2].cls == 1);       // another class is never suppressed
}

TEST_CASE("detection: VOC average precision by hand") {
  // Image 0 holds truth A, image 1 truth B. Detections by score: a hit on A, a miss in image 1,
  // a second hit on A (a duplicate: false positive), a hit on B.
  const std::vector<std::vector<Box>> truths = {{{0, 0, 10, 10, 0}}, {{20, 20, 30, 30, 0}}};
  const std::vector<std::vector<Box>> dets = {{{0, 0, 10, 10, 0, 0.9f}, {1, 1, 10, 10, 0, 0.6f}},
                                              {{0, 0, 5, 5, 0, 0.8f}, {21, 20, 30, 30, 0, 0.5f}}};
  // precision 1, 1/2, 1/3, 1/2 at recall 1/2, 1/2, 1/2, 1; made monotone: 1, 1/2, 1/2, 1/2.
  // AP = 1/2 * 1 + 1/2 * 1/2 = 0.75.
  const auto r = pavlov::nets::mean_average_precision(dets, truths, 2);
  CHECK(r.ap[0] == doctest::Approx(0.75));
  CHECK(std::isnan(r.ap[1]));  // no truths of class 1: not counted
  CHECK(r.map == doctest::Approx(0.75));
  // At IoU 0.95 the hit on B (IoU 0.9) no longer counts: recall tops out at 1/2.
  CHECK(pavlov::nets::mean_average_precision(dets, truths, 2, 0.95f).map == doctest::Approx(0.5));
  // The wrong class is a miss.
  const std::vector<std::vector<Box>> wrong = {{{0, 0, 10, 10, 1, 0.9f}}, {}};
  CHECK(pavlov::nets::mean_average_precision(wrong, truths, 2).map == 0.0);
}

TEST_CASE("detection: grid targets decode back to their boxes") {
  const pavlov::nets::GridSpec spec{.grid = 8, .cell = 8, .classes = 4};
  const std::vector<std::vector<Box>> truths = {
      {{3, 5, 20, 17, 2}, {40, 40, 60, 52, 0}},
      {{10, 30, 14, 38, 3}, {9, 29, 15, 39, 1}},  // same centre cell: the larger (class 1) keeps it
  };
  const auto t = pavlov::nets::encode_targets(truths, spec);
  CHECK(t.object.sum().item<float>() == 3.0f);
  CHECK(t.cls[1][4][1].item<std::int64_t>() == 1);
  // The outputs a perfect network would give: logits of +-12, offsets through the inverse sigmoid.
  torch::Tensor out = torch::zeros({2, 9, 8, 8});
  out.select(1, 0).copy_(t.object * 24 - 12);
  const torch::Tensor off = t.box.slice(1, 0, 2).clamp(1e-4, 1 - 1e-4);
  out.slice(1, 1, 3).copy_(torch::log(off / (1 - off)));
  out.slice(1, 3, 5).copy_(t.box.slice(1, 2, 4));
  out.slice(1, 5).copy_(torch::one_hot(t.cls.clamp_min(0), 4).permute({0, 3, 1, 2}).to(torch::kFloat32) * 12);
  const auto loss = pavlov::nets::detection_loss(out, t);
  CHECK(loss.box.item<float>() < 1e-6f);
  CHECK(loss.cls.item<float>() < 1e-3f);
  const auto dets = pavlov::nets::decode_detections(out, spec, 0.5f);
  REQUIRE(dets[0].size() == 2);
  REQUIRE(dets[1].size() == 1);
  CHECK(dets[1][0].cls == 1);
  CHECK(dets[1][0].x0 == doctest::Approx(9.0).epsilon(1e-3));
  CHECK(dets[1][0].y1 == doctest::Approx(39.0).epsilon(1e-3));
  const std::vector<std::vector<Box>> kept = {truths[0], {truths[1][1]}};
  CHECK(pavlov::nets::mean_average_precision(dets, kept, 4).map == doctest::Approx(1.0));
}

TEST_CASE("grid detector: output grid and the object prior") {
  torch::manual_seed(0);
  pavlov::nets::GridDetector net(pavlov::nets::GridDetectorOptions{.in_channels = 3, .classes = 4, .channels = {8, 8, 8}});
  net->eval();
  const torch::Tensor out = net(torch::rand({2, 3, 64, 64}));
  CHECK(out.sizes() == torch::IntArrayRef({2, 9, 8, 8}));
  CHECK(net->stride() == 8);
  // Untrained, every cell says "probably nothing" (sigmoid(bias) = 0.01 before the features move it).
  CHECK(torch::sigmoid(out.select(1, 0)).mean().item<float>() < 0.05f);
}
