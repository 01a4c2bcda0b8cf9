#include "nets/detection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  Catalog::global().add(
      {"net", "grid_detector", "YOLO-style grid detector: conv stages, one box per cell ([task] kind = \"detect\")",
       {{.name = "channels", .type = KeyType::kIntList, .default_value = std::vector<std::int64_t>{32, 64, 128},
         .help = "channels of each stage (3x3 conv, batch norm, ReLU, 2x2 max pool): the grid is the image's side / 2^stages",
         .min = 1, .max = 4096}}});
  return true;
}();

float area(const Box& b) { return std::max(0.0f, b.x1 - b.x0) * std::max(0.0f, b.y1 - b.y0); }

}  // namespace

float iou(const Box& a, const Box& b) {
  const float w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0), h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0.0f;
  const float inter = w * h;
  return inter / (area(a) + area(b) - inter);
}

std::vector<Box> non_max_suppression(std::vector<Box> boxes, float iou_threshold) {
  std::stable_sort(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) { return a.score > b.score; });
  std::vector<Box> kept;
  for (const Box& b : boxes) {
    bool keep = true;
    for (const Box& k : kept)
      if (k.cls == b.cls && iou(k, b) >= iou_threshold) {
        keep = false;
        break;
      }
    if (keep) kept.push_back(b);
  }
  return kept;
}

MapResult mean_average_precision(const std::vector<std::vector<Box>>& detections,
                                 const std::vector<std::vector<Box>>& truths, int classes, float iou_threshold) {
  if (detections.size() != truths.size()) throw std::invalid_argument("mean_average_precision: one detection list per image");
  MapResult r;
  r.ap.assign(static_cast<std::size_t>(classes), std::numeric_limits<double>::quiet_NaN());
  double sum = 0;
  int counted = 0;
  for (int c = 0; c < classes; ++c) {
    struct Det {
      float score;
      std::size_t image;
      const Box* box;
    };
    std::vector<Det> dets;
    std::size_t positives = 0;
    std::vector<std::vector<bool>> matched(truths.size());
    for (std::size_t i = 0; i < truths.size(); ++i) {
      matched[i].assign(truths[i].size(), false);
      for (const Box& t : truths[i]) positives += t.cls == c;
      for (const Box& d : detections[i])
        if (d.cls == c) dets.push_back({d.score, i, &d});
    }
    if (positives == 0) continue;
    std::stable_sort(dets.begin(), dets.end(), [](const Det& a, const Det& b) { return a.score > b.score; });
    std::vector<double> precision, recall;
    std::size_t tp = 0, fp = 0;
    for (const Det& d : dets) {
      float best = 0;
      std::ptrdiff_t best_j = -1;
      const auto& image_truths = truths[d.image];
      for (std::size_t j = 0; j < image_truths.size(); ++j) {
        if (image_truths[j].cls != c || matched[d.image][j]) continue;
        const float o = iou(*d.box, image_truths[j]);
        if (o > best) best = o, best_j = static_cast<std::ptrdiff_t>(j);
      }
      if (best_j >= 0 && best >= iou_threshold) {
        matched[d.image][static_cast<std::size_t>(best_j)] = true;
        ++tp;
      } else {
        ++fp;
      }
      precision.push_back(static_cast<double>(tp) / static_cast<double>(tp + fp));
      recall.push_back(static_cast<double>(tp) / static_cast<double>(positives));
    }
    // Monotone precision from the right, then the area under the steps.
    for (std::size_t k = precision.size(); k-- > 1;) precision[k - 1] = std::max(precision[k - 1], precision[k]);
    double ap = 0, last_recall = 0;
    for (std::size_t k = 0; k < precision.size(); ++k) {
      ap += (recall[k] - last_recall) * precision[k];
      last_recall = recall[k];
    }
    r.ap[static_cast<std::size_t>(c)] = ap;
    sum += ap;
    ++counted;
  }
  r.map = counted ? sum / counted : 0.0;
  return r;
}

GridTargets encode_targets(const std::vector<std::vector<Box>>& truths, const GridSpec& spec) {
  const auto B = static_cast<std::int64_t>(truths.size());
  const std::int64_t G = spec.grid;
  GridTargets t{torch::zeros({B, G, G}), torch::zeros({B, 4, G, G}), torch::full({B, G, G}, -100, torch::kInt64)};
  auto obj = t.object.accessor<float, 3>();
  auto box = t.box.accessor<float, 4>();
  auto cls = t.cls.accessor<std::int64_t, 3>();
  std::vector<float> owner_area(static_cast<std::size_t>(G * G));
  for (std::int64_t b = 0; b < B; ++b) {
    std::fill(owner_area.begin(), owner_area.end(), 0.0f);
    for (const Box& tb : truths[static_cast<std::size_t>(b)]) {
      const float cx = (tb.x0 + tb.x1) / 2 / spec.cell, cy = (tb.y0 + tb.y1) / 2 / spec.cell;
      const auto gx = std::clamp<std::int64_t>(static_cast<std::int64_t>(cx), 0, G - 1);
      const auto gy = std::clamp<std::int64_t>(static_cast<std::int64_t>(cy), 0, G - 1);
      float& owner = owner_area[static_cast<std::size_t>(gy * G + gx)];
      if (area(tb) <= owner) continue;  // the cell keeps its larger box
      owner = area(tb);
      obj[b][gy][gx] = 1;
      box[b][0][gy][gx] = cx - static_cast<float>(gx);
      box[b][1][gy][gx] = cy - static_cast<float>(gy);
      box[b][2][gy][gx] = std::log((tb.x1 - tb.x0) / spec.cell);
      box[b][3][gy][gx] = std::log((tb.y1 - tb.y0) / spec.cell);
      cls[b][gy][gx] = tb.cls;
    }
  }
  return t;
}

