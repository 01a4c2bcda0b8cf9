// pavlov::LiveView: `pavlov run --watch` ([render] live = true). While the
// learner trains on its envs, one extra env is played greedily by the current
// policy at the env's real-time speed and shown in a window with a HUD.
//
// The training thread does the little that touches the agent: when a frame
// is due (a clock read per vector step otherwise) it takes one greedy step of
// the watched env and records the canvas, then swaps it to the window thread,
// which rasterizes and presents it. Frames the window cannot keep up with are
// dropped; the learner never waits for the window. Closing the window ends
// the view, not the training. Greedy acting leaves the run's results as they
// would be without the view.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/render/canvas.h"
#include "engine/runtime/player.h"
#include "engine/runtime/trainer.h"

namespace pavlov {

class LiveView final : public TrainingObserver {
 public:
  // Starts the window thread; throws NoDisplay (window.h) when there is no display.
  LiveView(std::unique_ptr<Env> env, std::string title, std::uint64_t seed);
  ~LiveView() override;

  void after_step(Agent& agent, std::int64_t env_steps, const std::filesystem::path& run_dir) override;
  // Frames handed to the window so far.
  std::int64_t frames() const { return frames_; }

 private:
  void window_loop(int width, int height);

  Player player_;
  std::uint64_t seed_;
  std::uint64_t episode_ = 0;
  double frame_seconds_;
  std::chrono::steady_clock::time_point next_frame_;
  std::chrono::steady_clock::time_point over_since_{};
  std::int64_t frames_ = 0;

  // Triple buffering: the trainer draws into drawn_, swaps it into shared_
  // under the mutex; the window thread swaps shared_ into shown_.
  Canvas drawn_, shared_;
  bool fresh_ = false;
  std::mutex mutex_;
  std::atomic<bool> open_{true};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pavlov
