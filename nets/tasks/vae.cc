// [task] kind = "vae": a variational autoencoder ([net] type = "vae",
// nets/vae.h) learns the distribution of Fashion-MNIST images, as binary
// pixels: each training batch is binarized afresh (pixel on with probability
// grey level / 255: "dynamic binarization"), the validation and test images
// once, from a fixed seed, so every run and seed is scored on the same bits.
//
// Per epoch: a metrics.csv / TensorBoard row (train, validation and test
// negative ELBO in nats per image, the test reconstruction and KL terms, lr,
// images/s), a checkpoint, checkpoints/best.ckpt at the best validation ELBO.
// At the end: eval.json (the final network's test negative ELBO and its
// importance-weighted -log p(x) estimate with task.iw_samples samples), and,
// where PNGs can be written, samples.png (decoded draws from the prior) and
// interpolations.png (rows from one test image to another through the latent
// means). Ctrl-C stops at once; `pavlov resume` continues exactly.
#include <ATen/CPUGeneratorImpl.h>
#include <chrono>
#include <iomanip>
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
#include "nets/flat_parameters.h"
#include "nets/optim.h"
#include "nets/tasks/image_grid.h"
#include "nets/vae.h"

namespace pavlov::nets {
namespace {

constexpr std::uint64_t kBinarizeSeed = 0xB17;  // the validation and test bits: the same for every run
constexpr std::uint64_t kScoreSeed = 0x5C0;     // the noise of the scores, fixed so that they are repeatable
constexpr std::int64_t kEvalBatch = 1000;

// Pixel i is 1 with probability grey / 255, drawn from `rng`.
torch::Tensor binarize(const data::LabeledImages& set, Rng& rng) {
  torch::Tensor out = torch::empty({set.count, set.image_size()});
  float* o = out.data_ptr<float>();
  for (std::size_t i = 0; i < set.pixels.size(); ++i) o[i] = rng.uniform() * 255.0 < set.pixels[i] ? 1.0f : 0.0f;
  return out;
}

class VaeTask : public Task {
 public:
  explicit VaeTask(const Config& cfg) : cfg_(cfg), schedule_(cfg) {
    if (cfg.get_string("task.dataset") != "fashion_mnist")
      throw std::invalid_argument("task.kind = \"vae\" models images: dataset = \"fashion_mnist\"");
    if (cfg.get_string("net.type") != "vae")
      throw std::invalid_argument("task.kind = \"vae\" needs [net] type = \"vae\", not \"" + cfg.get_string("net.type") + "\"");
    device_name_ = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
    device_ = torch::Device(device_name_);
    seed_ = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
    epochs_ = cfg.get_int("task.epochs");
    batch_size_ = cfg.get_int("task.batch_size");
    grad_clip_ = cfg.get_float("optimizer.grad_clip");
    iw_samples_ = cfg.get_int("task.iw_samples");
    const std::int64_t val_size = cfg.get_int("task.val_size");
    const data::LabeledImages all = data::load_fashion_mnist("train");
    if (val_size >= all.count)
      throw std::invalid_argument("task.val_size = " + std::to_string(val_size) + " leaves no training images of " +
                                  std::to_string(all.count));
    const std::int64_t usable = all.count - val_size;
    const double fraction = cfg.get_float("task.data_fraction");
    train_ = data::slice(all, 0, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(usable * fraction))));
    Rng bits(kBinarizeSeed);
    val_ = binarize(data::slice(all, usable, val_size), bits).to(device_);
    test_images_ = data::load_fashion_mnist("test");
    test_ = binarize(test_images_, bits).to(device_);

    torch::manual_seed(derive_seed(seed_, 0x7AE));
    vae_ = Vae(vae_options_from(cfg, train_.image_size()));
    vae_->to(device_);
    flat_ = std::make_unique<FlatParameters>(vae_->parameters());
    optimizer_ = make_optimizer(cfg, {flat_->flat()});
  }

  const std::string& device() const override { return device_name_; }

