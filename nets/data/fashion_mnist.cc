#include "nets/data/fashion_mnist.h"

#include <filesystem>
#include <stdexcept>

#include "nets/data/idx.h"

namespace pavlov::data {

LabeledImages load_fashion_mnist(const std::string& split, const std::string& dir) {
  if (split != "train" && split != "test")
    throw std::invalid_argument("Fashion-MNIST has the splits train and test, not '" + split + "'");
  const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
  const std::string images_path = prefix + "-images-idx3-ubyte.gz", labels_path = prefix + "-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(images_path) || !std::filesystem::exists(labels_path))
    throw std::runtime_error("Fashion-MNIST is not installed: " + images_path +
                             " is missing\n  hint: install Debian's package: sudo apt-get install dataset-fashion-mnist");
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.shape.size() != 3 || labels.shape.size() != 1 || images.shape[0] != labels.shape[0])
    throw std::runtime_error(images_path + ": expected [N, 28, 28] images and N labels");
  for (const std::uint8_t l : labels.data)
    if (l >= kFashionMnistClasses.size()) throw std::runtime_error(labels_path + ": a label outside 0..9");
  LabeledImages out;
  out.count = images.shape[0];
  out.height = images.shape[1];
  out.width = images.shape[2];
  out.pixels = std::move(images.data);
  out.labels = std::move(labels.data);
  return out;
}

LabeledImages slice(const LabeledImages& set, std::int64_t first, std::int64_t count) {
  LabeledImages out;
  out.count = count;
  out.channels = set.channels, out.height = set.height, out.width = set.width;
  const auto cut = [&](const std::vector<std::uint8_t>& v, std::int64_t per_item) {
    if (v.empty()) return std::vector<std::uint8_t>{};
    return std::vector<std::uint8_t>(v.begin() + first * per_item, v.begin() + (first + count) * per_item);
  };
  out.pixels = cut(set.pixels, set.image_size());
  out.labels = cut(set.labels, 1);
  out.masks = cut(set.masks, set.mask_size());
  return out;
}

}  // namespace pavlov::data
