// CarRacing-v3: the pixels, determinism, a waypoint-following driver that
// laps the track, and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "envs/box2d/car_racing.h"
#include "random_run_hash.h"

using pavlov::envs::CarRacing;

namespace {

struct Pixels {
  std::vector<std::uint8_t> bytes = std::vector<std::uint8_t>(96 * 96 * 3);
  pavlov::ArrayView view() { return pavlov::ArrayView(bytes.data(), pavlov::DType::kUInt8, static_cast<std::int64_t>(bytes.size())); }
  const std::uint8_t* at(int x, int y) const { return &bytes[(y * 96 + x) * 3]; }
};

// Pure pursuit on the track's centre line: steer towards a point ahead (the
// faster, the farther), and keep a speed from which the car can still brake
// to what each curve ahead allows (v = grip * sqrt(radius)).
struct Driver {
  double lookahead = 0.15, grip = 8.0, decel = 50.0, top_speed = 95, gain = 2.0;
  mutable int progress = 0;  // the centre point the car was nearest to

  void act(const pavlov::envs::CarRacingWorld& w, float* a) const {
    const auto& line = w.centre_line();
    const int n = static_cast<int>(line.size());
    const b2Vec2 p = w.car().hull().GetPosition();
    const double heading = w.car().hull().GetAngle();
    const b2Vec2 v = w.car().hull().GetLinearVelocity();
    const double speed = std::hypot(v.x, v.y);
    // The nearest centre point near where the car was (the track may pass close to itself).
    int nearest = progress;
    double best = 1e18;
    for (int k = -5; k <= 25; ++k) {
      const int i = ((progress + k) % n + n) % n;
      const double dx = line[i][0] - p.x, dy = line[i][1] - p.y, d = dx * dx + dy * dy;
      if (d < best) best = d, nearest = i;
    }
    progress = nearest;
    const int ahead = std::clamp(static_cast<int>(speed * lookahead), 2, 14);
    const auto& target = line[(nearest + ahead) % n];
    const double dx = target[0] - p.x, dy = target[1] - p.y;
    const double forward = -std::sin(heading) * dx + std::cos(heading) * dy;
    const double right = std::cos(heading) * dx + std::sin(heading) * dy;
    // Pure pursuit: the wheel angle whose arc passes through the target (wheelbase 3.24 m);
    // the steering input is that angle in radians (Gymnasium's joint target).
    const double alpha = std::atan2(right, forward), distance = std::hypot(dx, dy);
    a[0] = static_cast<float>(std::clamp(gain * std::atan(2 * 3.24 * std::sin(alpha) / std::max(distance, 1.0)), -1.0, 1.0));

    const auto dir = [&](int i) {
      const auto& u = line[i % n];
      const auto& q = line[(i + 1) % n];
      return std::atan2(q[1] - u[1], q[0] - u[0]);
    };
    constexpr double kTile = 21.0 / 6.0;  // metres between centre points
    double wanted = top_speed;
    for (int k = 0; k < 40; ++k) {
      const double turn = std::abs(std::remainder(dir(nearest + k + 4) - dir(nearest + k), 2 * M_PI));
      const double radius = 4 * kTile / std::max(turn, 1e-6);
      const double corner = grip * std::sqrt(radius);
      wanted = std::min(wanted, std::sqrt(corner * corner + 2 * decel * k * kTile));
    }
    a[1] = speed < wanted ? 1.0f : 0.0f;
    a[2] = speed > wanted + 3 ? 0.8f : 0.0f;
  }
};

}  // namespace

TEST_CASE("car racing: the waypoint driver visits >= 90 % of the tiles on 20 tracks (each >= 75 %)") {
  auto env = pavlov::make_env("CarRacing-v3");
  auto& car = dynamic_cast<CarRacing&>(*env);
  Pixels obs;
  Driver driver;
  double sum = 0, worst = 1, returns = 0;
  for (int seed = 0; seed < 20; ++seed) {
    env->reset(obs.view(), seed);
    driver.progress = 0;
    float a[3];
    pavlov::StepResult r;
    double ret = 0;
    do {
      driver.act(car.world(), a);
      r = env->step(std::span<const float>(a, 3), obs.view());
      ret += r.reward;
    } while (!r.terminated && !r.truncated);
    const double fraction = static_cast<double>(car.world().tiles_visited()) / car.world().tiles();
    MESSAGE("seed " << seed << ": " << car.world().tiles_visited() << "/" << car.world().tiles() << " tiles, return " << ret
                    << ", " << r.info.elapsed_steps << " steps");
    sum += fraction;
    returns += ret;
    worst = std::min(worst, fraction);
  }
  MESSAGE("tiles visited: mean " << sum / 20 << ", worst " << worst << "; mean return " << returns / 20);
  CHECK(sum / 20 >= 0.9);
  CHECK(worst >= 0.75);
}