DetectionLoss detection_loss(const torch::Tensor& out, const GridTargets& t, double box_weight) {
  const double batch = static_cast<double>(out.size(0));
  const torch::Tensor obj_logit = out.select(1, 0);
  const torch::Tensor object = torch::binary_cross_entropy_with_logits(obj_logit, t.object, {}, {}, at::Reduction::Sum) / batch;
  const torch::Tensor mask = t.object.unsqueeze(1);  // [B, 1, G, G]
  const torch::Tensor pred = torch::cat({torch::sigmoid(out.slice(1, 1, 3)), out.slice(1, 3, 5)}, 1);
  const torch::Tensor box = box_weight * ((pred - t.box).pow(2) * mask).sum() / batch;
  const torch::Tensor cls =
      torch::nn::functional::cross_entropy(out.slice(1, 5), t.cls,
                                           torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum)) /
      batch;
  return {object + box + cls, object.detach(), box.detach(), cls.detach()};
}

std::vector<std::vector<Box>> decode_detections(const torch::Tensor& out, const GridSpec& spec, float min_score,
                                                float nms_iou) {
  const torch::Tensor o = out.detach().to(torch::kCPU).to(torch::kFloat32);
  const torch::Tensor object = torch::sigmoid(o.select(1, 0));          // [B, G, G]
  const torch::Tensor probs = torch::softmax(o.slice(1, 5), 1);         // [B, C, G, G]
  const auto [best_p, best_c] = probs.max(1);                           // [B, G, G]
  const torch::Tensor score = (object * best_p).contiguous();
  const torch::Tensor offs = torch::sigmoid(o.slice(1, 1, 3)).contiguous(), sizes = torch::exp(o.slice(1, 3, 5)).contiguous();
  auto s = score.accessor<float, 3>();
  auto c = best_c.accessor<std::int64_t, 3>();
  auto off = offs.accessor<float, 4>();
  auto size = sizes.accessor<float, 4>();
  std::vector<std::vector<Box>> result(static_cast<std::size_t>(o.size(0)));
  for (std::int64_t b = 0; b < o.size(0); ++b) {
    std::vector<Box> boxes;
    for (std::int64_t y = 0; y < o.size(2); ++y)
      for (std::int64_t x = 0; x < o.size(3); ++x) {
        if (s[b][y][x] < min_score) continue;
        const float cx = (static_cast<float>(x) + off[b][0][y][x]) * spec.cell;
        const float cy = (static_cast<float>(y) + off[b][1][y][x]) * spec.cell;
        const float w = size[b][0][y][x] * spec.cell, h = size[b][1][y][x] * spec.cell;
        boxes.push_back({cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, static_cast<int>(c[b][y][x]), s[b][y][x]});
      }
    result[static_cast<std::size_t>(b)] = non_max_suppression(std::move(boxes), nms_iou);
  }
  return result;
}

GridDetectorOptions grid_detector_options_from(const Config& cfg, std::int64_t in_channels, std::int64_t classes) {
  return {.in_channels = in_channels, .classes = classes, .channels = cfg.get_int_list("net.channels")};
}

GridDetectorImpl::GridDetectorImpl(GridDetectorOptions opts) : options(std::move(opts)) {
  if (options.channels.empty()) throw std::invalid_argument("grid_detector: [net] channels needs at least one stage");
  std::int64_t in = options.in_channels;
  for (const std::int64_t ch : options.channels) {
    body_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, ch, 3).padding(1).bias(false)));
    body_->push_back(torch::nn::BatchNorm2d(ch));
    body_->push_back(torch::nn::ReLU());
    body_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    in = ch;
  }
  body_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, in, 3).padding(1).bias(false)));
  body_->push_back(torch::nn::BatchNorm2d(in));
  body_->push_back(torch::nn::ReLU());
  register_module("body", body_);
  head_ = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, 5 + options.classes, 1)));
  // Start with few objects everywhere (RetinaNet's prior: sigmoid(bias) = 0.01), so the many empty cells
  // do not swamp the first updates.
  torch::NoGradGuard no_grad;
  head_->bias.zero_();
  head_->bias[0].fill_(-std::log(99.0));
}

torch::Tensor GridDetectorImpl::forward(const torch::Tensor& images) { return head_(body_->forward(images)); }

}  // namespace pavlov::nets
