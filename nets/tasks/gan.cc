// [task] kind = "gan": a DCGAN ([net] type = "dcgan", nets/dcgan.h) learns to
// draw Fashion-MNIST images, one gan_step (nets/dcgan.h) per batch, pixels
// scaled to [-1, 1].
// Both networks get the [optimizer] table's optimizer and schedule (DCGAN's
// recipe: Adam, lr 2e-4, beta1 0.5).
//
// A GAN has no likelihood to report, so a trained classifier judges it:
// `task.judge` names a classify run (e.g. experiments/fashion_mnist_cnn.toml's),
// and every epoch `judge_samples` images from a fixed set of noise vectors
// (the generator in eval mode) are labelled by it: judge_confidence is the
// mean probability of the chosen class (sharp, recognisable images score
// high), the class shares of the labels show mode collapse (a generator that
// draws only trousers has one share of 1), judge_histogram_ratio =
// max(largest share / uniform, uniform / smallest share) is 1 for a uniform
// histogram. Per epoch: a metrics.csv / TensorBoard row and a checkpoint; at
// the end eval.json and samples.png (100 draws). Ctrl-C stops at once;
// `pavlov resume` continues exactly.
#include <chrono>
#include <iomanip>
#include <limits>
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
#include "nets/data/batch_loader.h"
#include "nets/data/fashion_mnist.h"
#include "nets/dcgan.h"
#include "nets/flat_parameters.h"
#include "nets/optim.h"
#include "nets/tasks/image_grid.h"

namespace pavlov::nets {
namespace {

constexpr std::uint64_t kJudgeNoiseSeed = 0x6A4;  // the judged images' noise: the same every epoch and run

struct JudgeScore {
  double confidence = std::numeric_limits<double>::quiet_NaN();
  double ratio = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> shares;  // per class
};

// The classifier that judges the samples: a classify run's task and checkpoint.
class Judge {
 public:
  // `where`: a run folder (its checkpoints/best.ckpt) or a checkpoint file in a run folder's checkpoints/.
  explicit Judge(const std::filesystem::path& where) {
    std::filesystem::path run = where;
    if (std::filesystem::is_directory(where)) {
      checkpoint_ = where / "checkpoints" / "best.ckpt";
    } else {
      checkpoint_ = where;
      run = where.parent_path().parent_path();
    }
    if (!std::filesystem::is_regular_file(run / "config.toml"))
      throw std::invalid_argument("task.judge: " + run.string() + " is not a run folder (no config.toml)");
    const Config cfg = load_experiment((run / "config.toml").string());
    if (cfg.get_string("task.kind") != "classify" || cfg.get_string("task.dataset") != "fashion_mnist")
      throw std::invalid_argument("task.judge: " + run.string() + " is a " + cfg.get_string("task.kind") + " run of " +
                                  cfg.get_string("task.dataset") + "; the judge is a classify run of fashion_mnist");
    if (!std::filesystem::is_regular_file(checkpoint_))
      throw std::invalid_argument("task.judge: no checkpoint " + checkpoint_.string() +
                                  " (name a finished classify run's folder, e.g. one of experiments/fashion_mnist_cnn.toml)");
    task_ = make_task(cfg);
  }

  // images [N, pixels] in [0, 1] on the CPU.
  JudgeScore score(const torch::Tensor& images) {
    const torch::Tensor x = images.contiguous();
    const std::vector<float> pixels(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    const Task::Judgement j = task_->classify(checkpoint_, pixels, x.size(0));
    const std::size_t k = j.classes.size(), n = static_cast<std::size_t>(x.size(0));
    JudgeScore s;
    s.shares.assign(k, 0.0);
    double confidence = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const float* p = &j.probabilities[i * k];
      const std::size_t c = static_cast<std::size_t>(std::max_element(p, p + k) - p);
      confidence += p[c];
      s.shares[c] += 1.0 / static_cast<double>(n);
    }
    s.confidence = confidence / static_cast<double>(n);
    const double uniform = 1.0 / static_cast<double>(k);
    const auto [lo, hi] = std::minmax_element(s.shares.begin(), s.shares.end());
    s.ratio = *lo > 0 ? std::max(*hi / uniform, uniform / *lo) : std::numeric_limits<double>::infinity();
    return s;
  }

  std::string path() const { return checkpoint_.string(); }

