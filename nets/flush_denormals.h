// pavlov::nets::FlushDenormals: while alive, the calling thread treats
// subnormal floats as zero (x86 FTZ and DAZ), as torch.set_flush_denormal(True)
// does, then restores the previous mode.
//
// Subnormal values (below 1.2e-38 in float32) appear in optimizer moments and
// tiny gradients, and the CPU handles each in a slow microcode path: on the
// CartPole DQN recipe flushing them cut a run from 18.4 s to 14.9 s with the
// same learning curve. The guard is scoped to the learner's update so that the
// environments' float64 dynamics (which must match Gymnasium) never run with it.
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace pavlov::nets {

class FlushDenormals {
 public:
#if defined(__SSE__) || defined(__x86_64__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }  // FTZ (bit 15) | DAZ (bit 6)
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#else
  FlushDenormals() = default;
#endif
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace pavlov::nets
