#include "nets/tasks/classify.h"

#include <ATen/CPUGeneratorImpl.h>
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
#include "engine/runtime/device.h"
#include "nets/archive.h"
#include "nets/conv_encoder.h"
#include "nets/data/batch_loader.h"
#include "nets/data/fashion_mnist.h"
#include "nets/flat_parameters.h"
#include "nets/mlp.h"
#include "nets/optim.h"

namespace pavlov::nets {
namespace {

constexpr std::int64_t kEvalBatch = 1000;

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

data::LabeledImages slice(const data::LabeledImages& s, std::int64_t first, std::int64_t count) {
  data::LabeledImages out = s;
  out.count = count;
  const auto n = static_cast<std::size_t>(s.image_size());
  out.pixels.assign(s.pixels.begin() + static_cast<std::ptrdiff_t>(first * n),
                    s.pixels.begin() + static_cast<std::ptrdiff_t>((first + count) * n));
  out.labels.assign(s.labels.begin() + first, s.labels.begin() + first + count);
  return out;
}

struct Scores {
  double loss = 0, accuracy = 0;
  std::vector<std::int64_t> confusion;  // [label * classes + predicted]
};

std::string json_number(double x) {
  std::ostringstream os;
  os << std::setprecision(10) << x;
  return os.str();
}

}  // namespace

struct ClassifyTask::State {
  const Config& cfg;
  std::string device_name;
  torch::Device device{torch::kCPU};
  data::LabeledImages train, val, test;
  std::int64_t classes = 10;
  Classifier net{nullptr};
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

  Scores evaluate(const data::LabeledImages& set, bool confusion) {
    torch::NoGradGuard no_grad;
    net->eval();
    Scores s;
    if (confusion) s.confusion.assign(static_cast<std::size_t>(classes * classes), 0);
    std::int64_t correct = 0;
    for (std::int64_t first = 0; first < set.count; first += kEvalBatch) {
      const std::int64_t n = std::min(kEvalBatch, set.count - first);
      const torch::Tensor x =
          torch::from_blob(const_cast<std::uint8_t*>(&set.pixels[static_cast<std::size_t>(first * set.image_size())]),
                           {n, set.image_size()}, torch::kUInt8)
              .to(device)
              .to(torch::kFloat32)
              .mul_(1.0 / 255.0);
      const torch::Tensor y =
          torch::from_blob(const_cast<std::uint8_t*>(&set.labels[static_cast<std::size_t>(first)]), {n}, torch::kUInt8)
              .to(device)
              .to(torch::kInt64);
      const torch::Tensor logits = net->forward(x);
      s.loss += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
      const torch::Tensor predicted = logits.argmax(1).to(torch::kCPU);
      const std::int64_t* p = predicted.data_ptr<std::int64_t>();
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t label = set.labels[static_cast<std::size_t>(first + i)];
        correct += p[i] == label;
        if (confusion) ++s.confusion[static_cast<std::size_t>(label * classes + p[i])];
      }
    }
    net->train();
    s.loss /= static_cast<double>(std::max<std::int64_t>(1, set.count));
    s.accuracy = static_cast<double>(correct) / static_cast<double>(std::max<std::int64_t>(1, set.count));
    return s;
  }

  io::CheckpointSections sections() const {
    std::ostringstream progress;
    io::write_pod(progress, epochs_done);
    io::write_pod(progress, best_epoch);
    io::write_pod(progress, since_best);
    io::write_pod(progress, best_val);
    // LibTorch's CPU generator draws dropout: a resumed run goes on with the same draws.
    const torch::Tensor gen = at::detail::getDefaultCPUGenerator().get_state();
    io::write_vector(progress, std::vector<std::uint8_t>(gen.data_ptr<std::uint8_t>(), gen.data_ptr<std::uint8_t>() + gen.numel()));
    return {{"classify", progress.str()},
            {"model", archive_bytes([&](torch::serialize::OutputArchive& a) { net->save(a); })},
            {"optimizer", archive_bytes([&](torch::serialize::OutputArchive& a) { optimizer->save(a); })}};
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
    read_archive_bytes(s.at("model"), device, [&](torch::serialize::InputArchive& a) { net->load(a); });
    flat->relink();
    read_archive_bytes(s.at("optimizer"), device, [&](torch::serialize::InputArchive& a) { optimizer->load(a); });
  }
};

