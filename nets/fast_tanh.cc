#include "nets/fast_tanh.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace pavlov::nets {
namespace {

// Eight lanes with GCC's vector extensions: explicit SIMD that GCC lowers to
// AVX2 in the avx2 clone and to pairs of SSE2 operations otherwise.
using F8 = float __attribute__((vector_size(32)));
using I8 = std::int32_t __attribute__((vector_size(32)));

[[gnu::always_inline]] inline F8 splat(float v) { return F8{v, v, v, v, v, v, v, v}; }
[[gnu::always_inline]] inline F8 select(I8 mask, F8 a, F8 b) {  // mask lanes are 0 or -1
  return reinterpret_cast<F8>((mask & reinterpret_cast<I8>(a)) | (~mask & reinterpret_cast<I8>(b)));
}

[[gnu::always_inline]] inline F8 tanh8(F8 v) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 = hi + lo, hi exact in few bits
  const I8 sign = reinterpret_cast<I8>(v) & (I8{} + static_cast<std::int32_t>(0x80000000u));
  const F8 a = reinterpret_cast<F8>(reinterpret_cast<I8>(v) & (I8{} + 0x7fffffff));
  // |x| < 1: the rational function.
  const F8 t = a * a;
  const F8 p = a * (splat(10395.0f) + t * (splat(1260.0f) + t * 21.0f));
  const F8 q = splat(10395.0f) + t * (splat(4725.0f) + t * (splat(210.0f) + t));
  // |x| >= 1: e = exp(y), y = 2 min(|x|, 9) = k ln2 + r, |r| <= ln2 / 2.
  const F8 y = 2.0f * select(a < 9.0f, a, splat(9.0f));
  const I8 k = __builtin_convertvector(y * kLog2e + 0.5f, I8);  // y > 0: truncation rounds
  const F8 kf = __builtin_convertvector(k, F8);
  const F8 r = (y - kf * kLn2Hi) - kf * kLn2Lo;
  const F8 poly = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720 + r * (1.0f / 5040)))))));
  const F8 e = poly * reinterpret_cast<F8>((k + 127) << 23);
  const I8 small = a < 1.0f;
  const F8 m = select(small, p, e - 1.0f) / select(small, q, e + 1.0f);
  const F8 signed_m = reinterpret_cast<F8>(reinterpret_cast<I8>(m) | sign);
  return select(v != v, v, signed_m);  // NaN stays NaN
}

}  // namespace

__attribute__((target_clones("avx2", "default"))) void fast_tanh(const float* x, float* out, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    F8 v;
    std::memcpy(&v, x + i, sizeof v);
    const F8 r = tanh8(v);
    std::memcpy(out + i, &r, sizeof r);
  }
  if (i < n) {  // the tail through a padded block
    F8 v = splat(0.0f);
    std::memcpy(&v, x + i, (n - i) * sizeof(float));
    const F8 r = tanh8(v);
    std::memcpy(out + i, &r, (n - i) * sizeof(float));
  }
}

}  // namespace pavlov::nets
