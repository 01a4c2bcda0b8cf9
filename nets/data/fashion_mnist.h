// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 70000 grey 28x28 images of
// 10 kinds of clothing, 60000 to train and 10000 to test, 6000 and 1000 per
// class. pavlov reads the gzip IDX files Debian's package dataset-fashion-mnist
// installs under /usr/share/datasets/fashion-mnist.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pavlov::data {

// Images and their labels, row-major uint8 pixels: one class per image
// (classification) or one per pixel (segmentation).
struct LabeledImages {
  std::int64_t count = 0, channels = 1, height = 0, width = 0;
  std::vector<std::uint8_t> pixels;  // [count, channels, height, width]
  std::vector<std::uint8_t> labels;  // [count], for classification
  std::vector<std::uint8_t> masks;   // [count, height, width], for segmentation
  std::int64_t image_size() const { return channels * height * width; }
  std::int64_t mask_size() const { return masks.empty() ? 0 : height * width; }
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr std::array<const char*, 10> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

// split: "train" or "test". Throws std::runtime_error saying which package to
// install when the files are not there.
LabeledImages load_fashion_mnist(const std::string& split, const std::string& dir = kFashionMnistDir);

// Images [first, first + count) of `set` (with their labels and masks).
LabeledImages slice(const LabeledImages& set, std::int64_t first, std::int64_t count);

}  // namespace pavlov::data
