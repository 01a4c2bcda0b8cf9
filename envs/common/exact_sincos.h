// pavlov::envs::exact_sincos: the sines and cosines of many angles at once,
// each bit for bit the value std::sin and std::cos return.
//
// Why: CartPole's trajectories are chaotic (tests/data/reference/gymnasium/
// README.md), so matching Gymnasium's recorded episodes takes the very values
// of the C library's sin and cos, which Gymnasium's math.sin and math.cos
// return; yet those two calls were half the cost of a CartPole step. Debian
// 12's glibc (2.36) computes sin and cos of 2^-27 <= |x| < 0.85546875, on a
// CPU with FMA, from a table of sin and cos at multiples of 1/128 (generated
// here: sincos_table.inc) and short polynomials. exact_sincos evaluates the
// same formulas with the same constants, multiply-adds fused and ordered as in
// that build, four angles per AVX2 instruction: about 4 times the speed
// (bench/cartpole_floor.cc prints both).
//
// It is used only where it agrees: on a CPU with AVX2 and FMA, after a
// self-check on first use that compares it with std::sin and std::cos on
// 65536 angles (another C library or CPU: one difference turns it off for
// the process). Angles outside that range, NaN, infinities, and a batch's last
// n % 4 angles always go to std::sin and std::cos.
#pragma once

#include <span>

namespace pavlov::envs {

// sin[i] = std::sin(x[i]), cos[i] = std::cos(x[i]) for every i (the spans
// have one size).
void exact_sincos(std::span<const double> x, std::span<double> sin, std::span<double> cos);

// How exact_sincos computes, on this machine.
enum class SincosPath {
  kVectorized,    // the vectorized formulas, checked against the C library
  kNoAvx2Fma,     // std::sin and std::cos: the CPU lacks AVX2 or FMA
  kLibmDiffers,   // std::sin and std::cos: the self-check found a difference
};
SincosPath exact_sincos_path();

namespace detail {
// The vectorized formulas on four angles, without the self-check: false, and
// nothing written, if an angle lies outside their range. Only on a CPU with
// AVX2 and FMA (exact_sincos_path() != kNoAvx2Fma). For the tests.
bool sincos4(const double* x, double* sin, double* cos);
}  // namespace detail

}  // namespace pavlov::envs
