// pavlov::ArrayView: an untyped, non-owning view of a flat array with a
// runtime element type. Observations and actions cross the Env and VectorEnv
// interfaces as views of caller-owned memory, so that no step allocates and a
// batch buffer can later be wrapped by a tensor without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace pavlov {

// Element types that spaces and buffers use.
enum class DType : std::uint8_t {
  kFloat32,  // continuous observations and actions
  kUInt8,    // pixels
  kInt64,    // discrete and multi-discrete actions
};

// Size of one element in bytes.
constexpr std::size_t dtype_size(DType d) {
  return d == DType::kUInt8 ? 1 : d == DType::kFloat32 ? 4 : 8;
}

// Printable name: "float32", "uint8" or "int64".
std::string_view dtype_name(DType d);

// The DType of a C++ element type (float, std::uint8_t, std::int64_t).
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kFloat32;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return DType::kUInt8;
  else {
    static_assert(std::is_same_v<T, std::int64_t>, "pavlov arrays hold float, uint8_t or int64_t");
    return DType::kInt64;
  }
}

// A mutable view: `size` elements of type `dtype` starting at `data`.
struct ArrayView {
  void* data = nullptr;
  DType dtype = DType::kFloat32;
  std::int64_t size = 0;

  ArrayView() = default;
  ArrayView(void* d, DType t, std::int64_t n) : data(d), dtype(t), size(n) {}
  template <class T, std::size_t N>
  ArrayView(std::span<T, N> s)  // NOLINT: implicit from a typed span is the point
      : data(s.data()), dtype(dtype_of<T>()), size(static_cast<std::int64_t>(s.size())) {}

  // Typed access; the caller has checked `dtype` (Env and VectorEnv do).
  template <class T>
  T* as() const { return static_cast<T*>(data); }
  // The view of `n` elements starting at element `offset`.
  ArrayView slice(std::int64_t offset, std::int64_t n) const {
    return {static_cast<std::byte*>(data) + offset * dtype_size(dtype), dtype, n};
  }
};

// A read-only view, as ArrayView.
struct ConstArrayView {
  const void* data = nullptr;
  DType dtype = DType::kFloat32;
  std::int64_t size = 0;

  ConstArrayView() = default;
  ConstArrayView(const void* d, DType t, std::int64_t n) : data(d), dtype(t), size(n) {}
  ConstArrayView(ArrayView v) : data(v.data), dtype(v.dtype), size(v.size) {}  // NOLINT
  template <class T, std::size_t N>
  ConstArrayView(std::span<T, N> s)  // NOLINT
      : data(s.data()), dtype(dtype_of<std::remove_const_t<T>>()), size(static_cast<std::int64_t>(s.size())) {}

  template <class T>
  const T* as() const { return static_cast<const T*>(data); }
  ConstArrayView slice(std::int64_t offset, std::int64_t n) const {
    return {static_cast<const std::byte*>(data) + offset * dtype_size(dtype), dtype, n};
  }
};

}  // namespace pavlov