  bool run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) override {
    if (resume)
      if (const auto latest = io::latest_checkpoint(dir)) restore(io::read_checkpoint(*latest));
    io::MetricsLog log(dir, {"epoch", "wall_time", "images_per_s", "train_nelbo", "val_nelbo", "test_nelbo",
                             "test_reconstruction", "test_kl", "lr"},
                       resume ? epochs_done_ : -1);
    data::BatchLoader loader(train_, {.batch_size = batch_size_,
                                      .seed = derive_seed(seed_, 0xDA7A),
                                      .start_batch = epochs_done_ * ((train_.count + batch_size_ - 1) / batch_size_)});
    const std::int64_t per_epoch = loader.batches_per_epoch(), numel = train_.image_size();
    const auto t_start = std::chrono::steady_clock::now();
    auto seconds_since = [](std::chrono::steady_clock::time_point t) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    for (std::int64_t epoch = epochs_done_; epoch < epochs_; ++epoch) {
      const auto t_epoch = std::chrono::steady_clock::now();
      torch::Tensor loss_acc = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device_));
      std::int64_t seen = 0;
      double lr = 0;
      for (std::int64_t b = 0; b < per_epoch; ++b) {
        if (stop && stop->load()) return false;  // the last finished epoch's checkpoint stays the resume point
        const data::ImageBatch& batch = loader.next();
        const torch::Tensor grey = torch::from_blob(const_cast<float*>(batch.images.data()), {batch.size, numel}).to(device_);
        const torch::Tensor x = torch::bernoulli(grey);  // this batch's bits (LibTorch's generator, saved in checkpoints)
        const double progress = (static_cast<double>(epoch) + static_cast<double>(b) / per_epoch) / epochs_;
        lr = schedule_.at(progress);
        schedule_.apply(*optimizer_, progress);
        const auto terms = vae_->negative_elbo(x);
        const torch::Tensor loss = (terms.reconstruction + terms.kl).mean();
        flat_->zero_grad();
        loss.backward();
        flat_->clip_grad_norm(grad_clip_);
        optimizer_step(*optimizer_);
        loss_acc += loss.detach().to(torch::kFloat64) * static_cast<double>(batch.size);
        seen += batch.size;
      }
      const double train_nelbo = loss_acc.item<double>() / static_cast<double>(seen);
      const double epoch_s = seconds_since(t_epoch);
      const Score val = score(val_), test = score(test_);
      epochs_done_ = epoch + 1;
      const bool better = val.nelbo < best_val_;
      if (better) best_val_ = val.nelbo;
      log.row({static_cast<double>(epoch + 1), seconds_since(t_start), static_cast<double>(seen) / epoch_s, train_nelbo,
               val.nelbo, test.nelbo, test.reconstruction, test.kl, lr});
      std::cerr << "epoch " << epoch + 1 << "/" << epochs_ << std::setprecision(5) << "  -ELBO (nats/image): train "
                << train_nelbo << "  val " << val.nelbo << "  test " << test.nelbo << "  (reconstruction " << test.reconstruction
                << " + KL " << test.kl << ", " << static_cast<std::int64_t>(static_cast<double>(seen) / epoch_s)
                << " images/s)\n";
      const auto sections = this->sections();
      if (better) io::write_checkpoint(dir / "checkpoints" / "best.ckpt", sections);
      io::save_run_checkpoint(dir, epoch + 1, sections);
    }
    finish(dir);
    return true;
  }

 private:
  struct Score {
    double nelbo = 0, reconstruction = 0, kl = 0;  // nats per image
  };

  // The negative ELBO of a binarized set, one z per image from a fixed generator.
  Score score(const torch::Tensor& set) {
    torch::NoGradGuard no_grad;
    vae_->eval();
    at::Generator gen = at::detail::createCPUGenerator(kScoreSeed);
    double rec = 0, kl = 0;
    for (std::int64_t first = 0; first < set.size(0); first += kEvalBatch) {
      const torch::Tensor x = set.narrow(0, first, std::min(kEvalBatch, set.size(0) - first));
      const auto t = vae_->negative_elbo(x, gen);
      rec += t.reconstruction.sum().item<double>();
      kl += t.kl.sum().item<double>();
    }
    vae_->train();
    const double n = static_cast<double>(std::max<std::int64_t>(1, set.size(0)));
    return {(rec + kl) / n, rec / n, kl / n};
  }

  void finish(const std::filesystem::path& dir) {
    const Score test = score(test_);
    double iw = 0;
    {
      torch::NoGradGuard no_grad;
      vae_->eval();
      at::Generator gen = at::detail::createCPUGenerator(kScoreSeed);
      const std::int64_t chunk = std::max<std::int64_t>(1, 20000 / iw_samples_);  // images per pass: about 20k decodes
      for (std::int64_t first = 0; first < test_.size(0); first += chunk)
        iw += vae_->importance_nll(test_.narrow(0, first, std::min(chunk, test_.size(0) - first)), iw_samples_, gen)
                  .sum()
                  .item<double>();
      iw /= static_cast<double>(test_.size(0));
    }
    if (png_supported()) {
      torch::NoGradGuard no_grad;
      const std::int64_t latent = vae_->options().latent;
      at::Generator gen = at::detail::createCPUGenerator(kScoreSeed + 1);
      const torch::Tensor z = torch::randn({100, latent}, gen).to(device_);
      save_png(image_grid(torch::sigmoid(vae_->decode(z)), 10, 28, 2), dir / "samples.png");
      // Ten rows: test image 2r, eight decoded points between its latent mean and image 2r+1's, test image 2r+1.
      const torch::Tensor grey = torch::from_blob(test_images_.pixels.data(), {20, 784}, torch::kUInt8).to(torch::kFloat32) / 255.0;
      const torch::Tensor mu = vae_->encode(test_.narrow(0, 0, 20)).mu;
      std::vector<torch::Tensor> cells;
      for (std::int64_t r = 0; r < 10; ++r) {
        cells.push_back(grey[2 * r].unsqueeze(0));
        for (int k = 0; k < 8; ++k) {
          const double t = k / 7.0;
          cells.push_back(torch::sigmoid(vae_->decode(((1 - t) * mu[2 * r] + t * mu[2 * r + 1]).unsqueeze(0))).to(torch::kCPU));
        }
        cells.push_back(grey[2 * r + 1].unsqueeze(0));
      }
      save_png(image_grid(torch::cat(cells), 10, 28, 2), dir / "interpolations.png");
      vae_->train();
    }
    std::ostringstream json;
    json << "{\n  \"task\": \"vae\",\n  \"dataset\": \"fashion_mnist (binarized)\",\n  \"test_nelbo\": " << io::json_number(test.nelbo)
         << ",\n  \"test_reconstruction\": " << io::json_number(test.reconstruction) << ",\n  \"test_kl\": " << io::json_number(test.kl)
         << ",\n  \"test_nll_iw\": " << io::json_number(iw) << ",\n  \"iw_samples\": " << iw_samples_
         << ",\n  \"best_val_nelbo\": " << io::json_number(best_val_) << ",\n  \"latent\": " << vae_->options().latent
         << ",\n  \"test_images\": " << test_.size(0) << ",\n  \"epochs\": " << epochs_done_ << ",\n  \"time\": \""
         << io::utc_iso8601() << "\"\n}\n";
    io::write_file_atomic(dir / "eval.json", json.str());
  }

  io::CheckpointSections sections() {
    std::ostringstream progress;
    io::write_pod(progress, epochs_done_);
    io::write_pod(progress, best_val_);
    // LibTorch's CPU generator draws the training bits and noise: a resumed run goes on with the same draws.
    io::write_string(progress, cpu_generator_bytes());
    return {{"vae", progress.str()},
            {"model", saved_bytes(*vae_)},
            {"optimizer", saved_bytes(*optimizer_)}};
  }

  void restore(const io::CheckpointSections& s) {
    std::istringstream progress(s.at("vae"));
    epochs_done_ = io::read_pod<std::int64_t>(progress);
    best_val_ = io::read_pod<double>(progress);
    set_cpu_generator_bytes(io::read_string(progress));
    load_saved(s.at("model"), device_, *vae_);
    flat_->relink();
    load_saved(s.at("optimizer"), device_, *optimizer_);
  }

  const Config& cfg_;
  LrSchedule schedule_;
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  std::uint64_t seed_ = 0;
  std::int64_t epochs_ = 0, batch_size_ = 0, iw_samples_ = 0;
  double grad_clip_ = 0;
  data::LabeledImages train_, test_images_;
  torch::Tensor val_, test_;  // binarized, on the device
  Vae vae_{nullptr};
  std::unique_ptr<FlatParameters> flat_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::int64_t epochs_done_ = 0;
  double best_val_ = std::numeric_limits<double>::infinity();
};

const bool kRegistered =
    register_task("vae", [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<VaeTask>(cfg); });

}  // namespace
}  // namespace pavlov::nets
