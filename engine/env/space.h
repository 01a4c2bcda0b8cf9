// pavlov::Space: the set an observation or an action belongs to, as in
// Gymnasium: Discrete(n, start), Box(low, high, shape, dtype) and
// MultiDiscrete(nvec).
//
// A Space is a value type (copyable, comparable). Its elements are flat
// arrays of `numel()` values of type `dtype()`:
//   Discrete       one int64 in [start, start + n)
//   MultiDiscrete  nvec.size() int64s, element i in [0, nvec[i])
//   Box            prod(shape) float32 or uint8 values, element i in [low[i], high[i]]
// Batches of elements are laid out row after row ([N, numel] in row-major order).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/env/array_view.h"
#include "engine/env/rng.h"

namespace pavlov {

class Space {
 public:
  enum class Kind : std::uint8_t { kDiscrete, kBox, kMultiDiscrete };

  // Discrete(n, start): the integers start, start + 1, ..., start + n - 1. n >= 1.
  static Space discrete(std::int64_t n, std::int64_t start = 0);
  // Box with per-element bounds; low and high have prod(shape) entries, low <= high.
  // Unbounded dimensions use +-infinity (float32 Boxes only).
  static Space box(std::vector<double> low, std::vector<double> high, std::vector<std::int64_t> shape,
                   DType dtype = DType::kFloat32);
  // Box with the same bounds for every element.
  static Space box(double low, double high, std::vector<std::int64_t> shape, DType dtype = DType::kFloat32);
  // MultiDiscrete(nvec): element i in [0, nvec[i]). Every nvec[i] >= 1.
  static Space multi_discrete(std::vector<std::int64_t> nvec);

  Kind kind() const { return kind_; }
  bool is_discrete() const { return kind_ == Kind::kDiscrete; }
  bool is_box() const { return kind_ == Kind::kBox; }
  DType dtype() const { return dtype_; }
  // Shape of one element: {} for Discrete, {k} for MultiDiscrete, the Box shape.
  const std::vector<std::int64_t>& shape() const { return shape_; }
  // Number of scalars in one element (1 for Discrete).
  std::int64_t numel() const { return numel_; }

  // Discrete: n and start. MultiDiscrete: nvec. Box: per-element bounds.
  std::int64_t n() const { return n_; }
  std::int64_t start() const { return start_; }
  const std::vector<std::int64_t>& nvec() const { return nvec_; }
  const std::vector<double>& low() const { return low_; }
  const std::vector<double>& high() const { return high_; }

  // True when `x` (numel() elements of dtype()) lies in the space. NaN is never contained.
  bool contains(ConstArrayView x) const;
  // Writes one uniformly random element into `out` (numel() elements of dtype()).
  // Unbounded Box dimensions are sampled as Gymnasium does: a standard normal
  // where both sides are open, an exponential offset where one side is.
  void sample(Rng& rng, ArrayView out) const;

  // Gymnasium's printable form, e.g. "Discrete(2)", "Box(-2.0, 2.0, (1,), float32)",
  // "Box([-4.8 -inf ...], [4.8 inf ...], (4,), float32)", "MultiDiscrete([3 4])".
  std::string to_string() const;

  bool operator==(const Space&) const = default;

 private:
  Space() = default;

  Kind kind_ = Kind::kDiscrete;
  DType dtype_ = DType::kInt64;
  std::vector<std::int64_t> shape_;
  std::int64_t numel_ = 1;
  std::int64_t n_ = 0;
  std::int64_t start_ = 0;
  std::vector<std::int64_t> nvec_;
  std::vector<double> low_, high_;
};

// How a 3-dimensional observation holds an image: channels first (C, H, W),
// or channels last (H, W, C) when the last dimension is <= 4 and the first
// is not (an RGB(A) or few-plane frame). The conv encoders and saliency
// maps read images this way.
struct ImageLayout {
  std::int64_t channels = 0, height = 0, width = 0;
  bool channels_last = false;
};
// Throws std::invalid_argument unless `shape` has 3 dimensions.
ImageLayout image_layout(const std::vector<std::int64_t>& shape);

}  // namespace pavlov
