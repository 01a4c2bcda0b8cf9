// pavlov::data::BatchLoader: minibatches of an image set, shuffled and
// augmented on a background thread, so that the learner never waits on data.
//
// The batches come out in a fixed order given the seed, whatever the timing
// of the threads: epoch e visits the images in a permutation drawn from
// derive_seed(seed, e), and batch b of the run draws its augmentation from
// derive_seed(seed, b). A run resumed at batch b (start_batch) therefore
// continues exactly as it would have gone on. Batches live in a ring of
// preallocated slots: nothing is allocated per batch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "nets/data/fashion_mnist.h"

namespace pavlov {
class Rng;
}

namespace pavlov::data {

struct LoaderOptions {
  std::int64_t batch_size = 128;
  bool shuffle = true;
  std::uint64_t seed = 0;
  int pad_crop = 0;       // pad each side with this many zero pixels, then crop back at a random offset (0: off)
  bool hflip = false;     // mirror left-right with probability 1/2
  // Random erasing (Zhong et al., 2020), with this probability per image: a rectangle of 2-40 %
  // of the image, aspect ratio 0.3-3.3, filled with uniform random pixels (labels untouched).
  double random_erase = 0.0;
  float scale = 1.0f / 255.0f;  // float pixel = uint8 pixel * scale
  std::int64_t start_batch = 0;  // the run's first batch (resuming)
};

struct ImageBatch {
  std::int64_t index = 0;  // of the run, from 0
  std::int64_t epoch = 0;
  std::int64_t size = 0;   // rows; the last batch of an epoch may be short
  std::vector<float> images;         // [size, channels, height, width], capacity batch_size rows
  std::vector<std::int64_t> labels;  // [size] (sets with labels)
  std::vector<std::int64_t> masks;   // [size, height, width] (sets with masks; cropped and flipped with the image)
};

class BatchLoader {
 public:
  // `set` must outlive the loader.
  BatchLoader(const LabeledImages& set, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  std::int64_t batches_per_epoch() const { return (set_.count + options_.batch_size - 1) / options_.batch_size; }
  // The next batch; it stays valid (and its slot unused) until the next call.
  const ImageBatch& next();

 private:
  static constexpr int kSlots = 3;
  void produce();
  void fill(ImageBatch& b, std::int64_t index);
  void erase_rectangle(float* image, Rng& aug) const;  // one image of a batch, [channels, height, width]

  const LabeledImages& set_;
  LoaderOptions options_;
  std::vector<ImageBatch> slots_;
  std::vector<std::int64_t> order_;  // the current epoch's permutation (producer thread only)
  std::int64_t order_epoch_ = -1;
  std::vector<std::uint8_t> padded_, padded_mask_;  // one padded image and mask (producer thread only)

  std::mutex mutex_;
  std::condition_variable cv_;
  std::int64_t produced_ = 0, consumed_ = 0;  // batches, counted from start_batch
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace pavlov::data
