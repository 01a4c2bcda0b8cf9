#include "engine/render/live_view.h"

#include <sys/resource.h>
#include <unistd.h>

#include <iostream>

#include "engine/env/rng.h"
#include "engine/render/raster.h"
#include "engine/render/window.h"
#include "engine/runtime/agent.h"

namespace pavlov {

LiveView::LiveView(std::unique_ptr<Env> env, std::string title, std::uint64_t seed)
    : player_(std::move(env), std::move(title)), seed_(seed) {
  if (const std::string reason = no_display_reason(); !reason.empty()) throw NoDisplay(reason);
  frame_seconds_ = 1.0 / player_.env().render_fps();
  player_.reset(derive_seed(seed_, episode_));
  player_.draw(drawn_, "");
  const int width = drawn_.width(), height = drawn_.height();
  next_frame_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this, width, height] { window_loop(width, height); });
}

LiveView::~LiveView() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LiveView::after_step(Agent& agent, std::int64_t env_steps, const std::filesystem::path&) {
  if (!open_.load(std::memory_order_relaxed)) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_frame_) return;
  // Real time for the watched env; if training stalls (an evaluation, a slow
  // update), the view skips ahead rather than catching up in a burst.
  next_frame_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(frame_seconds_));
  if (next_frame_ < now) next_frame_ = now;
  std::string status;
  if (player_.over()) {
    if (over_since_ == std::chrono::steady_clock::time_point{}) over_since_ = now;
    if (now - over_since_ > std::chrono::seconds(1)) {
      player_.reset(derive_seed(seed_, ++episode_));
      over_since_ = {};
    } else {
      status = "episode over";
    }
  } else {
    player_.step(agent);
  }
  player_.draw(drawn_, status.empty() ? "training: step " + std::to_string(env_steps) : status);
  {
    std::lock_guard lock(mutex_);
    std::swap(drawn_, shared_);
    fresh_ = true;
  }
  ++frames_;
}

void LiveView::window_loop(int width, int height) {
  // The lowest CPU priority for this thread (and the GL threads it starts):
  // on a busy machine the view drops frames instead of slowing the learner.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
  try {
    Window window(player_.hud().title + " - pavlov live view", width, height);
    Canvas shown;
    Raster raster;
    Image frame;
    while (!stop_ && window.is_open()) {
      while (auto key = window.poll())
        if (*key == Key::kClose || *key == Key::kEscape) window.close();
      if (!window.is_open()) break;
      bool have = false;
      {
        std::lock_guard lock(mutex_);
        if (fresh_) {
          std::swap(shown, shared_);
          fresh_ = false;
          have = true;
        }
      }
      if (have) {
        frame.width = window.width();
        frame.height = window.height();
        raster.draw(shown, frame);
        window.show(frame);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "\npavlov: live view: " << e.what() << "; training goes on\n";
  }
  open_ = false;
}

}  // namespace pavlov