ClassifyTask::ClassifyTask(const Config& cfg) : s_(std::make_unique<State>(cfg)) {
  State& s = *s_;
  s.device_name = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
  s.device = torch::Device(s.device_name);
  s.seed = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
  s.epochs = cfg.get_int("task.epochs");
  s.batch_size = cfg.get_int("task.batch_size");
  s.early_stop = cfg.get_int("task.early_stop");
  s.grad_clip = cfg.get_float("optimizer.grad_clip");

  // The data: the validation images are the last val_size of the training split.
  const data::LabeledImages all = data::load_fashion_mnist("train");
  s.test = data::load_fashion_mnist("test");
  const std::int64_t val_size = cfg.get_int("task.val_size");
  if (val_size >= all.count)
    throw std::invalid_argument("task.val_size = " + std::to_string(val_size) + " leaves no training images of " +
                                std::to_string(all.count));
  const auto usable = all.count - val_size;
  const auto n_train = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(usable * cfg.get_float("task.data_fraction"))));
  s.train = slice(all, 0, n_train);
  s.val = slice(all, usable, val_size);
  s.classes = static_cast<std::int64_t>(data::kFashionMnistClasses.size());

  // The network: pixels arrive in [0, 1], so the encoder needs no scaling of its own.
  torch::manual_seed(derive_seed(s.seed, 0xC1A55));
  const Space images = Space::box(0.0, 1.0, {all.channels, all.height, all.width});
  const auto encoder = conv_encoder_from(cfg, images, "net");
  const std::int64_t features = encoder ? ConvEncoder(*encoder)->out_features() : images.numel();
  s.net = Classifier(encoder, mlp_options_from(cfg, features, "net"), s.classes);
  s.net->to(s.device);
  s.flat = std::make_unique<FlatParameters>(s.net->parameters());
  s.optimizer = make_optimizer(cfg, {s.flat->flat()});
}

ClassifyTask::~ClassifyTask() = default;

const std::string& ClassifyTask::device() const { return s_->device_name; }

