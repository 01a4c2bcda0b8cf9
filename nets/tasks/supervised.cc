#include "nets/tasks/supervised.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>
#include <torch/torch.h>

#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/env/space.h"
#include "engine/io/binary.h"
#include "engine/io/checkpoint.h"
#include "engine/io/files.h"
#include "engine/io/metrics.h"
#include "engine/render/image_io.h"
#include "engine/runtime/device.h"
#include "nets/archive.h"
#include "nets/conv_encoder.h"
#include "nets/data/batch_loader.h"
#include "nets/data/fashion_mnist.h"
#include "nets/data/shapes.h"
#include "nets/flat_parameters.h"
#include "nets/mlp.h"
#include "nets/optim.h"
#include "nets/unet.h"

namespace pavlov::nets {
namespace {

constexpr std::int64_t kEvalBatch = 1000;

const bool kRegistered = [] {
  for (const char* kind : {"classify", "segment"})
    register_task(kind, [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<SupervisedTask>(cfg); });
  return true;
}();

// [net]'s encoder (if any), its MLP, and a linear head with one logit per class.
class ClassifierImpl : public torch::nn::Module {
 public:
  ClassifierImpl(const std::optional<ConvEncoderOptions>& encoder, const MLPOptions& torso, std::int64_t classes) {
    if (encoder) encoder_ = register_module("encoder", ConvEncoder(*encoder));
    torso_ = register_module("torso", MLP(torso));
    const std::int64_t width = torso.hidden().empty() ? torso.in_features() : torso.hidden().back();
    head_ = register_module("head", torch::nn::Linear(width, classes));
  }
  // rows: [B, C*H*W] float32 pixels in [0, 1]
  torch::Tensor forward(torch::Tensor rows) { return head_(torso_(encoder_ ? encoder_(rows) : rows)); }

 private:
  ConvEncoder encoder_{nullptr};
  MLP torso_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(Classifier);

struct Scores {
  double loss = 0, accuracy = 0, miou = 0;  // accuracy per image or per pixel; miou: segmentation
  std::vector<std::int64_t> confusion;      // [label * classes + predicted]
  // Intersection over union of class c: TP / (TP + FP + FN); NaN when the class is nowhere.
  double iou(std::int64_t c, std::int64_t classes) const {
    double tp = 0, fp = 0, fn = 0;
    for (std::int64_t k = 0; k < classes; ++k) {
      if (k == c) tp += static_cast<double>(confusion[static_cast<std::size_t>(c * classes + c)]);
      else {
        fn += static_cast<double>(confusion[static_cast<std::size_t>(c * classes + k)]);
        fp += static_cast<double>(confusion[static_cast<std::size_t>(k * classes + c)]);
      }
    }
    return tp + fp + fn > 0 ? tp / (tp + fp + fn) : std::numeric_limits<double>::quiet_NaN();
  }
};

}  // namespace

struct SupervisedTask::State {
  const Config& cfg;
  bool segment = false;
  std::vector<std::string> class_names;
  std::string device_name;
  torch::Device device{torch::kCPU};
  data::LabeledImages train, val, test;
  std::int64_t classes = 10;
  Classifier net{nullptr};  // classify
  UNet unet{nullptr};       // segment
  torch::Tensor forward(const torch::Tensor& rows, const data::LabeledImages& like) {
    if (!segment) return net->forward(rows);
    return unet->forward(rows.view({rows.size(0), like.channels, like.height, like.width}));
  }
  torch::nn::Module& module() { return segment ? static_cast<torch::nn::Module&>(*unet) : *net; }
  std::unique_ptr<FlatParameters> flat;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  LrSchedule schedule;
  double grad_clip = 0;
  std::int64_t epochs = 0, batch_size = 0, early_stop = 0;
  std::uint64_t seed = 0;
  // Progress, saved in every checkpoint.
  std::int64_t epochs_done = 0, best_epoch = -1, since_best = 0;
  double best_val = -1;

  explicit State(const Config& c) : cfg(c), schedule(c) {}

