// The zoo's image classification task ([task] kind = "classify"): a [net]
// (mlp, or a convolutional encoder then the mlp) with a linear head learns
// the labels of [task] dataset by cross-entropy, minibatches from a
// background loader (nets/data/batch_loader.h).
//
// It trains in the run folder every run uses (engine/runtime/run_dir.h):
// per epoch a metrics.csv / TensorBoard row (train loss and accuracy,
// validation loss and accuracy, test accuracy, learning rate, images/s) and a
// checkpoint (network, optimizer, epoch), checkpoints/best.ckpt at the best
// validation accuracy, and at the end eval.json (test accuracy overall and per
// class) and confusion.csv (test labels against predictions). Ctrl-C stops
// at once; `pavlov resume` continues from the last finished epoch exactly as
// the run would have gone on.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

namespace pavlov {
class Config;
}

namespace pavlov::nets {

class ClassifyTask {
 public:
  // Loads the data and builds the network and optimizer: errors (a missing
  // dataset, a net that does not fit the images) come before any run folder.
  explicit ClassifyTask(const Config& cfg);
  ~ClassifyTask();

  // Trains in `run_dir` (resuming from its latest checkpoint when asked).
  // Returns true when finished, false when `stop` was set.
  bool run(const std::filesystem::path& run_dir, bool resume, const std::atomic<bool>* stop);
  const std::string& device() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace pavlov::nets
