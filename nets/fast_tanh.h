// pavlov::nets::fast_tanh: tanh over a float array, about 10x faster than
// LibTorch's CPU kernel in Debian's build, within 4 ulp of the exact value.
//
// tanh is the activation of SB3's and CleanRL's on-policy MLPs, and in a
// PPO update of 64-unit layers it cost more than the matrix products (36 us
// per 256x64 call). Branch-free, so GCC vectorizes it (an AVX2 clone is
// picked at run time where the CPU has it):
//   |x| < 1   Lambert's continued fraction cut after six levels, as one
//             rational function x (10395 + 1260 t + 21 t^2) / (10395 + 4725 t + 210 t^2 + t^3),
//             t = x^2 (relative error < 5e-10 before rounding)
//   |x| >= 1  (e - 1) / (e + 1) with e = exp(2 |x|) (|x| capped at 9, where
//             tanh rounds to 1), exp by range reduction and a degree-7 polynomial
// NaN stays NaN.
#pragma once

#include <cstdint>

namespace pavlov::nets {

void fast_tanh(const float* x, float* out, std::int64_t n);

}  // namespace pavlov::nets
