// `pavlov watch`: a trained agent plays in a window at real-time speed, with
// a HUD, or into a recording without a display.
#include <chrono>
#include <cmath>
#include <iostream>
#include <thread>

#include "engine/cli/commands.h"
#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/render/image_io.h"
#include "engine/render/raster.h"
#include "engine/render/recorder.h"
#include "engine/render/window.h"
#include "engine/runtime/agent.h"
#include "engine/runtime/player.h"
#include "engine/runtime/trainer.h"

namespace pavlov::cli {
namespace {

constexpr const char* kWatchHelp = R"(usage: pavlov watch RUN_DIR|CHECKPOINT [options]

Shows the trained agent of a run (its latest checkpoint) playing its env in a
window at real-time speed, with a HUD: episode, step, return so far, the action
taken and the agent's view of it (Q-values, policy probabilities or mean action).

options:
  --episodes N       episodes to play (default 5)
  --fps F            steps per second (default: the env's real-time rate)
  --seed S           the first episode's seed (default: the run's evaluation seed)
  --best             the best evaluated checkpoint (checkpoints/best.ckpt)
  --record PATH      no window: write the episodes to PATH.gif, PATH.mp4 or a folder of PNGs
  --size WxH         the recording's size in pixels (default: the env's frame size)
  --screenshot FILE  on leaving, save what the window shows as a PNG

keys: space pauses, right arrow single-steps, + / - change speed, R restarts
the episode, Esc quits.
)";

struct WatchOptions {
  int episodes = 5;
  double fps = 0;
  std::optional<std::uint64_t> seed;
  bool best = false;
  std::string record, screenshot;
  int width = 0, height = 0;
  std::string target;
};

std::optional<WatchOptions> parse(const std::vector<std::string>& args) {
  WatchOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--episodes" && has_value) o.episodes = static_cast<int>(int_option("--episodes", args[++i]));
    else if (a == "--fps" && has_value) o.fps = std::stod(args[++i]);
    else if (a == "--seed" && has_value) o.seed = seed_option("--seed", args[++i]);
    else if (a == "--best") o.best = true;
    else if (a == "--record" && has_value) o.record = args[++i];
    else if (a == "--screenshot" && has_value) o.screenshot = args[++i];
    else if (a == "--size" && has_value) {
      const std::string v = args[++i];
      const auto x = v.find('x');
      if (x == std::string::npos) {
        std::cerr << "pavlov watch: --size takes WIDTHxHEIGHT, e.g. 300x200, got '" << v << "'\n";
        return std::nullopt;
      }
      o.width = static_cast<int>(int_option("--size", v.substr(0, x)));
      o.height = static_cast<int>(int_option("--size", v.substr(x + 1)));
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "pavlov watch: unknown option '" << a << "'. Run `pavlov watch --help`.\n";
      return std::nullopt;
    } else if (o.target.empty()) {
      o.target = a;
    } else {
      std::cerr << "pavlov watch: expected one RUN_DIR or CHECKPOINT, got '" << o.target << "' and '" << a << "'\n";
      return std::nullopt;
    }
  }
  if (o.target.empty()) {
    std::cerr << "pavlov watch: expected RUN_DIR or CHECKPOINT. Run `pavlov watch --help`.\n";
    return std::nullopt;
  }
  if (o.episodes < 1 || (o.fps < 0) || o.width < 0 || o.height < 0) {
    std::cerr << "pavlov watch: --episodes must be >= 1, --fps and --size positive\n";
    return std::nullopt;
  }
  return o;
}

void report(const Player& player) {
  std::cout << "episode " << player.hud().episode << ": return " << player.episode_return() << " in " << player.hud().step
            << " steps" << std::endl;
}

// Headless: every step of every episode becomes a frame of the recording.
int record(Player& player, Agent& agent, const WatchOptions& o, std::uint64_t seed, double fps) {
  Canvas canvas;
  Raster raster;
  auto recorder = Recorder::open(o.record, fps);
  Image frame;
  auto add_frame = [&](const std::string& status) {
    player.draw(canvas, status);
    frame.width = o.width > 0 ? o.width : canvas.width();
    frame.height = o.height > 0 ? o.height : canvas.height();
    raster.draw(canvas, frame);
    recorder->add(frame);
  };
  for (int k = 0; k < o.episodes; ++k) {
    player.reset(derive_seed(seed, static_cast<std::uint64_t>(k)));
    add_frame("");
    while (!player.over()) {
      player.step(agent);
      add_frame("");
    }
    report(player);
  }
  recorder->close();
  std::cout << "recorded " << recorder->frames() << " frames to " << o.record << "\n";
  return 0;
}

