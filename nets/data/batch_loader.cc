#include "nets/data/batch_loader.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "engine/env/rng.h"

namespace pavlov::data {

BatchLoader::BatchLoader(const LabeledImages& set, LoaderOptions options)
    : set_(set), options_(options), slots_(kSlots) {
  if (options_.batch_size < 1) throw std::invalid_argument("batch_size must be at least 1");
  if (set_.count == 0) throw std::invalid_argument("the image set is empty");
  for (ImageBatch& b : slots_) {
    b.images.resize(static_cast<std::size_t>(options_.batch_size * set_.image_size()));
    b.labels.resize(set_.labels.empty() ? 0 : static_cast<std::size_t>(options_.batch_size));
    b.masks.resize(static_cast<std::size_t>(options_.batch_size * set_.mask_size()));
  }
  order_.resize(static_cast<std::size_t>(set_.count));
  const int p = options_.pad_crop;
  padded_.resize(static_cast<std::size_t>(set_.channels * (set_.height + 2 * p) * (set_.width + 2 * p)));
  if (!set_.masks.empty()) padded_mask_.resize(static_cast<std::size_t>((set_.height + 2 * p) * (set_.width + 2 * p)));
  thread_ = std::thread([this] { produce(); });
}

BatchLoader::~BatchLoader() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

const ImageBatch& BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (consumed_ > 0) cv_.notify_all();  // the previous batch's slot is free again once consumed_ moves on
  cv_.wait(lock, [&] { return produced_ > consumed_; });
  const ImageBatch& b = slots_[static_cast<std::size_t>(consumed_ % kSlots)];
  ++consumed_;
  cv_.notify_all();
  return b;
}

void BatchLoader::produce() {
  for (;;) {
    std::int64_t k;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Slot k % kSlots is free once the consumer has moved past the batch that used it
      // (the batch handed out last stays in use until the next call).
      cv_.wait(lock, [&] { return stop_ || produced_ - consumed_ < kSlots - 1; });
      if (stop_) return;
      k = produced_;
    }
    fill(slots_[static_cast<std::size_t>(k % kSlots)], options_.start_batch + k);
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      ++produced_;
    }
    cv_.notify_all();
  }
}

void BatchLoader::fill(ImageBatch& b, std::int64_t index) {
  const std::int64_t per_epoch = batches_per_epoch();
  const std::int64_t epoch = index / per_epoch, first = (index % per_epoch) * options_.batch_size;
  if (epoch != order_epoch_) {
    std::iota(order_.begin(), order_.end(), 0);
    if (options_.shuffle) {
      Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(epoch)));
      for (std::int64_t i = set_.count - 1; i > 0; --i)
        std::swap(order_[static_cast<std::size_t>(i)], order_[rng.below(static_cast<std::uint64_t>(i + 1))]);
    }
    order_epoch_ = epoch;
  }
  b.index = index;
  b.epoch = epoch;
  b.size = std::min(options_.batch_size, set_.count - first);
  Rng aug(derive_seed(options_.seed ^ 0xA06A06u, static_cast<std::uint64_t>(index)));
  const std::int64_t c = set_.channels, h = set_.height, w = set_.width, p = options_.pad_crop;
  const std::int64_t ph = h + 2 * p, pw = w + 2 * p;
  for (std::int64_t r = 0; r < b.size; ++r) {
    const std::int64_t i = order_[static_cast<std::size_t>(first + r)];
    const std::uint8_t* src = &set_.pixels[static_cast<std::size_t>(i * set_.image_size())];
    float* dst = &b.images[static_cast<std::size_t>(r * set_.image_size())];
    if (!b.labels.empty()) b.labels[static_cast<std::size_t>(r)] = set_.labels[static_cast<std::size_t>(i)];
    const std::uint8_t* src_mask = set_.masks.empty() ? nullptr : &set_.masks[static_cast<std::size_t>(i * set_.mask_size())];
    std::int64_t* dst_mask = src_mask ? &b.masks[static_cast<std::size_t>(r * set_.mask_size())] : nullptr;
    const bool flip = options_.hflip && aug.below(2) == 1;
    std::int64_t dy = 0, dx = 0;
    if (p > 0) {  // the image at a random offset inside its zero-padded frame
      dy = static_cast<std::int64_t>(aug.below(static_cast<std::uint64_t>(2 * p + 1)));
      dx = static_cast<std::int64_t>(aug.below(static_cast<std::uint64_t>(2 * p + 1)));
      std::fill(padded_.begin(), padded_.end(), 0);
      for (std::int64_t ch = 0; ch < c; ++ch)
        for (std::int64_t y = 0; y < h; ++y)
          std::copy_n(src + (ch * h + y) * w, w, &padded_[static_cast<std::size_t>((ch * ph + y + p) * pw + p)]);
      if (src_mask) {  // the mask moves with the image; the padding is background (class 0)
        std::fill(padded_mask_.begin(), padded_mask_.end(), 0);
        for (std::int64_t y = 0; y < h; ++y)
          std::copy_n(src_mask + y * w, w, &padded_mask_[static_cast<std::size_t>((y + p) * pw + p)]);
      }
    }
    if (src_mask)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
          const std::int64_t sx = flip ? w - 1 - x : x;
          dst_mask[y * w + x] = p > 0 ? padded_mask_[static_cast<std::size_t>((y + dy) * pw + sx + dx)] : src_mask[y * w + sx];
        }
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
          const std::int64_t sx = flip ? w - 1 - x : x;
          const std::uint8_t v = p > 0 ? padded_[static_cast<std::size_t>((ch * ph + y + dy) * pw + sx + dx)]
                                       : src[(ch * h + y) * w + sx];
          dst[(ch * h + y) * w + x] = static_cast<float>(v) * options_.scale;
        }
    if (options_.random_erase > 0 && aug.uniform() < options_.random_erase) erase_rectangle(dst, aug);
  }
}

void BatchLoader::erase_rectangle(float* image, Rng& aug) const {
  const std::int64_t c = set_.channels, h = set_.height, w = set_.width;
  for (int attempt = 0; attempt < 100; ++attempt) {  // the paper's rejection loop: draw until the rectangle fits
    const double area = aug.uniform(0.02, 0.4) * static_cast<double>(h * w);
    const double aspect = aug.uniform(0.3, 1.0 / 0.3);
    const auto eh = static_cast<std::int64_t>(std::lround(std::sqrt(area * aspect)));
    const auto ew = static_cast<std::int64_t>(std::lround(std::sqrt(area / aspect)));
    if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
    const auto y0 = static_cast<std::int64_t>(aug.below(static_cast<std::uint64_t>(h - eh + 1)));
    const auto x0 = static_cast<std::int64_t>(aug.below(static_cast<std::uint64_t>(w - ew + 1)));
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::int64_t y = y0; y < y0 + eh; ++y)
        for (std::int64_t x = x0; x < x0 + ew; ++x)
          image[(ch * h + y) * w + x] = static_cast<float>(aug.below(256)) * options_.scale;
    return;
  }
}

}  // namespace pavlov::data
