// The zoo's supervised tasks ([task] kind = "classify" | "segment"): a [net]
// learns the labels of [task] dataset by cross-entropy, minibatches from a
// background loader (nets/data/batch_loader.h).
//
//   classify  one class per image: [net] mlp, or a convolutional encoder
//             then the mlp, with a linear head (dataset fashion_mnist)
//   segment   one class per pixel: [net] unet (dataset shapes, scenes
//             generated from seeds: nets/data/shapes.h)
//
// Registered as the Task (engine/runtime/task.h) of both kinds. It trains in the run folder every run uses (engine/runtime/run_dir.h):
// per epoch a metrics.csv / TensorBoard row (train loss and accuracy,
// validation loss and accuracy, test accuracy, and for segmentation the mean
// IoU, learning rate, images/s) and a checkpoint (network, optimizer,
// epoch), checkpoints/best.ckpt at the best validation score, and at the end
// eval.json (the test scores overall and per class) and confusion.csv (test
// labels against predictions, per image or per pixel). Ctrl-C stops at once;
// `pavlov resume` continues from the last finished epoch exactly as the run
// would have gone on.
#pragma once

#include <memory>

#include "engine/runtime/task.h"

namespace pavlov::nets {

class SupervisedTask : public Task {
 public:
  // Loads (or generates) the data and builds the network and optimizer:
  // errors (a missing dataset, a net that does not fit) come before any run folder.
  explicit SupervisedTask(const Config& cfg);
  ~SupervisedTask() override;

  bool run(const std::filesystem::path& run_dir, bool resume, const std::atomic<bool>* stop) override;
  const std::string& device() const override;
  // classify: saliency maps of test images (segment: std::invalid_argument).
  std::vector<SaliencyPanel> explain(const std::filesystem::path& checkpoint,
                                     const std::vector<std::int64_t>& test_indices) override;
  // classify: the class probabilities of images (segment: std::invalid_argument).
  Judgement classify(const std::filesystem::path& checkpoint, const std::vector<float>& images,
                     std::int64_t count) override;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace pavlov::nets