bool ClassifyTask::run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) {
  State& s = *s_;
  if (resume)
    if (const auto latest = io::latest_checkpoint(dir)) s.restore(io::read_checkpoint(*latest));
  io::MetricsLog log(dir,
                     {"epoch", "wall_time", "images_per_s", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                      "test_accuracy", "lr"},
                     resume ? s.epochs_done : -1);
  data::BatchLoader loader(s.train, {.batch_size = s.batch_size,
                                     .seed = derive_seed(s.seed, 0xDA7A),
                                     .pad_crop = static_cast<int>(s.cfg.get_int("task.pad_crop")),
                                     .hflip = s.cfg.get_bool("task.hflip"),
                                     .start_batch = s.epochs_done * ((s.train.count + s.batch_size - 1) / s.batch_size)});
  const std::int64_t per_epoch = loader.batches_per_epoch();
  const auto t_start = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  const std::int64_t numel = s.train.image_size();
  bool stopped_early = false;
  for (std::int64_t epoch = s.epochs_done; epoch < s.epochs && !stopped_early; ++epoch) {
    const auto t_epoch = std::chrono::steady_clock::now();
    double loss_sum = 0;
    std::int64_t correct = 0, seen = 0;
    double lr = 0;
    for (std::int64_t b = 0; b < per_epoch; ++b) {
      if (stop && stop->load()) return false;  // the last finished epoch's checkpoint stays the resume point
      const data::ImageBatch& batch = loader.next();
      const torch::Tensor x = torch::from_blob(const_cast<float*>(batch.images.data()), {batch.size, numel}).to(s.device);
      const torch::Tensor y =
          torch::from_blob(const_cast<std::int64_t*>(batch.labels.data()), {batch.size}, torch::kInt64).to(s.device);
      const double progress = (static_cast<double>(epoch) + static_cast<double>(b) / per_epoch) / s.epochs;
      lr = s.schedule.at(progress);
      s.schedule.apply(*s.optimizer, progress);
      const torch::Tensor logits = s.net->forward(x);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      s.flat->zero_grad();
      loss.backward();
      s.flat->clip_grad_norm(s.grad_clip);
      optimizer_step(*s.optimizer);
      loss_sum += loss.item<double>() * static_cast<double>(batch.size);
      correct += logits.argmax(1).eq(y).sum().item<std::int64_t>();
      seen += batch.size;
    }
    const double epoch_s = seconds_since(t_epoch);
    const Scores val = s.evaluate(s.val, false);
    const Scores test = s.evaluate(s.test, false);
    s.epochs_done = epoch + 1;
    const bool better = val.accuracy > s.best_val;
    if (better) {
      s.best_val = val.accuracy;
      s.best_epoch = epoch + 1;
      s.since_best = 0;
    } else {
      ++s.since_best;
    }
    stopped_early = s.early_stop > 0 && s.since_best >= s.early_stop;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    log.row({static_cast<double>(epoch + 1), seconds_since(t_start), static_cast<double>(seen) / epoch_s,
             loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(seen),
             s.val.count ? val.loss : nan, s.val.count ? val.accuracy : nan, test.accuracy, lr});
    std::cerr << "epoch " << epoch + 1 << "/" << s.epochs << "  train loss " << std::setprecision(4)
              << loss_sum / static_cast<double>(seen) << "  train " << std::setprecision(4)
              << 100.0 * static_cast<double>(correct) / static_cast<double>(seen) << " %  val "
              << 100.0 * val.accuracy << " %  test " << 100.0 * test.accuracy << " %  ("
              << static_cast<std::int64_t>(static_cast<double>(seen) / epoch_s) << " images/s)\n";
    const auto sections = s.sections();
    if (better) io::write_checkpoint(dir / "checkpoints" / "best.ckpt", sections);
    io::save_run_checkpoint(dir, epoch + 1, sections);
  }

  // The network tested: the final one, or with early stopping the best validated one.
  const std::int64_t trained = s.epochs_done;
  if (s.early_stop > 0 && s.best_epoch > 0 && s.best_epoch != s.epochs_done)
    s.restore(io::read_checkpoint(dir / "checkpoints" / "best.ckpt"));
  s.epochs_done = trained;
  const Scores test = s.evaluate(s.test, true);
  std::ofstream csv(dir / "confusion.csv");
  csv << "label \\ predicted";
  for (const char* c : data::kFashionMnistClasses) csv << "," << c;
  csv << "\n";
  std::ostringstream per_class;
  for (std::int64_t l = 0; l < s.classes; ++l) {
    csv << data::kFashionMnistClasses[static_cast<std::size_t>(l)];
    std::int64_t total = 0;
    for (std::int64_t p = 0; p < s.classes; ++p) {
      const std::int64_t n = test.confusion[static_cast<std::size_t>(l * s.classes + p)];
      csv << "," << n;
      total += n;
    }
    csv << "\n";
    const double acc = total ? static_cast<double>(test.confusion[static_cast<std::size_t>(l * s.classes + l)]) / total : 0.0;
    per_class << (l ? ",\n" : "") << "    \"" << data::kFashionMnistClasses[static_cast<std::size_t>(l)]
              << "\": " << json_number(acc);
  }
  std::ostringstream json;
  json << "{\n  \"task\": \"classify\",\n  \"dataset\": \"" << s.cfg.get_string("task.dataset") << "\",\n"
       << "  \"test_accuracy\": " << json_number(test.accuracy) << ",\n  \"test_loss\": " << json_number(test.loss)
       << ",\n  \"test_images\": " << s.test.count << ",\n  \"epochs\": " << s.epochs_done
       << ",\n  \"best_epoch\": " << s.best_epoch << ",\n  \"best_val_accuracy\": " << json_number(s.best_val)
       << ",\n  \"tested\": \"" << (s.early_stop > 0 ? "best validated epoch" : "final epoch") << "\""
       << ",\n  \"per_class_accuracy\": {\n" << per_class.str() << "\n  },\n  \"time\": \"" << io::utc_iso8601() << "\"\n}\n";
  io::write_file_atomic(dir / "eval.json", json.str());
  return true;
}

}  // namespace pavlov::nets
