// [task] kind = "detect": a grid detector ([net] type = "grid_detector",
// nets/detection.h) finds the shapes of generated scenes (dataset = "shapes",
// nets/data/shapes.h): a box and a class (circle, square, triangle, star) for
// every shape that stays visible. Training, validation and test scenes come
// from disjoint seeds; each epoch visits the training scenes in an order drawn
// from the run's seed and the epoch (so a resumed run goes on identically).
//
// Per epoch: a metrics.csv / TensorBoard row (training loss and its
// objectness, box and class parts, validation and test mAP@0.5, lr,
// images/s), a checkpoint, checkpoints/best.ckpt at the best validation mAP.
// At the end: eval.json (the final network's test mAP@0.5 and per-class AP,
// also mAP at IoU 0.75) and, where PNGs can be written, detections.png (16
// test scenes, the boxes scored >= 0.3 drawn in their class's colour).
#include <chrono>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <torch/torch.h>

#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/io/binary.h"
#include "engine/io/checkpoint.h"
#include "engine/io/files.h"
#include "engine/io/metrics.h"
#include "engine/render/image_io.h"
#include "engine/runtime/device.h"
#include "engine/runtime/task.h"
#include "nets/archive.h"
#include "nets/data/shapes.h"
#include "nets/detection.h"
#include "nets/flat_parameters.h"
#include "nets/optim.h"

namespace pavlov::nets {
namespace {

constexpr int kShapeClasses = 4;  // data::kShapeClasses without the background
constexpr std::int64_t kEvalBatch = 250;

struct Scenes {
  std::int64_t count = 0, size = 0;
  std::vector<std::uint8_t> pixels;      // [count, 3, size, size]
  std::vector<std::vector<Box>> boxes;   // per scene, classes 0..3
};

Scenes make_scenes(const std::string& split, std::int64_t count, int size, std::uint64_t base) {
  Scenes s;
  s.count = count;
  s.size = size;
  const std::size_t plane = static_cast<std::size_t>(size) * size;
  s.pixels.resize(static_cast<std::size_t>(count) * 3 * plane);
  s.boxes.resize(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const data::ShapeScene scene =
        data::make_shape_scene(data::shape_scene_seed(split, static_cast<std::uint64_t>(i), base), {.size = size});
    std::uint8_t* out = &s.pixels[static_cast<std::size_t>(i) * 3 * plane];
    for (std::size_t p = 0; p < plane; ++p)
      for (std::size_t ch = 0; ch < 3; ++ch) out[ch * plane + p] = scene.rgb[p * 3 + ch];  // HWC -> CHW
    for (const data::ShapeBox& b : scene.boxes)
      s.boxes[static_cast<std::size_t>(i)].push_back({static_cast<float>(b.x0), static_cast<float>(b.y0),
                                                      static_cast<float>(b.x1), static_cast<float>(b.y1), b.cls - 1, 1.0f});
  }
  return s;
}

class DetectTask : public Task {
 public:
  explicit DetectTask(const Config& cfg) : cfg_(cfg), schedule_(cfg) {
    if (cfg.get_string("task.dataset") != "shapes")
      throw std::invalid_argument("task.kind = \"detect\" finds shapes in scenes: dataset = \"shapes\"");
    if (cfg.get_string("net.type") != "grid_detector")
      throw std::invalid_argument("task.kind = \"detect\" needs [net] type = \"grid_detector\", not \"" +
                                  cfg.get_string("net.type") + "\"");
    device_name_ = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
    device_ = torch::Device(device_name_);
    seed_ = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
    epochs_ = cfg.get_int("task.epochs");
    batch_size_ = cfg.get_int("task.batch_size");
    grad_clip_ = cfg.get_float("optimizer.grad_clip");
    const int size = static_cast<int>(cfg.get_int("task.image_size"));
    torch::manual_seed(derive_seed(seed_, 0xDE7));
    net_ = GridDetector(grid_detector_options_from(cfg, 3, kShapeClasses));
    if (size % net_->stride() != 0)
      throw std::invalid_argument("task.image_size = " + std::to_string(size) + " is not divisible by the detector's stride " +
                                  std::to_string(net_->stride()) + " (2 per [net] channels stage)");
    spec_ = {.grid = static_cast<int>(size / net_->stride()), .cell = static_cast<float>(net_->stride()), .classes = kShapeClasses};
    const auto fraction = cfg.get_float("task.data_fraction");
    train_ = make_scenes("train", std::max<std::int64_t>(1, static_cast<std::int64_t>(cfg.get_int("task.scenes") * fraction)),
                         size, seed_);
    val_ = make_scenes("val", std::max<std::int64_t>(1, cfg.get_int("task.val_size")), size, seed_);
    test_ = make_scenes("test", cfg.get_int("task.test_size"), size, seed_);
    net_->to(device_);
    flat_ = std::make_unique<FlatParameters>(net_->parameters());
    optimizer_ = make_optimizer(cfg, {flat_->flat()});
  }

  const std::string& device() const override { return device_name_; }

