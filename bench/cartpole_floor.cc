// bench_cartpole_floor: the fastest a CartPole step can be on this machine
// with Gymnasium's exact float64 arithmetic, as a yardstick for
// `pavlov bench env CartPole-v1 --num-envs 1024`.
//
// 1024 CartPoles as plain arrays (structure of arrays), stepped with no API
// at all: the same operations as envs/classic/cartpole.cc (libm's sin and
// cos through exact_sincos, the four dependent divisions in a loop the
// compiler vectorizes), float32 observations, rewards and flags written out,
// an episode counter, resets drawn from a small generator. Nothing is checked
// and nothing is virtual, so this is an upper bound that no environment API
// reaches, not a peer.
//
// Prints, one line each:
//   BENCH cartpole_floor_t1 <steps/s>         the whole step, one thread
//   BENCH cartpole_sincos_t1 <calls/s>        std::sin and std::cos of one angle
//   BENCH cartpole_exact_sincos_t1 <calls/s>  the same values from exact_sincos, 1024 at a time
// Two cores can at best double the first figure.
//
// Usage: build/bench_cartpole_floor [--steps S]
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "envs/common/exact_sincos.h"

namespace {

constexpr int kEnvs = 1024;
constexpr double kGravity = 9.8, kMassPole = 0.1, kTotalMass = 1.1, kLength = 0.5, kPoleMassLength = 0.05;
constexpr double kForceMag = 10.0, kTau = 0.02, kXThreshold = 2.4;
const double kThetaThreshold = 12 * 2 * M_PI / 360;

struct XorShift {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

struct Pole {
  std::vector<double> x, x_dot, theta, theta_dot;
  std::vector<std::int32_t> length;
  explicit Pole(XorShift& rng) : x(kEnvs), x_dot(kEnvs), theta(kEnvs), theta_dot(kEnvs), length(kEnvs) {
    for (int i = 0; i < kEnvs; ++i) reset(i, rng);
  }
  void reset(int i, XorShift& rng) {
    x[i] = rng.uniform(-0.05, 0.05), x_dot[i] = rng.uniform(-0.05, 0.05);
    theta[i] = rng.uniform(-0.05, 0.05), theta_dot[i] = rng.uniform(-0.05, 0.05);
    length[i] = 0;
  }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t steps = 50'000'000;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::atoll(argv[i + 1]);
  const std::int64_t batches = std::max<std::int64_t>(1, steps / kEnvs);

  XorShift rng;
  Pole p(rng);
  constexpr int kActionRows = 16;
  std::vector<std::int64_t> actions(kActionRows * kEnvs);
  for (auto& a : actions) a = static_cast<std::int64_t>(rng.next() & 1);
  std::vector<float> obs(4 * kEnvs), reward(kEnvs);
  std::vector<std::uint8_t> terminated(kEnvs), truncated(kEnvs);

  std::vector<double> sin(kEnvs), cos(kEnvs);
  auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t b = 0; b < batches; ++b) {
    const std::int64_t* act = actions.data() + (b % kActionRows) * kEnvs;
    pavlov::envs::exact_sincos(p.theta, sin, cos);
    for (int i = 0; i < kEnvs; ++i) {
      const double costheta = cos[i], sintheta = sin[i];
      const double force = act[i] == 1 ? kForceMag : -kForceMag;
      const double temp = (force + kPoleMassLength * (p.theta_dot[i] * p.theta_dot[i]) * sintheta) / kTotalMass;
      const double thetaacc = (kGravity * sintheta - costheta * temp) /
                              (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
      const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
      p.x[i] += kTau * p.x_dot[i];
      p.x_dot[i] += kTau * xacc;
      p.theta[i] += kTau * p.theta_dot[i];
      p.theta_dot[i] += kTau * thetaacc;
    }
    for (int i = 0; i < kEnvs; ++i) {
      float* o = obs.data() + 4 * i;
      o[0] = static_cast<float>(p.x[i]), o[1] = static_cast<float>(p.x_dot[i]);
      o[2] = static_cast<float>(p.theta[i]), o[3] = static_cast<float>(p.theta_dot[i]);
      const bool term = p.x[i] < -kXThreshold || p.x[i] > kXThreshold || p.theta[i] < -kThetaThreshold ||
                        p.theta[i] > kThetaThreshold;
      const bool trunc = ++p.length[i] >= 500;
      reward[i] = 1.0f, terminated[i] = term, truncated[i] = trunc;
      if (term || trunc) p.reset(i, rng);  // same-step autoreset: cheaper than the next-step bookkeeping
    }
  }
  const double step_s = seconds_since(t0);

  // sin and cos alone, over the same kind of angles: libm one at a time, then exact_sincos.
  double sink = 0;
  t0 = std::chrono::steady_clock::now();
  for (std::int64_t b = 0; b < batches; ++b)
    for (int i = 0; i < kEnvs; ++i) {
      const double th = p.theta[i] + 1e-9 * static_cast<double>(b & 7);
      sink += std::cos(th) + std::sin(th);
    }
  const double sincos_s = seconds_since(t0);
  std::vector<double> angle(kEnvs);
  t0 = std::chrono::steady_clock::now();
  for (std::int64_t b = 0; b < batches; ++b) {
    for (int i = 0; i < kEnvs; ++i) angle[i] = p.theta[i] + 1e-9 * static_cast<double>(b & 7);
    pavlov::envs::exact_sincos(angle, sin, cos);
    sink += sin[b % kEnvs] + cos[b % kEnvs];
  }
  const double exact_s = seconds_since(t0);

  const double n = static_cast<double>(batches * kEnvs);
  std::printf("CartPole floor, %d envs as arrays, 1 thread: %.2f M steps/s (%.1f ns/step); sin+cos alone %.1f ns "
              "(libm), %.1f ns (exact_sincos) (checksum %.3f)\n",
              kEnvs, n / step_s / 1e6, 1e9 * step_s / n, 1e9 * sincos_s / n, 1e9 * exact_s / n,
              sink + obs[0] + reward[0] + terminated[0]);
  std::printf("BENCH cartpole_floor_t1 %.0f\n", n / step_s);
  std::printf("BENCH cartpole_sincos_t1 %.0f\n", n / sincos_s);
  std::printf("BENCH cartpole_exact_sincos_t1 %.0f\n", n / exact_s);
}