  // Segmentation: the first `shown` test scenes, each as scene | true mask | predicted mask
  // (two scenes a row, each pixel doubled; classes in data::kShapeClassColours).
  Image segmentation_picture(std::int64_t shown) {
    torch::NoGradGuard no_grad;
    module().eval();
    shown = std::min(shown, test.count);
    const std::int64_t h = test.height, w = test.width, plane = h * w;
    const torch::Tensor x = torch::from_blob(test.pixels.data(), {shown, test.image_size()}, torch::kUInt8)
                                .to(device)
                                .to(torch::kFloat32)
                                .mul_(1.0 / 255.0);
    const torch::Tensor predicted = forward(x, test).argmax(1).to(torch::kUInt8).to(torch::kCPU).contiguous();
    module().train();
    constexpr int kScale = 2, kGap = 4;
    const int cell_w = static_cast<int>(w) * kScale + kGap, cell_h = static_cast<int>(h) * kScale + kGap;
    Image img(6 * cell_w + kGap, static_cast<int>((shown + 1) / 2) * cell_h + kGap);
    std::fill(img.rgb.begin(), img.rgb.end(), 255);
    auto panel = [&](int ox, int oy, auto colour_of) {  // colour_of(pixel index) -> const uint8_t[3]
      for (int y = 0; y < h * kScale; ++y)
        for (int x = 0; x < w * kScale; ++x) {
          const std::uint8_t* c = colour_of((y / kScale) * w + x / kScale);
          std::uint8_t* q = img.rgb.data() + (static_cast<std::size_t>(oy + y) * img.width + ox + x) * 3;
          q[0] = c[0], q[1] = c[1], q[2] = c[2];
        }
    };
    for (std::int64_t k = 0; k < shown; ++k) {
      const int ox = kGap + static_cast<int>(k % 2) * 3 * cell_w, oy = kGap + static_cast<int>(k / 2) * cell_h;
      const std::uint8_t* px = &test.pixels[static_cast<std::size_t>(k * test.image_size())];
      const std::uint8_t* truth = &test.masks[static_cast<std::size_t>(k * plane)];
      const std::uint8_t* guess = predicted.data_ptr<std::uint8_t>() + k * plane;
      std::uint8_t rgb[3];
      panel(ox, oy, [&](std::int64_t p) {
        for (int ch = 0; ch < 3; ++ch) rgb[ch] = px[ch * plane + p];
        return rgb;
      });
      panel(ox + cell_w, oy, [&](std::int64_t p) { return data::kShapeClassColours[truth[p]]; });
      panel(ox + 2 * cell_w, oy, [&](std::int64_t p) { return data::kShapeClassColours[guess[p]]; });
    }
    return img;
  }