 private:
  std::filesystem::path checkpoint_;
  std::unique_ptr<Task> task_;
};

class GanTask : public Task {
 public:
  explicit GanTask(const Config& cfg) : cfg_(cfg), schedule_(cfg) {
    if (cfg.get_string("task.dataset") != "fashion_mnist")
      throw std::invalid_argument("task.kind = \"gan\" draws images: dataset = \"fashion_mnist\"");
    if (cfg.get_string("net.type") != "dcgan")
      throw std::invalid_argument("task.kind = \"gan\" needs [net] type = \"dcgan\", not \"" + cfg.get_string("net.type") + "\"");
    // The judge's task sets up compute for its own run's settings: first, so that this run's win.
    if (const std::string judge = cfg.get_string("task.judge"); !judge.empty()) judge_ = std::make_unique<Judge>(judge);
    device_name_ = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
    device_ = torch::Device(device_name_);
    seed_ = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
    epochs_ = cfg.get_int("task.epochs");
    batch_size_ = cfg.get_int("task.batch_size");
    grad_clip_ = cfg.get_float("optimizer.grad_clip");
    judge_samples_ = cfg.get_int("task.judge_samples");
    const data::LabeledImages all = data::load_fashion_mnist("train");
    const double fraction = cfg.get_float("task.data_fraction");
    train_ = data::slice(all, 0, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(all.count * fraction))));
    if (train_.height != train_.width)
      throw std::invalid_argument("task.kind = \"gan\": square images only");

    torch::manual_seed(derive_seed(seed_, 0x6A7));
    const DcganOptions o = dcgan_options_from(cfg, train_.channels, train_.height);
    generator_ = DcganGenerator(o);
    discriminator_ = DcganDiscriminator(o);
    generator_->to(device_);
    discriminator_->to(device_);
    g_flat_ = std::make_unique<FlatParameters>(generator_->parameters());
    d_flat_ = std::make_unique<FlatParameters>(discriminator_->parameters());
    g_optimizer_ = make_optimizer(cfg, {g_flat_->flat()});
    d_optimizer_ = make_optimizer(cfg, {d_flat_->flat()});
    models_ = {generator_, discriminator_, g_flat_.get(), d_flat_.get(), g_optimizer_.get(), d_optimizer_.get()};
  }

  const std::string& device() const override { return device_name_; }

