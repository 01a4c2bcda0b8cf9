// pavlov::nets detection: a YOLO-style grid detector (Redmon et al., 2016,
// with YOLOv2's sigmoid cell offsets and log-size targets), its targets,
// loss and decoding, non-maximum suppression, and mAP.
//
// The image is cut into grid x grid cells of `cell` pixels. The cell that
// holds a box's centre is responsible for it and predicts, per cell:
//   objectness logit o        the cell holds a box's centre
//   tx, ty                    the centre's offset in the cell: sigmoid(tx), sigmoid(ty) in (0, 1)
//   tw, th                    the size: w = cell * exp(tw), h = cell * exp(th)
//   `classes` class logits    which shape (softmax)
// so the network's output is [B, 5 + classes, grid, grid]. Two boxes whose
// centres share a cell: the larger is the cell's target (the other is lost,
// a known limit of one box per cell). A detection's score is sigmoid(o) times
// its class's probability; per class, boxes overlapping a better one by IoU
// >= nms_iou are dropped.
//
// mean_average_precision is PASCAL VOC's (2010 on): per class, detections of
// all images by decreasing score, a detection is a true positive when its
// best-overlapping unmatched truth of the same class in its image has IoU >=
// iou_threshold; AP is the area under the precision-recall curve with
// precision made monotone (all points interpolated); mAP is the mean over
// the classes that have truths.
#pragma once

#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <vector>

namespace pavlov {
class Config;
}

namespace pavlov::nets {

struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixels, x0 < x1, y0 < y1
  int cls = 0;                           // 0 .. classes - 1
  float score = 1;                       // detections; truths keep 1
};

float iou(const Box& a, const Box& b);

// The boxes that survive non-maximum suppression, best score first (per class).
std::vector<Box> non_max_suppression(std::vector<Box> boxes, float iou_threshold);

struct MapResult {
  double map = 0;
  std::vector<double> ap;  // per class; NaN for a class without truths
};
MapResult mean_average_precision(const std::vector<std::vector<Box>>& detections,
                                 const std::vector<std::vector<Box>>& truths, int classes, float iou_threshold = 0.5f);

struct GridSpec {
  int grid = 8;    // cells per side
  float cell = 8;  // pixels per cell
  int classes = 4;
};

struct GridTargets {
  torch::Tensor object;  // [B, grid, grid] float: 1 where a cell is responsible
  torch::Tensor box;     // [B, 4, grid, grid] float: offset x, offset y, log(w / cell), log(h / cell)
  torch::Tensor cls;     // [B, grid, grid] int64: the class, -100 where no box
};
GridTargets encode_targets(const std::vector<std::vector<Box>>& truths, const GridSpec& spec);

struct DetectionLoss {
  torch::Tensor total, object, box, cls;  // per image, summed over cells
};
// out [B, 5 + classes, grid, grid]; targets on out's device.
DetectionLoss detection_loss(const torch::Tensor& out, const GridTargets& targets, double box_weight = 5.0);

// Detections of each image: cells with score >= min_score, then NMS.
std::vector<std::vector<Box>> decode_detections(const torch::Tensor& out, const GridSpec& spec, float min_score = 0.01f,
                                                float nms_iou = 0.5f);

struct GridDetectorOptions {
  std::int64_t in_channels = 3, classes = 4;
  std::vector<std::int64_t> channels = {32, 64, 128};  // one 3x3 conv + BN + ReLU + 2x2 max pool each
};
// [net] type = "grid_detector" of an experiment file.
GridDetectorOptions grid_detector_options_from(const Config& cfg, std::int64_t in_channels, std::int64_t classes);

// A small fully convolutional backbone: per entry of `channels`, 3x3 conv,
// batch norm, ReLU, 2x2 max pool (so the grid is the image's side / 2^stages),
// then a 3x3 conv, batch norm, ReLU and a 1x1 conv to the 5 + classes outputs.
class GridDetectorImpl : public torch::nn::Module {
 public:
  explicit GridDetectorImpl(GridDetectorOptions options);
  // images [B, C, H, W] in [0, 1] -> [B, 5 + classes, H / 2^stages, W / 2^stages]
  torch::Tensor forward(const torch::Tensor& images);
  std::int64_t stride() const { return std::int64_t{1} << options.channels.size(); }

  GridDetectorOptions options;

 private:
  torch::nn::Sequential body_;
  torch::nn::Conv2d head_{nullptr};
};
TORCH_MODULE(GridDetector);

}  // namespace pavlov::nets