  // Loss, accuracy and the confusion matrix (and mean IoU for segmentation) over a whole set.
  Scores evaluate(const data::LabeledImages& set) {
    torch::NoGradGuard no_grad;
    module().eval();
    Scores s;
    torch::Tensor confusion = torch::zeros({classes * classes}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    double loss = 0;
    for (std::int64_t first = 0; first < set.count; first += kEvalBatch) {
      const std::int64_t n = std::min(kEvalBatch, set.count - first);
      const torch::Tensor x =
          torch::from_blob(const_cast<std::uint8_t*>(&set.pixels[static_cast<std::size_t>(first * set.image_size())]),
                           {n, set.image_size()}, torch::kUInt8)
              .to(device)
              .to(torch::kFloat32)
              .mul_(1.0 / 255.0);
      const torch::Tensor y =
          segment ? torch::from_blob(const_cast<std::uint8_t*>(&set.masks[static_cast<std::size_t>(first * set.mask_size())]),
                                     {n, set.height, set.width}, torch::kUInt8)
                        .to(device)
                        .to(torch::kInt64)
                  : torch::from_blob(const_cast<std::uint8_t*>(&set.labels[static_cast<std::size_t>(first)]), {n},
                                     torch::kUInt8)
                        .to(device)
                        .to(torch::kInt64);
      const torch::Tensor logits = forward(x, set);
      loss += torch::nn::functional::cross_entropy(
                  logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                  .item<double>();
      confusion += torch::bincount((y * classes + logits.argmax(1)).flatten(), {}, classes * classes);
    }
    module().train();
    const torch::Tensor host = confusion.to(torch::kCPU);
    s.confusion.assign(host.data_ptr<std::int64_t>(), host.data_ptr<std::int64_t>() + classes * classes);
    std::int64_t total = 0, correct = 0;
    for (std::int64_t c = 0; c < classes; ++c)
      for (std::int64_t k = 0; k < classes; ++k) {
        total += s.confusion[static_cast<std::size_t>(c * classes + k)];
        if (c == k) correct += s.confusion[static_cast<std::size_t>(c * classes + k)];
      }
    s.loss = loss / static_cast<double>(std::max<std::int64_t>(1, total));
    s.accuracy = static_cast<double>(correct) / static_cast<double>(std::max<std::int64_t>(1, total));
    double sum = 0;
    int present = 0;
    for (std::int64_t c = 0; c < classes; ++c)
      if (const double v = s.iou(c, classes); !std::isnan(v)) sum += v, ++present;
    s.miou = present ? sum / present : 0.0;
    return s;
  }

  io::CheckpointSections sections() {
    std::ostringstream progress;
    io::write_pod(progress, epochs_done);
    io::write_pod(progress, best_epoch);
    io::write_pod(progress, since_best);
    io::write_pod(progress, best_val);
    // LibTorch's CPU generator draws dropout: a resumed run goes on with the same draws.
    const torch::Tensor gen = at::detail::getDefaultCPUGenerator().get_state();
    io::write_vector(progress, std::vector<std::uint8_t>(gen.data_ptr<std::uint8_t>(), gen.data_ptr<std::uint8_t>() + gen.numel()));
    return {{"classify", progress.str()},
            {"model", saved_bytes(module())},
            {"optimizer", saved_bytes(*optimizer)}};
  }

  void restore(const io::CheckpointSections& s) {
    std::istringstream progress(s.at("classify"));
    epochs_done = io::read_pod<std::int64_t>(progress);
    best_epoch = io::read_pod<std::int64_t>(progress);
    since_best = io::read_pod<std::int64_t>(progress);
    best_val = io::read_pod<double>(progress);
    auto gen = io::read_vector<std::uint8_t>(progress);
    at::Generator cpu_generator = at::detail::getDefaultCPUGenerator();
    cpu_generator.set_state(torch::from_blob(gen.data(), {static_cast<std::int64_t>(gen.size())}, torch::kUInt8).clone());
    load_saved(s.at("model"), device, module());
    flat->relink();
    load_saved(s.at("optimizer"), device, *optimizer);
  }
};

SupervisedTask::SupervisedTask(const Config& cfg) : s_(std::make_unique<State>(cfg)) {
  State& s = *s_;
  s.segment = cfg.get_string("task.kind") == "segment";
  const std::string dataset = cfg.get_string("task.dataset");
  const std::string net_type = cfg.get_string("net.type");
  if (s.segment != (dataset == "shapes"))
    throw std::invalid_argument(s.segment ? "task.kind = \"segment\" needs per-pixel labels: dataset = \"shapes\""
                                          : "dataset \"" + dataset + "\" has per-pixel labels: task.kind = \"segment\"");
  if (net_type == "vae") throw std::invalid_argument("[net] type = \"vae\" generates images: it needs task.kind = \"vae\"");
  if (s.segment != (net_type == "unet"))
    throw std::invalid_argument(s.segment ? "task.kind = \"segment\" needs [net] type = \"unet\", not \"" + net_type + "\""
                                          : "[net] type = \"unet\" gives per-pixel classes: it needs task.kind = \"segment\"");
  if (s.segment && cfg.get_float("task.random_erase") > 0)
    throw std::invalid_argument("task.random_erase is for classification: erased pixels would keep their classes in the masks");
  s.device_name = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
  s.device = torch::Device(s.device_name);
  s.seed = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
  s.epochs = cfg.get_int("task.epochs");
  s.batch_size = cfg.get_int("task.batch_size");
  s.early_stop = cfg.get_int("task.early_stop");
  s.grad_clip = cfg.get_float("optimizer.grad_clip");
  const std::int64_t val_size = cfg.get_int("task.val_size");
  const double fraction = cfg.get_float("task.data_fraction");
  auto fraction_of = [&](std::int64_t n) { return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(n * fraction))); };

  if (dataset == "fashion_mnist") {  // the validation images are the last val_size of the training split
    const data::LabeledImages all = data::load_fashion_mnist("train");
    s.test = data::load_fashion_mnist("test");
    if (val_size >= all.count)
      throw std::invalid_argument("task.val_size = " + std::to_string(val_size) + " leaves no training images of " +
                                  std::to_string(all.count));
    const auto usable = all.count - val_size;
    s.train = data::slice(all, 0, fraction_of(usable));
    s.val = data::slice(all, usable, val_size);
    s.class_names.assign(data::kFashionMnistClasses.begin(), data::kFashionMnistClasses.end());
  } else {  // shapes: each split its own seeds
    const data::ShapeSceneOptions scenes{.size = static_cast<int>(cfg.get_int("task.image_size"))};
    s.train = data::make_shapes_dataset("train", fraction_of(cfg.get_int("task.scenes")), scenes, s.seed);
    s.val = data::make_shapes_dataset("val", val_size, scenes, s.seed);
    s.test = data::make_shapes_dataset("test", cfg.get_int("task.test_size"), scenes, s.seed);
    s.class_names.assign(data::kShapeClasses.begin(), data::kShapeClasses.end());
  }
  s.classes = static_cast<std::int64_t>(s.class_names.size());