TEST_CASE("car racing: the pixels show the car, the road and the indicator bar") {
  auto env = pavlov::make_env("CarRacing-v3");
  Pixels obs;
  env->reset(obs.view(), 5);
  float a[3] = {0, 1, 0};
  for (int t = 0; t < 60; ++t) env->step(std::span<const float>(a, 3), obs.view());  // the zoom settles after 1 s
  // The car sits at (48, 72) of 96 x 96 (half way across, three quarters down): red hull.
  int red = 0;
  for (int y = 64; y < 80; ++y)
    for (int x = 44; x < 52; ++x) red += obs.at(x, y)[0] > 150 && obs.at(x, y)[1] < 60;
  CHECK(red >= 4);
  // The road under and ahead of it is gray.
  const std::uint8_t* road = obs.at(48, 60);
  CHECK(road[0] == road[1]);
  CHECK(road[1] == road[2]);
  CHECK(road[0] >= 100);
  CHECK(road[0] <= 110);
  // The bottom 12 rows are the black indicator bar, with the speed bar (white) in it.
  int black = 0, white = 0;
  for (int y = 85; y < 96; ++y)
    for (int x = 0; x < 96; ++x) {
      const std::uint8_t* p = obs.at(x, y);
      black += p[0] == 0 && p[1] == 0 && p[2] == 0;
      white += p[0] == 255 && p[1] == 255 && p[2] == 255;
    }
  CHECK(black > 600);
  CHECK(white > 3);
}

TEST_CASE("car racing: same seed, same pixels and rewards after 1000 random steps, on 1 or 2 threads") {
  pavlov::VectorEnv one("CarRacing-v3", {.num_envs = 4, .threads = 1, .seed = 9});
  pavlov::VectorEnv two("CarRacing-v3", {.num_envs = 4, .threads = 2, .seed = 9});
  const auto h1 = pavlov::testing::random_run_hash(one, 9, 300);
  CHECK(h1 == pavlov::testing::random_run_hash(two, 9, 300));
  pavlov::VectorEnv other("CarRacing-v3", {.num_envs = 4, .threads = 1, .seed = 10});
  CHECK(h1 != pavlov::testing::random_run_hash(other, 10, 300));
}

TEST_CASE("car racing: save and load mid-episode continue the same trajectory") {
  auto a = pavlov::make_env("CarRacing-v3");
  auto b = pavlov::make_env("CarRacing-v3");
  Pixels oa, ob;
  a->reset(oa.view(), 4);
  pavlov::Rng rng(1);
  float act[3];
  auto random_action = [&] {
    act[0] = static_cast<float>(rng.uniform(-1, 1));
    act[1] = static_cast<float>(rng.uniform(0, 1));
    act[2] = static_cast<float>(rng.uniform(0, 0.2));
  };
  for (int t = 0; t < 80; ++t) {
    random_action();
    a->step(std::span<const float>(act, 3), oa.view());
  }
  b->reset(ob.view(), 99);
  b->set_state(a->state(), ob.view());
  CHECK(oa.bytes == ob.bytes);
  for (int t = 0; t < 50; ++t) {
    random_action();
    const auto ra = a->step(std::span<const float>(act, 3), oa.view());
    const auto rb = b->step(std::span<const float>(act, 3), ob.view());
    REQUIRE(ra.reward == rb.reward);
  }
  CHECK(oa.bytes == ob.bytes);
}

TEST_CASE("car racing: actions are clipped (continuous) or checked (discrete); NaN is an error") {
  auto env = pavlov::make_env("CarRacing-v3");
  Pixels obs;
  env->reset(obs.view(), 1);
  const float wild[3] = {-7, 3, -2};
  CHECK_NOTHROW(env->step(std::span<const float>(wild, 3), obs.view()));
  const float nan[3] = {0, std::nanf(""), 0};
  CHECK_THROWS_WITH(env->step(std::span<const float>(nan, 3), obs.view()), doctest::Contains("NaN"));
  auto discrete = pavlov::make_env("CarRacing-v3", {{"continuous", false}});
  CHECK(discrete->action_space().n() == 5);
  discrete->reset(obs.view(), 1);
  std::int64_t five = 5;
  CHECK_THROWS_WITH(discrete->step(pavlov::ConstArrayView(&five, pavlov::DType::kInt64, 1), obs.view()),
                    doctest::Contains("Discrete(5)"));
  std::int64_t gas = 3;
  CHECK_NOTHROW(discrete->step(pavlov::ConstArrayView(&gas, pavlov::DType::kInt64, 1), obs.view()));
}
