// exact_sincos must return std::sin's and std::cos's values bit for bit:
// CartPole's vectorized step relies on it to match Gymnasium's recordings.
#include "envs/common/exact_sincos.h"

#include <doctest/doctest.h>
#if __has_include(<gnu/libc-version.h>)
#include <gnu/libc-version.h>
#else
static const char* gnu_get_libc_version() { return "not glibc"; }
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ios>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using pavlov::envs::SincosPath;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Angles where the formulas switch or round: the formulas' range ends, the
// 0.126 switch of sin, the table's grid and its midpoints, with neighbours
// one ulp away; then uniform angles, small ones and out-of-range ones.
std::vector<double> angles(std::size_t uniform) {
  std::vector<double> x;
  const double inf = std::numeric_limits<double>::infinity();
  for (double edge : {0x1p-27, 0x1p-26, 0.126, 0.85546875, 1.0, 2.426265})
    for (double v : {std::nextafter(edge, 0.0), edge, std::nextafter(edge, inf)}) x.push_back(v);
  for (int i = 0; i <= 220; ++i) x.push_back(i / 256.0);
  for (double v : {0.0, 5e-324, 1e-300, 3.0, 100.0, 1e22, inf, std::numeric_limits<double>::quiet_NaN()}) x.push_back(v);
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> in_range(0.0, 0.86), exponent(-30.0, 0.0);
  for (std::size_t i = 0; i < uniform; ++i) x.push_back(i % 5 == 0 ? std::exp2(exponent(gen)) : in_range(gen));
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i) x.push_back(-x[i]);
  return x;
}

}  // namespace

TEST_CASE("exact_sincos: std::sin and std::cos bit for bit, every angle and batch size") {
  const std::vector<double> x = angles(200'000);
  for (std::size_t n : {x.size(), std::size_t{1}, std::size_t{7}}) {  // tails of 1..3 angles go to libm
    std::vector<double> s(n), c(n);
    pavlov::envs::exact_sincos({x.data(), n}, s, c);
    for (std::size_t i = 0; i < n; ++i) {
      INFO("x = " << x[i] << " (" << std::hexfloat << x[i] << ")");
      REQUIRE(same_bits(s[i], std::sin(x[i])));
      REQUIRE(same_bits(c[i], std::cos(x[i])));
    }
  }
}

TEST_CASE("exact_sincos: the vectorized formulas are on and agree where glibc 2.36 runs on a CPU with FMA") {
  const SincosPath path = pavlov::envs::exact_sincos_path();
  if (path == SincosPath::kNoAvx2Fma) {
    MESSAGE("this CPU lacks AVX2 or FMA: exact_sincos calls std::sin and std::cos");
    return;
  }
  // Debian 12's C library is the one the formulas reproduce: there the
  // self-check must pass (else CartPole silently loses its speed).
  if (std::string(gnu_get_libc_version()) == "2.36") REQUIRE(path == SincosPath::kVectorized);
  if (path != SincosPath::kVectorized) {
    MESSAGE("glibc " << gnu_get_libc_version() << " differs from the formulas: exact_sincos calls std::sin and std::cos");
    return;
  }
  // The formulas alone, on angles the self-check never saw; out-of-range blocks are refused.
  const std::vector<double> x = angles(1'000'000);
  std::size_t compared = 0;
  for (std::size_t i = 0; i + 4 <= x.size(); i += 4) {
    double s[4], c[4];
    const bool in_range = std::all_of(&x[i], &x[i + 4], [](double v) { return std::abs(v) >= 0x1p-27 && std::abs(v) < 0.85546875; });
    REQUIRE(pavlov::envs::detail::sincos4(&x[i], s, c) == in_range);
    if (!in_range) continue;
    for (int j = 0; j < 4; ++j) {
      INFO("x = " << std::hexfloat << x[i + j]);
      REQUIRE(same_bits(s[j], std::sin(x[i + j])));
      REQUIRE(same_bits(c[j], std::cos(x[i + j])));
    }
    compared += 4;
  }
  CHECK(compared > 1'500'000);
}
