// pavlov::FrameStack: an env whose observation is its inner env's last k
// observations, oldest first, stacked along the first axis: [C, H, W] frames
// become [k*C, H, W], vectors [n] become [k*n] (EnvPool's stack_num,
// Gymnasium's FrameStackObservation). After a reset every slot holds the first
// observation. The time limit moves to the wrapper (the inner env keeps none),
// so truncation behaves as the inner env's did. The inner env is reset with a
// seed drawn from the wrapper's generator. state() is the inner env's state
// followed by the stacked frames, so checkpoints resume exactly. Nothing is
// allocated per step.
//
//   auto env = pavlov::stack_frames(pavlov::make_env("MinAtar/Breakout-v1"), 4);  // obs [16, 10, 10]
//
// Experiments ask for it with `[env] frame_stack = k`.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "engine/env/env.h"

namespace pavlov {

class FrameStack final : public Env {
 public:
  FrameStack(std::unique_ptr<Env> inner, int k);

  bool render(Canvas& canvas) const override { return inner_->render(canvas); }
  double render_fps() const override { return inner_->render_fps(); }
  bool reports_success() const override { return inner_->reports_success(); }
  std::vector<double> state() const override;
  const Env& inner() const { return *inner_; }

 protected:
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void set_state_impl(std::span<const double> state, ArrayView obs) override;

 private:
  ArrayView frame() { return ArrayView(frame_.data(), inner_->observation_space().dtype(), inner_->observation_space().numel()); }
  void push_frame(ArrayView obs);  // shifts the stack by one frame, appends frame_, writes obs

  std::unique_ptr<Env> inner_;
  int k_;
  std::size_t frame_bytes_;
  std::vector<std::byte> frame_, stack_;
};

// `env` itself when k == 1, else a FrameStack of k frames (k >= 1; EnvError otherwise).
std::unique_ptr<Env> stack_frames(std::unique_ptr<Env> env, int k);

}  // namespace pavlov
