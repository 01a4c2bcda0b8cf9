// The zoo's supervised tasks ([task] kind other than "rl"), reached through a
// registry as agents are: the CLI runs one without knowing its networks, and
// the network library registers the kinds it implements (nets/tasks/).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/render/plot.h"

namespace pavlov {

class Config;

struct GenerateOptions {
  std::string prompt;
  int tokens = 200;
  double temperature = 1.0;  // > 0; lower is more conservative
  int top_k = 0;             // 0: every token; else only the k likeliest
  std::uint64_t seed = 0;
};

class Task {
 public:
  virtual ~Task() = default;
  // Trains in `run_dir` (resuming from its latest checkpoint when asked).
  // Returns true when finished, false when `stop` was set.
  virtual bool run(const std::filesystem::path& run_dir, bool resume, const std::atomic<bool>* stop) = 0;
  // "cpu" or "cuda": where the networks run.
  virtual const std::string& device() const = 0;
  // What `pavlov sample` prints from the checkpoint `checkpoint`: a language
  // model's prompt and continuation, a translation model's translation of the
  // prompt. Throws std::invalid_argument for a prompt the task cannot take;
  // the default throws it always: the task writes no text.
  virtual std::string generate(const std::filesystem::path& checkpoint, const GenerateOptions& options);
  // What `pavlov explain` draws from the checkpoint `checkpoint`: for each of
  // the test set's examples `test_indices`, the input, its saliency map (the
  // gradient of the predicted class's logit with respect to the input) and a
  // caption. Throws std::invalid_argument for an index the test set does not
  // have; the default throws it always: the task has no saliency maps.
  virtual std::vector<SaliencyPanel> explain(const std::filesystem::path& checkpoint,
                                             const std::vector<std::int64_t>& test_indices);

  struct Judgement {
    std::vector<std::string> classes;
    std::vector<float> probabilities;  // [images x classes], row by row
  };
  // What the classifier saved in `checkpoint` makes of `count` images (pixels
  // in [0, 1], each laid out as the task's dataset's images, one after
  // another): its class probabilities (a GAN's samples are judged this way).
  // Throws std::invalid_argument when the images do not fit; the default
  // throws it always: the task does not classify images.
  virtual Judgement classify(const std::filesystem::path& checkpoint, const std::vector<float>& images,
                             std::int64_t count);
};

using TaskFactory = std::function<std::unique_ptr<Task>(const Config&)>;

// Registers the factory of a [task] kind; throws std::logic_error if the kind has one.
bool register_task(const std::string& kind, TaskFactory factory);
// The task of cfg's [task] kind, built (data and networks: errors come here,
// before any run folder); throws std::invalid_argument for a kind without one,
// and ConfigError (at task.kind's file:line:col) for what the task refuses.
std::unique_ptr<Task> make_task(const Config& cfg);

}  // namespace pavlov
