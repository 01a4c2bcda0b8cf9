#include "engine/env/frame_stack.h"

#include <cstring>

#include "engine/env/env_error.h"

namespace pavlov {
namespace {

Space stacked_space(const Space& s, int k, const std::string& id) {
  if (!s.is_box()) throw EnvError(id + ": frame stacking needs a Box observation space, got " + s.to_string());
  std::vector<std::int64_t> shape = s.shape();
  if (shape.empty()) shape = {1};
  shape[0] *= k;
  std::vector<double> low, high;
  for (int i = 0; i < k; ++i) {
    low.insert(low.end(), s.low().begin(), s.low().end());
    high.insert(high.end(), s.high().begin(), s.high().end());
  }
  return Space::box(std::move(low), std::move(high), std::move(shape), s.dtype());
}

}  // namespace

std::unique_ptr<Env> stack_frames(std::unique_ptr<Env> env, int k) {
  if (k < 1) throw EnvError(env->id() + ": frame_stack must be >= 1, got " + std::to_string(k));
  if (k == 1) return env;
  return std::make_unique<FrameStack>(std::move(env), k);
}

FrameStack::FrameStack(std::unique_ptr<Env> inner, int k)
    : Env(stacked_space(inner->observation_space(), k, inner->id()), inner->action_space(), inner->id()),
      inner_(std::move(inner)),
      k_(k),
      frame_bytes_(inner_->observation_space().numel() * dtype_size(inner_->observation_space().dtype())),
      frame_(frame_bytes_),
      stack_(frame_bytes_ * k) {
  set_max_episode_steps(inner_->max_episode_steps());
  inner_->set_max_episode_steps(0);
}

void FrameStack::push_frame(ArrayView obs) {
  std::memmove(stack_.data(), stack_.data() + frame_bytes_, frame_bytes_ * (k_ - 1));
  std::memcpy(stack_.data() + frame_bytes_ * (k_ - 1), frame_.data(), frame_bytes_);
  std::memcpy(obs.data, stack_.data(), stack_.size());
}

void FrameStack::reset_impl(ArrayView obs) {
  inner_->reset(frame(), rng().next());
  for (int i = 0; i < k_; ++i) std::memcpy(stack_.data() + frame_bytes_ * i, frame_.data(), frame_bytes_);
  std::memcpy(obs.data, stack_.data(), stack_.size());
}

Transition FrameStack::step_impl(ConstArrayView action, ArrayView obs) {
  const StepResult r = inner_->step(action, frame());
  push_frame(obs);
  return {r.reward, r.terminated, r.info.is_success};
}

std::vector<double> FrameStack::state() const {
  std::vector<double> s = inner_->state();
  std::vector<double> out{static_cast<double>(s.size())};
  out.insert(out.end(), s.begin(), s.end());
  const Space& os = inner_->observation_space();
  const std::size_t n = os.numel() * static_cast<std::size_t>(k_);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(os.dtype() == DType::kUInt8 ? static_cast<double>(reinterpret_cast<const std::uint8_t*>(stack_.data())[i])
                                              : static_cast<double>(reinterpret_cast<const float*>(stack_.data())[i]));
  return out;
}

void FrameStack::set_state_impl(std::span<const double> state, ArrayView obs) {
  const Space& os = inner_->observation_space();
  const std::size_t frames = os.numel() * static_cast<std::size_t>(k_);
  if (state.empty() || state[0] < 0 || state.size() != 1 + static_cast<std::size_t>(state[0]) + frames)
    throw EnvError(id() + ": a frame-stacked state is [inner size, inner state..., " + std::to_string(frames) +
                   " stacked values], got " + std::to_string(state.size()) + " values");
  const auto inner_size = static_cast<std::size_t>(state[0]);
  if (!inner_->running()) inner_->reset(frame(), 0);  // set_state needs a running episode
  inner_->set_state(state.subspan(1, inner_size), frame());
  for (std::size_t i = 0; i < frames; ++i) {
    const double v = state[1 + inner_size + i];
    if (os.dtype() == DType::kUInt8) reinterpret_cast<std::uint8_t*>(stack_.data())[i] = static_cast<std::uint8_t>(v);
    else reinterpret_cast<float*>(stack_.data())[i] = static_cast<float>(v);
  }
  std::memcpy(obs.data, stack_.data(), stack_.size());
}

}  // namespace pavlov
