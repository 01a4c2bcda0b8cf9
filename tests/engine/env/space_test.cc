#include "engine/env/space.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using pavlov::ConstArrayView;
using pavlov::DType;
using pavlov::Space;

TEST_CASE("space: Discrete contains, samples and prints") {
  const Space s = Space::discrete(3, 1);
  std::int64_t v = 1;
  CHECK(s.contains(ConstArrayView(&v, DType::kInt64, 1)));
  v = 4;
  CHECK_FALSE(s.contains(ConstArrayView(&v, DType::kInt64, 1)));
  v = 0;
  CHECK_FALSE(s.contains(ConstArrayView(&v, DType::kInt64, 1)));
  CHECK(s.to_string() == "Discrete(3, start=1)");
  CHECK(Space::discrete(2).to_string() == "Discrete(2)");
  pavlov::Rng rng(1);
  int seen[3] = {0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    s.sample(rng, pavlov::ArrayView(&v, DType::kInt64, 1));
    REQUIRE((v >= 1 && v <= 3));
    ++seen[v - 1];
  }
  for (int c : seen) CHECK(c > 900);
  CHECK_THROWS_AS(Space::discrete(0), std::invalid_argument);
}

TEST_CASE("space: Box bounds, NaN, dtypes and the printable form") {
  const double inf = std::numeric_limits<double>::infinity();
  const Space s = Space::box({-1.0, -inf}, {1.0, inf}, {2});
  CHECK(s.numel() == 2);
  float x[2] = {0.5f, 1e30f};
  CHECK(s.contains(std::span<float>(x)));
  x[0] = 1.5f;
  CHECK_FALSE(s.contains(std::span<float>(x)));
  x[0] = std::nanf("");
  CHECK_FALSE(s.contains(std::span<float>(x)));
  CHECK(s.to_string() == "Box([-1.0 -inf], [1.0 inf], (2,), float32)");
  CHECK(Space::box(-2.0, 2.0, {1}).to_string() == "Box(-2.0, 2.0, (1,), float32)");
  CHECK(Space::box(0, 255, {2, 3}, DType::kUInt8).to_string() == "Box(0, 255, (2, 3), uint8)");
  // A buffer of the wrong dtype or size is never contained.
  std::int64_t wrong[2] = {0, 0};
  CHECK_FALSE(s.contains(std::span<std::int64_t>(wrong)));
  CHECK_THROWS_AS(Space::box({1.0}, {0.0}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(Space::box({0.0, 0.0}, {1.0}, {2}), std::invalid_argument);
}

TEST_CASE("space: Box samples stay inside, open sides included") {
  const double inf = std::numeric_limits<double>::infinity();
  const Space s = Space::box({-1.0, -inf, 0.0, -inf}, {1.0, inf, inf, 3.0}, {4});
  pavlov::Rng rng(7);
  float x[4];
  for (int i = 0; i < 10000; ++i) {
    s.sample(rng, std::span<float>(x));
    REQUIRE(s.contains(std::span<float>(x)));
  }
  const Space pixels = Space::box(0, 255, {8}, DType::kUInt8);
  std::uint8_t p[8];
  for (int i = 0; i < 1000; ++i) {
    pixels.sample(rng, std::span<std::uint8_t>(p));
    REQUIRE(pixels.contains(std::span<std::uint8_t>(p)));
  }
}

TEST_CASE("space: MultiDiscrete") {
  const Space s = Space::multi_discrete({3, 4});
  CHECK(s.to_string() == "MultiDiscrete([3 4])");
  std::int64_t v[2] = {2, 3};
  CHECK(s.contains(std::span<std::int64_t>(v)));
  v[1] = 4;
  CHECK_FALSE(s.contains(std::span<std::int64_t>(v)));
  pavlov::Rng rng(3);
  for (int i = 0; i < 1000; ++i) {
    s.sample(rng, std::span<std::int64_t>(v));
    REQUIRE(s.contains(std::span<std::int64_t>(v)));
  }
  CHECK(s == Space::multi_discrete({3, 4}));
  CHECK_FALSE(s == Space::multi_discrete({3, 5}));
}

TEST_CASE("rng: seeds reproduce, derived seeds differ") {
  pavlov::Rng a(42), b(42), c(43);
  for (int i = 0; i < 10; ++i) {
    const auto x = a.next();
    CHECK(x == b.next());
    CHECK(x != c.next());
  }
  CHECK(pavlov::derive_seed(0, 1) != pavlov::derive_seed(1, 0));
  CHECK(pavlov::derive_seed(5, 3) == pavlov::derive_seed(5, 3));
  double lo = 1, hi = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = a.uniform(-0.05, 0.05);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo >= -0.05);
  CHECK(lo < -0.0499);
  CHECK(hi < 0.05);
  CHECK(hi > 0.0499);
}