  torch::manual_seed(derive_seed(s.seed, 0xC1A55));
  if (s.segment) {
    s.unet = UNet(unet_options_from(cfg, "net", s.train.channels, s.classes));
    s.unet->to(s.device);
  } else {  // pixels arrive in [0, 1], so the encoder needs no scaling of its own
    const Space images = Space::box(0.0, 1.0, {s.train.channels, s.train.height, s.train.width});
    const auto encoder = conv_encoder_from(cfg, images, "net");
    const std::int64_t features = encoder ? ConvEncoder(*encoder)->out_features() : images.numel();
    s.net = Classifier(encoder, mlp_options_from(cfg, features, "net"), s.classes);
    s.net->to(s.device);
  }
  s.flat = std::make_unique<FlatParameters>(s.module().parameters());
  s.optimizer = make_optimizer(cfg, {s.flat->flat()});
}

SupervisedTask::~SupervisedTask() = default;

std::vector<SaliencyPanel> SupervisedTask::explain(const std::filesystem::path& checkpoint,
                                                   const std::vector<std::int64_t>& test_indices) {
  State& s = *s_;
  if (s.segment) throw std::invalid_argument("saliency maps explain a classifier's choice; this is a segment run");
  for (const std::int64_t i : test_indices)
    if (i < 0 || i >= s.test.count)
      throw std::invalid_argument("test image " + std::to_string(i) + " does not exist (the test set has " +
                                  std::to_string(s.test.count) + ", 0 to " + std::to_string(s.test.count - 1) + ")");
  s.restore(io::read_checkpoint(checkpoint));
  s.module().eval();
  const std::int64_t numel = s.test.image_size(), h = s.test.height, w = s.test.width, c = s.test.channels;
  std::vector<SaliencyPanel> panels;
  for (const std::int64_t i : test_indices) {
    const std::uint8_t* px = &s.test.pixels[static_cast<std::size_t>(i * numel)];
    const torch::Tensor x = (torch::from_blob(const_cast<std::uint8_t*>(px), {1, numel}, torch::kUInt8).to(torch::kFloat32) / 255.0)
                                .to(s.device)
                                .requires_grad_(true);
    const torch::Tensor logits = s.forward(x, s.test);
    const std::int64_t predicted = logits.argmax(1).item<std::int64_t>();
    const double p = torch::softmax(logits.detach(), 1)[0][predicted].item<double>();
    logits[0][predicted].backward();
    // Saliency of a pixel: the largest |d logit / d input| over its channels.
    const torch::Tensor g = x.grad().abs().view({c, h, w}).amax(0).to(torch::kCPU).contiguous();
    SaliencyPanel panel;
    panel.width = static_cast<int>(w), panel.height = static_cast<int>(h);
    panel.cols = static_cast<int>(w), panel.rows = static_cast<int>(h);
    panel.saliency.assign(g.data_ptr<float>(), g.data_ptr<float>() + h * w);
    panel.rgb.resize(static_cast<std::size_t>(h * w * 3));
    for (std::int64_t k = 0; k < h * w; ++k)
      for (std::int64_t ch = 0; ch < 3; ++ch)  // grey images repeat their one channel; colour ones keep theirs
        panel.rgb[static_cast<std::size_t>(k * 3 + ch)] = px[(c == 3 ? ch : 0) * h * w + k];
    std::ostringstream caption;
    caption << "test " << i << ": " << s.class_names[s.test.labels[static_cast<std::size_t>(i)]] << ", predicted "
            << s.class_names[static_cast<std::size_t>(predicted)] << " (" << std::lround(100 * p) << " %)";
    panel.caption = caption.str();
    panels.push_back(std::move(panel));
  }
  s.module().train();
  return panels;
}

Task::Judgement SupervisedTask::classify(const std::filesystem::path& checkpoint, const std::vector<float>& images,
                                        std::int64_t count) {
  State& s = *s_;
  if (s.segment) throw std::invalid_argument("this is a segment run; a classify run judges images");
  const std::int64_t numel = s.test.image_size();
  if (count < 0 || static_cast<std::int64_t>(images.size()) != count * numel)
    throw std::invalid_argument("the classifier takes images of " + std::to_string(numel) + " pixels (" +
                                std::to_string(s.test.channels) + " x " + std::to_string(s.test.height) + " x " +
                                std::to_string(s.test.width) + ")");
  s.restore(io::read_checkpoint(checkpoint));
  torch::NoGradGuard no_grad;
  s.module().eval();
  const torch::Tensor all = torch::from_blob(const_cast<float*>(images.data()), {count, numel});
  std::vector<torch::Tensor> probs;
  for (std::int64_t first = 0; first < count; first += 1000)
    probs.push_back(torch::softmax(s.forward(all.narrow(0, first, std::min<std::int64_t>(1000, count - first)).to(s.device), s.test), 1)
                        .to(torch::kCPU));
  s.module().train();
  Judgement out{s.class_names, {}};
  if (count == 0) return out;
  const torch::Tensor p = torch::cat(probs).contiguous();
  out.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
  return out;
}

const std::string& SupervisedTask::device() const { return s_->device_name; }

bool SupervisedTask::run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) {
  State& s = *s_;
  if (resume)
    if (const auto latest = io::latest_checkpoint(dir)) s.restore(io::read_checkpoint(*latest));
  std::vector<std::string> columns = {"epoch",    "wall_time",    "images_per_s",  "train_loss", "train_accuracy",
                                      "val_loss", "val_accuracy", "test_accuracy", "lr"};
  if (s.segment) columns.insert(columns.end() - 1, {"val_miou", "test_miou"});
  io::MetricsLog log(dir, columns, resume ? s.epochs_done : -1);
  data::BatchLoader loader(s.train, {.batch_size = s.batch_size,
                                     .seed = derive_seed(s.seed, 0xDA7A),
                                     .pad_crop = static_cast<int>(s.cfg.get_int("task.pad_crop")),
                                     .hflip = s.cfg.get_bool("task.hflip"),
                                     .random_erase = s.cfg.get_float("task.random_erase"),
                                     .start_batch = s.epochs_done * ((s.train.count + s.batch_size - 1) / s.batch_size)});
  const std::int64_t per_epoch = loader.batches_per_epoch();
  const auto t_start = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  // The validation score that picks the best epoch: accuracy, or mean IoU for segmentation.
  auto score = [&](const Scores& v) { return s.segment ? v.miou : v.accuracy; };
  const std::int64_t numel = s.train.image_size();
  bool stopped_early = false;
  for (std::int64_t epoch = s.epochs_done; epoch < s.epochs && !stopped_early; ++epoch) {
    const auto t_epoch = std::chrono::steady_clock::now();
    // The epoch's loss and correct count add up on the device and are read once, after the epoch.
    torch::Tensor loss_acc = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(s.device));
    torch::Tensor correct_acc = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(s.device));
    std::int64_t seen = 0, targets = 0;
    double lr = 0;
    for (std::int64_t b = 0; b < per_epoch; ++b) {
      if (stop && stop->load()) return false;  // the last finished epoch's checkpoint stays the resume point
      const data::ImageBatch& batch = loader.next();
      const torch::Tensor x = torch::from_blob(const_cast<float*>(batch.images.data()), {batch.size, numel}).to(s.device);
      const torch::Tensor y =
          s.segment ? torch::from_blob(const_cast<std::int64_t*>(batch.masks.data()),
                                       {batch.size, s.train.height, s.train.width}, torch::kInt64)
                          .to(s.device)
                    : torch::from_blob(const_cast<std::int64_t*>(batch.labels.data()), {batch.size}, torch::kInt64).to(s.device);
      const double progress = (static_cast<double>(epoch) + static_cast<double>(b) / per_epoch) / s.epochs;
      lr = s.schedule.at(progress);
      s.schedule.apply(*s.optimizer, progress);
      const torch::Tensor logits = s.forward(x, s.train);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      s.flat->zero_grad();
      loss.backward();
      s.flat->clip_grad_norm(s.grad_clip);
      optimizer_step(*s.optimizer);
      {
        torch::NoGradGuard no_grad;
        loss_acc += loss.detach().to(torch::kFloat64) * static_cast<double>(y.numel());
        correct_acc += logits.argmax(1).eq(y).sum();
      }
      targets += y.numel();
      seen += batch.size;
    }
    const double loss_sum = loss_acc.item<double>();
    const auto correct = correct_acc.item<std::int64_t>();
    const double epoch_s = seconds_since(t_epoch);
    const Scores val = s.evaluate(s.val);
    const Scores test = s.evaluate(s.test);
    s.epochs_done = epoch + 1;
    const bool better = score(val) > s.best_val;
    if (better) {
      s.best_val = score(val);
      s.best_epoch = epoch + 1;
      s.since_best = 0;
    } else {
      ++s.since_best;
    }
    stopped_early = s.early_stop > 0 && s.since_best >= s.early_stop;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool has_val = s.val.count > 0;
    std::vector<double> row = {static_cast<double>(epoch + 1), seconds_since(t_start), static_cast<double>(seen) / epoch_s,
                               loss_sum / static_cast<double>(targets), static_cast<double>(correct) / static_cast<double>(targets),
                               has_val ? val.loss : nan, has_val ? val.accuracy : nan, test.accuracy};
    if (s.segment) row.insert(row.end(), {has_val ? val.miou : nan, test.miou});
    row.push_back(lr);
    log.row(row);
    std::cerr << "epoch " << epoch + 1 << "/" << s.epochs << std::setprecision(4) << "  train loss "
              << loss_sum / static_cast<double>(targets) << "  train " << 100.0 * correct / static_cast<double>(targets)
              << " %  val " << 100.0 * val.accuracy << " %  test " << 100.0 * test.accuracy << " %";
    if (s.segment) std::cerr << "  val mIoU " << val.miou << "  test mIoU " << test.miou;
    std::cerr << "  (" << static_cast<std::int64_t>(static_cast<double>(seen) / epoch_s) << " images/s)\n";
    const auto sections = s.sections();
    if (better) io::write_checkpoint(dir / "checkpoints" / "best.ckpt", sections);
    io::save_run_checkpoint(dir, epoch + 1, sections);
  }

  // The network tested: the final one, or with early stopping the best validated one.
  const std::int64_t trained = s.epochs_done;
  if (s.early_stop > 0 && s.best_epoch > 0 && s.best_epoch != s.epochs_done)
    s.restore(io::read_checkpoint(dir / "checkpoints" / "best.ckpt"));
  s.epochs_done = trained;
  const Scores test = s.evaluate(s.test);
  std::ofstream csv(dir / "confusion.csv");
  csv << "label \\ predicted";
  for (const auto& c : s.class_names) csv << "," << c;
  csv << "\n";
  std::ostringstream per_class;
  for (std::int64_t l = 0; l < s.classes; ++l) {
    csv << s.class_names[static_cast<std::size_t>(l)];
    std::int64_t total = 0;
    for (std::int64_t p = 0; p < s.classes; ++p) {
      const std::int64_t n = test.confusion[static_cast<std::size_t>(l * s.classes + p)];
      csv << "," << n;
      total += n;
    }
    csv << "\n";
    const double value = s.segment ? test.iou(l, s.classes)
                                   : (total ? static_cast<double>(test.confusion[static_cast<std::size_t>(l * s.classes + l)]) / total : 0.0);
    per_class << (l ? ",\n" : "") << "    \"" << s.class_names[static_cast<std::size_t>(l)] << "\": "
              << io::json_number(value);
  }
  std::ostringstream json;
  json << "{\n  \"task\": \"" << s.cfg.get_string("task.kind") << "\",\n  \"dataset\": \"" << s.cfg.get_string("task.dataset")
       << "\",\n";
  if (s.segment)
    json << "  \"test_miou\": " << io::json_number(test.miou) << ",\n  \"test_pixel_accuracy\": " << io::json_number(test.accuracy)
         << ",\n  \"best_val_miou\": " << io::json_number(s.best_val);
  else
    json << "  \"test_accuracy\": " << io::json_number(test.accuracy) << ",\n  \"best_val_accuracy\": " << io::json_number(s.best_val);
  json << ",\n  \"test_loss\": " << io::json_number(test.loss) << ",\n  \"test_images\": " << s.test.count
       << ",\n  \"epochs\": " << s.epochs_done << ",\n  \"best_epoch\": " << s.best_epoch << ",\n  \"tested\": \""
       << (s.early_stop > 0 ? "best validated epoch" : "final epoch") << "\",\n  \""
       << (s.segment ? "per_class_iou" : "per_class_accuracy") << "\": {\n" << per_class.str() << "\n  },\n  \"time\": \""
       << io::utc_iso8601() << "\"\n}\n";
  io::write_file_atomic(dir / "eval.json", json.str());
  if (s.segment && png_supported()) save_png(s.segmentation_picture(8), dir / "segmentation.png");
  return true;
}

}  // namespace pavlov::nets