  bool run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) override {
    if (resume)
      if (const auto latest = io::latest_checkpoint(dir)) restore(io::read_checkpoint(*latest));
    io::MetricsLog log(dir, {"epoch", "wall_time", "images_per_s", "train_loss", "object_loss", "box_loss", "class_loss",
                             "val_map", "test_map", "lr"},
                       resume ? epochs_done_ : -1);
    const auto t_start = std::chrono::steady_clock::now();
    auto seconds_since = [](std::chrono::steady_clock::time_point t) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    const std::int64_t per_epoch = (train_.count + batch_size_ - 1) / batch_size_;
    const std::int64_t numel = 3 * train_.size * train_.size;
    std::vector<std::int64_t> order(static_cast<std::size_t>(train_.count));
    torch::Tensor images = torch::empty({batch_size_, 3, train_.size, train_.size}, torch::kUInt8);
    std::vector<std::vector<Box>> truths;
    for (std::int64_t epoch = epochs_done_; epoch < epochs_; ++epoch) {
      const auto t_epoch = std::chrono::steady_clock::now();
      std::iota(order.begin(), order.end(), 0);
      Rng rng(derive_seed(seed_, 0x0DE7 + static_cast<std::uint64_t>(epoch)));
      for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
      double sums[4] = {0, 0, 0, 0}, lr = 0;
      for (std::int64_t b = 0; b < per_epoch; ++b) {
        if (stop && stop->load()) return false;  // the last finished epoch's checkpoint stays the resume point
        const std::int64_t first = b * batch_size_, n = std::min(batch_size_, train_.count - first);
        truths.clear();
        for (std::int64_t k = 0; k < n; ++k) {
          const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(first + k)]);
          std::copy_n(&train_.pixels[i * static_cast<std::size_t>(numel)], numel, images.data_ptr<std::uint8_t>() + k * numel);
          truths.push_back(train_.boxes[i]);
        }
        const double progress = (static_cast<double>(epoch) + static_cast<double>(b) / per_epoch) / epochs_;
        lr = schedule_.at(progress);
        schedule_.apply(*optimizer_, progress);
        const torch::Tensor x = images.narrow(0, 0, n).to(device_).to(torch::kFloat32).mul_(1.0 / 255.0);
        GridTargets t = encode_targets(truths, spec_);
        t = {t.object.to(device_), t.box.to(device_), t.cls.to(device_)};
        const DetectionLoss loss = detection_loss(net_(x), t);
        flat_->zero_grad();
        loss.total.backward();
        flat_->clip_grad_norm(grad_clip_);
        optimizer_step(*optimizer_);
        sums[0] += loss.total.item<double>();
        sums[1] += loss.object.item<double>();
        sums[2] += loss.box.item<double>();
        sums[3] += loss.cls.item<double>();
      }
      const double epoch_s = seconds_since(t_epoch);
      const double val_map = evaluate(val_).map, test_map = evaluate(test_).map;
      epochs_done_ = epoch + 1;
      const bool better = val_map > best_val_;
      if (better) best_val_ = val_map;
      const double nb = static_cast<double>(per_epoch);
      log.row({static_cast<double>(epoch + 1), seconds_since(t_start), static_cast<double>(train_.count) / epoch_s,
               sums[0] / nb, sums[1] / nb, sums[2] / nb, sums[3] / nb, val_map, test_map, lr});
      std::cerr << "epoch " << epoch + 1 << "/" << epochs_ << std::setprecision(4) << "  loss " << sums[0] / nb
                << " (object " << sums[1] / nb << ", box " << sums[2] / nb << ", class " << sums[3] / nb
                << ")  mAP@0.5: val " << val_map << "  test " << test_map << "  ("
                << static_cast<std::int64_t>(static_cast<double>(train_.count) / epoch_s) << " images/s)\n";
      const auto sections = this->sections();
      if (better) io::write_checkpoint(dir / "checkpoints" / "best.ckpt", sections);
      io::save_run_checkpoint(dir, epoch + 1, sections);
    }
    finish(dir);
    return true;
  }

 private:
  std::vector<std::vector<Box>> detect(const Scenes& set) {
    torch::NoGradGuard no_grad;
    net_->eval();
    std::vector<std::vector<Box>> out;
    const std::int64_t numel = 3 * set.size * set.size;
    for (std::int64_t first = 0; first < set.count; first += kEvalBatch) {
      const std::int64_t n = std::min(kEvalBatch, set.count - first);
      const torch::Tensor x =
          torch::from_blob(const_cast<std::uint8_t*>(&set.pixels[static_cast<std::size_t>(first * numel)]),
                           {n, 3, set.size, set.size}, torch::kUInt8)
              .to(device_)
              .to(torch::kFloat32)
              .mul_(1.0 / 255.0);
      for (auto& boxes : decode_detections(net_(x), spec_)) out.push_back(std::move(boxes));
    }
    net_->train();
    return out;
  }

  MapResult evaluate(const Scenes& set, float iou_threshold = 0.5f) {
    return mean_average_precision(detect(set), set.boxes, kShapeClasses, iou_threshold);
  }

  void finish(const std::filesystem::path& dir) {
    const auto detections = detect(test_);
    const MapResult at50 = mean_average_precision(detections, test_.boxes, kShapeClasses, 0.5f);
    const MapResult at75 = mean_average_precision(detections, test_.boxes, kShapeClasses, 0.75f);
    if (png_supported()) save_png(picture(detections), dir / "detections.png");
    std::ostringstream json;
    json << "{\n  \"task\": \"detect\",\n  \"dataset\": \"shapes\",\n  \"test_scenes\": " << test_.count
         << ",\n  \"test_map50\": " << io::json_number(at50.map) << ",\n  \"test_map75\": " << io::json_number(at75.map) << ",\n  \"test_ap50\": {";
    for (int c = 0; c < kShapeClasses; ++c)
      json << (c ? ", " : "") << "\"" << data::kShapeClasses[static_cast<std::size_t>(c + 1)] << "\": "
           << io::json_number(at50.ap[static_cast<std::size_t>(c)]);
    json << "},\n  \"best_val_map50\": " << io::json_number(best_val_) << ",\n  \"epochs\": " << epochs_done_ << ",\n  \"time\": \""
         << io::utc_iso8601() << "\"\n}\n";
    io::write_file_atomic(dir / "eval.json", json.str());
  }

  // 16 test scenes (4 x 4), twice the size, with their detections scored >= 0.3 outlined.
  Image picture(const std::vector<std::vector<Box>>& detections) const {
    constexpr int kScale = 2, kGap = 4;
    const int side = static_cast<int>(test_.size) * kScale, cell = side + kGap;
    const int shown = static_cast<int>(std::min<std::int64_t>(16, test_.count));
    Image img(4 * cell + kGap, ((shown + 3) / 4) * cell + kGap);
    std::fill(img.rgb.begin(), img.rgb.end(), 255);
    const std::size_t plane = static_cast<std::size_t>(test_.size * test_.size);
    auto put = [&](int x, int y, const std::uint8_t* c) {
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
      std::uint8_t* q = img.rgb.data() + (static_cast<std::size_t>(y) * img.width + x) * 3;
      q[0] = c[0], q[1] = c[1], q[2] = c[2];
    };
    for (int k = 0; k < shown; ++k) {
      const int ox = kGap + (k % 4) * cell, oy = kGap + (k / 4) * cell;
      const std::uint8_t* px = &test_.pixels[static_cast<std::size_t>(k) * 3 * plane];
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
          const std::size_t p = static_cast<std::size_t>(y / kScale) * test_.size + x / kScale;
          const std::uint8_t c[3] = {px[p], px[plane + p], px[2 * plane + p]};
          put(ox + x, oy + y, c);
        }
      for (const Box& b : detections[static_cast<std::size_t>(k)]) {
        if (b.score < 0.3f) continue;
        const std::uint8_t* c = data::kShapeClassColours[b.cls + 1];  // cls counts from the first shape
        const int x0 = ox + static_cast<int>(std::lround(b.x0 * kScale)), x1 = ox + static_cast<int>(std::lround(b.x1 * kScale)) - 1;
        const int y0 = oy + static_cast<int>(std::lround(b.y0 * kScale)), y1 = oy + static_cast<int>(std::lround(b.y1 * kScale)) - 1;
        for (int x = x0; x <= x1; ++x) put(x, y0, c), put(x, y1, c);
        for (int y = y0; y <= y1; ++y) put(x0, y, c), put(x1, y, c);
      }
    }
    return img;
  }

  io::CheckpointSections sections() {
    std::ostringstream progress;
    io::write_pod(progress, epochs_done_);
    io::write_pod(progress, best_val_);
    return {{"detect", progress.str()},
            {"model", saved_bytes(*net_)},
            {"optimizer", saved_bytes(*optimizer_)}};
  }

  void restore(const io::CheckpointSections& s) {
    auto it = s.find("detect");
    if (it == s.end()) throw std::runtime_error("the checkpoint is not a detector's");
    std::istringstream progress(it->second);
    epochs_done_ = io::read_pod<std::int64_t>(progress);
    best_val_ = io::read_pod<double>(progress);
    load_saved(s.at("model"), device_, *net_);
    flat_->relink();
    load_saved(s.at("optimizer"), device_, *optimizer_);
  }

  const Config& cfg_;
  LrSchedule schedule_;
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  std::uint64_t seed_ = 0;
  std::int64_t epochs_ = 0, batch_size_ = 0;
  double grad_clip_ = 0;
  GridSpec spec_;
  Scenes train_, val_, test_;
  GridDetector net_{nullptr};
  std::unique_ptr<FlatParameters> flat_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::int64_t epochs_done_ = 0;
  double best_val_ = -1;
};

const bool kRegistered =
    register_task("detect", [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<DetectTask>(cfg); });

}  // namespace
}  // namespace pavlov::nets
