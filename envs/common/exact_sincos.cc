#include "envs/common/exact_sincos.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define PAVLOV_SINCOS_X86 1
#endif

namespace pavlov::envs {
namespace {

void libm_sincos(double x, double& s, double& c) {
  s = std::sin(x);
  c = std::cos(x);
}

#ifdef PAVLOV_SINCOS_X86

alignas(32) const double kTable[] = {
#include "envs/common/sincos_table.inc"
};

// glibc's constants (sysdeps/ieee754/dbl-64/usncs.h and s_sin.c): the Taylor
// polynomial of sin for |x| < 0.126 (s1..s5), the corrections to the table
// for the rest (sn3, sn5: sin; cs2..cs6: cos), and 1.5 * 2^45, whose unit in
// the last place is 1/128, to round |x| to the table's grid.
constexpr double kS1 = -0x1.5555555555555p-3, kS2 = 0x1.1111111110ecep-7, kS3 = -0x1.a01a019db08b8p-13,
                 kS4 = 0x1.71de27b9a7ed9p-19, kS5 = -0x1.addffc2fcdf59p-26;
constexpr double kSn3 = -0x1.5555555555515p-3, kSn5 = 0x1.11110e829872fp-7;
constexpr double kCs2 = 0x1p-1, kCs4 = -0x1.5555555555535p-5, kCs6 = 0x1.6c16bedd9e239p-10;
constexpr double kBig = 0x1.8p45;

__attribute__((target("avx2"), always_inline)) inline __m256d c(double v) { return _mm256_set1_pd(v); }

// Four angles. Each line names the quantity of glibc's do_sin / do_cos it
// computes; the operands of every fused multiply-add are those of glibc 2.36's
// __sincos_fma (its disassembly), whose results __sin_fma and __cos_fma share.
__attribute__((target("avx2,fma"))) bool formulas4(const double* xp, double* sp, double* cp) {
  const __m256d x = _mm256_loadu_pd(xp);
  const __m256d minus0 = _mm256_set1_pd(-0.0), zero = _mm256_setzero_pd();
  const __m256d ax = _mm256_andnot_pd(minus0, x);
  const __m256d in_range = _mm256_and_pd(_mm256_cmp_pd(ax, _mm256_set1_pd(0x1p-27), _CMP_GE_OQ),
                                         _mm256_cmp_pd(ax, _mm256_set1_pd(0.85546875), _CMP_LT_OQ));
  if (_mm256_movemask_pd(in_range) != 0xF) return false;

  // |x| = x_i + r with x_i = i/128 on the grid, |r| <= 1/256; the table row i.
  const __m256d big = c(kBig);
  const __m256d u = _mm256_add_pd(ax, big);
  const __m256d r = _mm256_sub_pd(ax, _mm256_sub_pd(u, big));
  const __m256i row = _mm256_slli_epi64(_mm256_and_si256(_mm256_castpd_si256(u), _mm256_set1_epi64x(0xffffffff)), 2);
  const __m256d sn = _mm256_i64gather_pd(kTable, row, 8), ssn = _mm256_i64gather_pd(kTable + 1, row, 8);
  const __m256d cs = _mm256_i64gather_pd(kTable + 2, row, 8), ccs = _mm256_i64gather_pd(kTable + 3, row, 8);

  // sin for |x| >= 0.126: sin(x_i) + cor, cor from sin(r) ~ s and 1 - cos(r) ~ cc.
  // dx is glibc's zero correction term, signed as it signs it.
  const __m256d dx = _mm256_blendv_pd(minus0, zero, _mm256_cmp_pd(x, zero, _CMP_NLE_UQ));
  const __m256d rr = _mm256_mul_pd(r, r);
  const __m256d s = _mm256_add_pd(_mm256_fmadd_pd(_mm256_mul_pd(rr, r), _mm256_fmadd_pd(rr, c(kSn5), c(kSn3)), dx), r);
  const __m256d cc = _mm256_fmadd_pd(
      dx, r, _mm256_mul_pd(rr, _mm256_fmadd_pd(_mm256_fmadd_pd(rr, c(kCs6), c(kCs4)), rr, c(kCs2))));
  const __m256d cor = _mm256_fmadd_pd(s, cs, _mm256_fnmadd_pd(cc, sn, _mm256_fmadd_pd(s, ccs, ssn)));
  const __m256d sin_table = _mm256_or_pd(_mm256_andnot_pd(minus0, _mm256_add_pd(cor, sn)), _mm256_and_pd(minus0, x));

  // sin for |x| < 0.126: x + x^3 * (s1 + x^2 * (s2 + ...)).
  const __m256d xx = _mm256_mul_pd(x, x);
  __m256d p = _mm256_fmadd_pd(xx, c(kS5), c(kS4));
  p = _mm256_fmadd_pd(xx, p, c(kS3));
  p = _mm256_fmadd_pd(xx, p, c(kS2));
  p = _mm256_fmadd_pd(xx, p, c(kS1));
  p = _mm256_fmadd_pd(x, p, minus0);
  const __m256d sin_taylor = _mm256_add_pd(x, _mm256_fmadd_pd(xx, p, zero));
  _mm256_storeu_pd(sp, _mm256_blendv_pd(sin_table, sin_taylor, _mm256_cmp_pd(ax, c(0.126), _CMP_LT_OQ)));

  // cos: cos(x_i) - cor, with r corrected by cos's own zero term.
  const __m256d y = _mm256_add_pd(_mm256_blendv_pd(minus0, zero, _mm256_cmp_pd(x, zero, _CMP_NLT_UQ)), r);
  const __m256d yy = _mm256_mul_pd(y, y);
  const __m256d sy = _mm256_fmadd_pd(_mm256_mul_pd(y, yy), _mm256_fmadd_pd(yy, c(kSn5), c(kSn3)), y);
  const __m256d cy = _mm256_mul_pd(yy, _mm256_fmadd_pd(_mm256_fmadd_pd(yy, c(kCs6), c(kCs4)), yy, c(kCs2)));
  __m256d e = _mm256_fnmadd_pd(ssn, sy, ccs);
  e = _mm256_fnmadd_pd(cy, cs, e);
  e = _mm256_fnmadd_pd(sy, sn, e);
  _mm256_storeu_pd(cp, _mm256_add_pd(e, cs));
  return true;
}

// 65536 angles, about a millisecond once per process. Enough to see rare
// differences: fusing the last addition of sin's polynomial (a plausible
// slip, or another build of the same code) changes one result in 2000 below
// 0.126, which this catches a dozen times over; 4096 angles missed it.
bool formulas_agree_with_libm() {
  // Angles over the whole range, both signs, the grid's midpoints and the
  // 0.126 switch, from a fixed generator (splitmix64).
  std::uint64_t state = 0x243f6a8885a308d3ull;
  auto next = [&] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  constexpr int kAngles = 1 << 16;
  for (int i = 0; i < kAngles; i += 4) {
    double x[4], s[4], co[4];
    for (int j = 0; j < 4; ++j) {
      const double unit = static_cast<double>(next() >> 11) * 0x1p-53;  // [0, 1)
      double mag;
      switch ((i + j) % 8) {
        case 0: mag = 0.126 * (1 + (unit - 0.5) * 1e-6); break;          // sin's switch
        case 1: mag = (std::floor(unit * 218) + 0.5) / 256; break;        // the grid's midpoints
        case 2: case 3: case 4: mag = 0x1p-26 + unit * (0.126 - 0x1p-26); break;  // sin's polynomial
        default: mag = 0.126 + unit * (0.855 - 0.126);                   // the table
      }
      x[j] = (next() & 1) ? -mag : mag;
    }
    if (!formulas4(x, s, co)) return false;
    for (int j = 0; j < 4; ++j) {
      double ls, lc;
      libm_sincos(x[j], ls, lc);
      if (std::memcmp(&ls, &s[j], sizeof ls) != 0 || std::memcmp(&lc, &co[j], sizeof lc) != 0) return false;
    }
  }
  return true;
}

SincosPath choose_path() {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return SincosPath::kNoAvx2Fma;
  return formulas_agree_with_libm() ? SincosPath::kVectorized : SincosPath::kLibmDiffers;
}

#else

SincosPath choose_path() { return SincosPath::kNoAvx2Fma; }

#endif

}  // namespace

SincosPath exact_sincos_path() {
  static const SincosPath path = choose_path();
  return path;
}

bool detail::sincos4(const double* x, double* sin, double* cos) {
#ifdef PAVLOV_SINCOS_X86
  return formulas4(x, sin, cos);
#else
  (void)x, (void)sin, (void)cos;
  return false;
#endif
}

void exact_sincos(std::span<const double> x, std::span<double> sin, std::span<double> cos) {
  std::size_t i = 0;
#ifdef PAVLOV_SINCOS_X86
  if (exact_sincos_path() == SincosPath::kVectorized)
    for (; i + 4 <= x.size(); i += 4)
      if (!formulas4(&x[i], &sin[i], &cos[i]))
        for (std::size_t j = i; j < i + 4; ++j) libm_sincos(x[j], sin[j], cos[j]);
#endif
  for (; i < x.size(); ++i) libm_sincos(x[i], sin[i], cos[i]);
}

}  // namespace pavlov::envs