int show(Player& player, Agent& agent, const WatchOptions& o, std::uint64_t seed, double fps) {
  Canvas canvas;
  // Leaves the loop, saving the window's picture first if asked.
  auto leave = [&](Window& window) {
    if (!o.screenshot.empty()) {
      save_png(window.screenshot(), o.screenshot);
      std::cout << "screenshot: " << o.screenshot << "\n";
    }
    return 0;
  };
  player.reset(derive_seed(seed, 0));
  player.draw(canvas, "");  // the frame's size opens the window
  Window window(player.env().id() + " - pavlov watch", canvas.width(), canvas.height());
  Raster raster;
  Image frame;
  double speed = 1.0;
  bool paused = false;
  using Clock = std::chrono::steady_clock;
  auto next = Clock::now();
  Clock::time_point over_since{};
  int k = 0;
  while (window.is_open()) {
    bool single = false;
    while (auto key = window.poll()) {
      if (*key == Key::kEscape || *key == Key::kClose) return leave(window);
      if (*key == Key::kSpace) paused = !paused;
      if (*key == Key::kRight) single = paused = true;
      if (*key == Key::kPlus) speed = std::min(speed * 2, 64.0);
      if (*key == Key::kMinus) speed = std::max(speed / 2, 1.0 / 16);
      if (*key == Key::kR) player.reset(derive_seed(seed, static_cast<std::uint64_t>(k)));
    }
    if (player.over()) {
      // Hold the last frame a second, then the next episode.
      if (over_since == Clock::time_point{}) {
        over_since = Clock::now();
        report(player);
      } else if (Clock::now() - over_since > std::chrono::seconds(1) && !paused) {
        if (++k == o.episodes) return leave(window);
        player.reset(derive_seed(seed, static_cast<std::uint64_t>(k)));
        over_since = {};
      }
    } else if (!paused || single) {
      player.step(agent);
    }
    std::string status = paused ? "paused: space plays, -> steps" : "";
    if (speed != 1.0) status += (status.empty() ? "" : "  ") + std::string("speed x") + (speed >= 1 ? std::to_string(int(speed)) : "1/" + std::to_string(int(1 / speed)));
    if (player.over()) status = "episode over";
    player.draw(canvas, status);
    frame.width = window.width();
    frame.height = window.height();
    raster.draw(canvas, frame);
    window.show(frame);
    // Real time: one step per 1/fps seconds; a viewer that falls behind skips the wait, never the steps.
    next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / (fps * speed)));
    const auto now = Clock::now();
    if (next > now) std::this_thread::sleep_until(next);
    else next = now;
  }
  return 0;
}

}  // namespace

int watch_command(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") {
      std::cout << kWatchHelp;
      return 0;
    }
  const auto o = parse(args);
  if (!o) return 2;
  // Refuse early, before loading anything, when there is nowhere to show it.
  if (const std::string reason = no_display_reason(); o->record.empty() && !reason.empty()) {
    std::cerr << "pavlov watch: " << reason << "\n";
    return 2;
  }
  if (!o->record.empty()) {  // a recording path of an unknown kind fails before anything is loaded
    try {
      check_recording_path(o->record);
    } catch (const std::invalid_argument& e) {
      std::cerr << "pavlov watch: " << e.what() << "\n";
      return 2;
    }
  }
  const auto found = find_checkpoint("watch", o->target, o->best);
  if (!found) return 2;
  const Config cfg = load_experiment((found->dir / "config.toml").string());
  Trainer trainer(cfg);
  trainer.load_checkpoint(found->file);
  Player player(trainer.make_env(), cfg.get_string("env.id") + "  " + cfg.get_string("agent.algo"));
  const double fps = o->fps > 0 ? o->fps : player.env().render_fps();
  const std::uint64_t seed = o->seed ? *o->seed : derive_seed(static_cast<std::uint64_t>(cfg.get_int("experiment.seed")), 0xE7A1);
  std::cout << "watching " << found->file.string() << "\n";
  try {
    return o->record.empty() ? show(player, trainer.agent(), *o, seed, fps) : record(player, trainer.agent(), *o, seed, fps);
  } catch (const NoDisplay& e) {
    std::cerr << "pavlov watch: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {  // a recording path of an unknown kind
    std::cerr << "pavlov watch: " << e.what() << "\n";
    return 2;
  } catch (const std::runtime_error& e) {  // a format this build lacks, a file that cannot be written
    std::cerr << "pavlov watch: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace pavlov::cli
