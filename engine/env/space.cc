#include "engine/env/space.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace pavlov {

std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::kFloat32: return "float32";
    case DType::kUInt8: return "uint8";
    case DType::kInt64: return "int64";
  }
  return "?";
}

Space Space::discrete(std::int64_t n, std::int64_t start) {
  if (n < 1) throw std::invalid_argument("Discrete(n): n must be >= 1, got " + std::to_string(n));
  Space s;
  s.kind_ = Kind::kDiscrete;
  s.dtype_ = DType::kInt64;
  s.n_ = n;
  s.start_ = start;
  return s;
}

Space Space::box(std::vector<double> low, std::vector<double> high, std::vector<std::int64_t> shape, DType dtype) {
  const std::int64_t numel = std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
  if (static_cast<std::int64_t>(low.size()) != numel || static_cast<std::int64_t>(high.size()) != numel)
    throw std::invalid_argument("Box: low and high need one bound per element (" + std::to_string(numel) + ")");
  if (dtype == DType::kInt64) throw std::invalid_argument("Box: dtype must be float32 or uint8");
  for (std::int64_t i = 0; i < numel; ++i) {
    if (!(low[i] <= high[i])) throw std::invalid_argument("Box: low must be <= high at every element");
    if (dtype == DType::kUInt8 && (low[i] < 0 || high[i] > 255))
      throw std::invalid_argument("Box: uint8 bounds must lie in [0, 255]");
  }
  Space s;
  s.kind_ = Kind::kBox;
  s.dtype_ = dtype;
  s.shape_ = std::move(shape);
  s.numel_ = numel;
  s.low_ = std::move(low);
  s.high_ = std::move(high);
  return s;
}

Space Space::box(double low, double high, std::vector<std::int64_t> shape, DType dtype) {
  const std::int64_t numel = std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
  return box(std::vector<double>(numel, low), std::vector<double>(numel, high), std::move(shape), dtype);
}

Space Space::multi_discrete(std::vector<std::int64_t> nvec) {
  for (auto n : nvec)
    if (n < 1) throw std::invalid_argument("MultiDiscrete: every nvec entry must be >= 1");
  Space s;
  s.kind_ = Kind::kMultiDiscrete;
  s.dtype_ = DType::kInt64;
  s.shape_ = {static_cast<std::int64_t>(nvec.size())};
  s.numel_ = static_cast<std::int64_t>(nvec.size());
  s.nvec_ = std::move(nvec);
  return s;
}

bool Space::contains(ConstArrayView x) const {
  if (x.dtype != dtype_ || x.size != numel_) return false;
  switch (kind_) {
    case Kind::kDiscrete: {
      const std::int64_t v = x.as<std::int64_t>()[0];
      return v >= start_ && v < start_ + n_;
    }
    case Kind::kMultiDiscrete:
      for (std::int64_t i = 0; i < numel_; ++i) {
        const std::int64_t v = x.as<std::int64_t>()[i];
        if (v < 0 || v >= nvec_[i]) return false;
      }
      return true;
    case Kind::kBox:
      for (std::int64_t i = 0; i < numel_; ++i) {
        const double v = dtype_ == DType::kFloat32 ? x.as<float>()[i] : x.as<std::uint8_t>()[i];
        // Bounds are compared in the element type, as Gymnasium casts them to the Box dtype.
        const double lo = dtype_ == DType::kFloat32 ? static_cast<float>(low_[i]) : low_[i];
        const double hi = dtype_ == DType::kFloat32 ? static_cast<float>(high_[i]) : high_[i];
        if (!(v >= lo && v <= hi)) return false;
      }
      return true;
  }
  return false;
}

void Space::sample(Rng& rng, ArrayView out) const {
  switch (kind_) {
    case Kind::kDiscrete:
      out.as<std::int64_t>()[0] = start_ + static_cast<std::int64_t>(rng.below(n_));
      return;
    case Kind::kMultiDiscrete:
      for (std::int64_t i = 0; i < numel_; ++i) out.as<std::int64_t>()[i] = static_cast<std::int64_t>(rng.below(nvec_[i]));
      return;
    case Kind::kBox:
      for (std::int64_t i = 0; i < numel_; ++i) {
        if (dtype_ == DType::kUInt8) {
          const auto lo = static_cast<std::int64_t>(std::ceil(low_[i]));
          const auto hi = static_cast<std::int64_t>(std::floor(high_[i]));
          out.as<std::uint8_t>()[i] = static_cast<std::uint8_t>(lo + static_cast<std::int64_t>(rng.below(hi - lo + 1)));
          continue;
        }
        const bool lo_open = std::isinf(low_[i]), hi_open = std::isinf(high_[i]);
        double v;
        if (!lo_open && !hi_open) {
          v = rng.uniform(low_[i], high_[i]);
        } else if (lo_open && hi_open) {
          v = rng.normal();
        } else {  // exponential offset from the finite side
          const double e = -std::log(1.0 - rng.uniform());
          v = lo_open ? high_[i] - e : low_[i] + e;
        }
        // Rounding to float32 may step outside a finite bound: clamp back in.
        float f = static_cast<float>(v);
        if (!lo_open && f < static_cast<float>(low_[i])) f = static_cast<float>(low_[i]);
        if (!hi_open && f > static_cast<float>(high_[i])) f = static_cast<float>(high_[i]);
        out.as<float>()[i] = f;
      }
      return;
  }
}

namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os.precision(8);
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string bounds_string(const std::vector<double>& b, bool integral) {
  bool same = true;
  for (double v : b) same = same && v == b.front();
  auto one = [&](double v) { return integral ? std::to_string(static_cast<std::int64_t>(v)) : number(v); };
  if (same && !b.empty()) return one(b.front());
  std::string s = "[";
  for (std::size_t i = 0; i < b.size(); ++i) s += (i ? " " : "") + one(b[i]);
  return s + "]";
}

}  // namespace

std::string Space::to_string() const {
  switch (kind_) {
    case Kind::kDiscrete:
      return "Discrete(" + std::to_string(n_) + (start_ ? ", start=" + std::to_string(start_) : "") + ")";
    case Kind::kMultiDiscrete: {
      std::string s = "MultiDiscrete([";
      for (std::size_t i = 0; i < nvec_.size(); ++i) s += (i ? " " : "") + std::to_string(nvec_[i]);
      return s + "])";
    }
    case Kind::kBox: {
      const bool integral = dtype_ == DType::kUInt8;
      return "Box(" + bounds_string(low_, integral) + ", " + bounds_string(high_, integral) + ", " +
             shape_string(shape_) + ", " + std::string(dtype_name(dtype_)) + ")";
    }
  }
  return "?";
}

ImageLayout image_layout(const std::vector<std::int64_t>& s) {
  if (s.size() != 3) throw std::invalid_argument("an image observation has 3 dimensions, got " + std::to_string(s.size()));
  const bool last = s[2] <= 4 && s[0] > 4;
  return last ? ImageLayout{s[2], s[0], s[1], true} : ImageLayout{s[0], s[1], s[2], false};
}

}  // namespace pavlov