  bool run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) override {
    if (resume)
      if (const auto latest = io::latest_checkpoint(dir)) restore(io::read_checkpoint(*latest));
    io::MetricsLog log(dir, {"epoch", "wall_time", "images_per_s", "d_loss", "g_loss", "d_real", "d_fake", "judge_confidence",
                             "judge_histogram_ratio", "lr"},
                       resume ? epochs_done_ : -1);
    data::BatchLoader loader(train_, {.batch_size = batch_size_,
                                      .seed = derive_seed(seed_, 0xDA7A),
                                      .start_batch = epochs_done_ * ((train_.count + batch_size_ - 1) / batch_size_)});
    const std::int64_t per_epoch = loader.batches_per_epoch(), numel = train_.image_size();
    const auto t_start = std::chrono::steady_clock::now();
    auto seconds_since = [](std::chrono::steady_clock::time_point t) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(device_);
    for (std::int64_t epoch = epochs_done_; epoch < epochs_; ++epoch) {
      const auto t_epoch = std::chrono::steady_clock::now();
      torch::Tensor d_sum = torch::zeros({}, f64), g_sum = torch::zeros({}, f64), real_sum = torch::zeros({}, f64),
                    fake_sum = torch::zeros({}, f64);
      std::int64_t seen = 0, steps = 0;
      double lr = 0;
      for (std::int64_t b = 0; b < per_epoch; ++b) {
        if (stop && stop->load()) return false;  // the last finished epoch's checkpoint stays the resume point
        const data::ImageBatch& batch = loader.next();
        const torch::Tensor real =
            torch::from_blob(const_cast<float*>(batch.images.data()), {batch.size, numel}).to(device_) * 2.0 - 1.0;
        const double progress = (static_cast<double>(epoch) + static_cast<double>(b) / per_epoch) / epochs_;
        lr = schedule_.at(progress);
        schedule_.apply(*g_optimizer_, progress);
        schedule_.apply(*d_optimizer_, progress);
        const GanStep st = gan_step(models_, real, grad_clip_);
        d_sum += st.d_loss.to(torch::kFloat64);
        g_sum += st.g_loss.to(torch::kFloat64);
        real_sum += st.d_real.to(torch::kFloat64);
        fake_sum += st.d_fake.to(torch::kFloat64);
        seen += batch.size;
        ++steps;
      }
      const double epoch_s = seconds_since(t_epoch);
      epochs_done_ = epoch + 1;
      const JudgeScore judged = judge_score();
      const double n = static_cast<double>(std::max<std::int64_t>(1, steps));
      log.row({static_cast<double>(epoch + 1), seconds_since(t_start), static_cast<double>(seen) / epoch_s,
               d_sum.item<double>() / n, g_sum.item<double>() / n, real_sum.item<double>() / n, fake_sum.item<double>() / n,
               judged.confidence, judged.ratio, lr});
      std::cerr << "epoch " << epoch + 1 << "/" << epochs_ << std::setprecision(4) << "  D loss " << d_sum.item<double>() / n
                << "  G loss " << g_sum.item<double>() / n << "  D(real) " << real_sum.item<double>() / n << "  D(fake) "
                << fake_sum.item<double>() / n;
      if (judge_)
        std::cerr << "  judge: confidence " << judged.confidence << ", histogram within " << judged.ratio << "x of uniform";
      std::cerr << "  (" << static_cast<std::int64_t>(static_cast<double>(seen) / epoch_s) << " images/s)\n";
      io::save_run_checkpoint(dir, epoch + 1, sections());
    }
    finish(dir);
    return true;
  }

 private:
  // judge_samples images from the fixed noise, in [0, 1] on the CPU, the generator in eval mode.
  torch::Tensor samples(std::int64_t count) {
    torch::NoGradGuard no_grad;
    generator_->eval();
    at::Generator gen = at::detail::createCPUGenerator(kJudgeNoiseSeed);
    const torch::Tensor z = torch::randn({count, generator_->options.latent}, gen).to(device_);
    std::vector<torch::Tensor> out;
    for (std::int64_t first = 0; first < count; first += 1000)
      out.push_back(generator_(z.narrow(0, first, std::min<std::int64_t>(1000, count - first))).to(torch::kCPU));
    generator_->train();
    return (torch::cat(out) + 1.0) * 0.5;
  }

  JudgeScore judge_score() { return judge_ ? judge_->score(samples(judge_samples_)) : JudgeScore{}; }

  void finish(const std::filesystem::path& dir) {
    if (png_supported()) save_png(image_grid(samples(100), 10, static_cast<int>(train_.height), 2), dir / "samples.png");
    const JudgeScore judged = judge_score();
    std::ostringstream json;
    json << "{\n  \"task\": \"gan\",\n  \"dataset\": \"fashion_mnist\",\n  \"epochs\": " << epochs_done_
         << ",\n  \"judge\": " << (judge_ ? "\"" + judge_->path() + "\"" : std::string("null"))
         << ",\n  \"judge_samples\": " << judge_samples_ << ",\n  \"judge_confidence\": " << io::json_number(judged.confidence)
         << ",\n  \"judge_histogram_ratio\": " << io::json_number(judged.ratio) << ",\n  \"judge_class_shares\": [";
    for (std::size_t c = 0; c < judged.shares.size(); ++c) json << (c ? ", " : "") << io::json_number(judged.shares[c]);
    json << "],\n  \"time\": \"" << io::utc_iso8601() << "\"\n}\n";
    io::write_file_atomic(dir / "eval.json", json.str());
  }

  io::CheckpointSections sections() {
    std::ostringstream progress;
    io::write_pod(progress, epochs_done_);
    io::write_string(progress, cpu_generator_bytes());  // the noise of the next batches
    return {{"gan", progress.str()},
            {"generator", saved_bytes(*generator_)},
            {"discriminator", saved_bytes(*discriminator_)},
            {"g_optimizer", saved_bytes(*g_optimizer_)},
            {"d_optimizer", saved_bytes(*d_optimizer_)}};
  }

  void restore(const io::CheckpointSections& s) {
    auto it = s.find("gan");
    if (it == s.end()) throw std::runtime_error("the checkpoint is not a GAN's");
    std::istringstream progress(it->second);
    epochs_done_ = io::read_pod<std::int64_t>(progress);
    set_cpu_generator_bytes(io::read_string(progress));
    load_saved(s.at("generator"), device_, *generator_);
    load_saved(s.at("discriminator"), device_, *discriminator_);
    g_flat_->relink();
    d_flat_->relink();
    load_saved(s.at("g_optimizer"), device_, *g_optimizer_);
    load_saved(s.at("d_optimizer"), device_, *d_optimizer_);
  }

  const Config& cfg_;
  LrSchedule schedule_;
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  std::uint64_t seed_ = 0;
  std::int64_t epochs_ = 0, batch_size_ = 0, judge_samples_ = 0;
  double grad_clip_ = 0;
  std::unique_ptr<Judge> judge_;
  data::LabeledImages train_;
  DcganGenerator generator_{nullptr};
  DcganDiscriminator discriminator_{nullptr};
  std::unique_ptr<FlatParameters> g_flat_, d_flat_;
  std::unique_ptr<torch::optim::Optimizer> g_optimizer_, d_optimizer_;
  GanModels models_;
  std::int64_t epochs_done_ = 0;
};

const bool kRegistered =
    register_task("gan", [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<GanTask>(cfg); });

}  // namespace
}  // namespace pavlov::nets
