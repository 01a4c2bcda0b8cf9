// `pavlov play ENV_ID`: a person plays an env with the keyboard, at the env's
// real-time speed, with the return and the last reward on the HUD.
#include <array>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "engine/cli/commands.h"
#include "engine/env/registry.h"
#include "engine/render/image_io.h"
#include "engine/render/raster.h"
#include "engine/render/window.h"
#include "engine/runtime/player.h"

namespace pavlov::cli {
namespace {

// The arrow keys held now.
struct Arrows {
  bool left, right, up, down, fire;
};

// MinAtar: the six-action alphabet (no-op, left, up, right, down, fire) from
// the keys, then its index in the id's action set (-v0: all six; -v1: the
// game's minimal set, as the MinAtar package orders it).
template <int... kMinimal>
void minatar_keys(const Arrows& k, ArrayView a) {
  const int alphabet = k.fire ? 5 : k.left ? 1 : k.right ? 3 : k.up ? 2 : k.down ? 4 : 0;
  constexpr std::array<int, sizeof...(kMinimal)> minimal = {kMinimal...};
  if constexpr (minimal.empty()) {
    a.as<std::int64_t>()[0] = alphabet;
  } else {
    std::int64_t index = 0;  // keys outside the minimal set: no-op
    for (std::size_t i = 0; i < minimal.size(); ++i)
      if (minimal[i] == alphabet) index = static_cast<std::int64_t>(i);
    a.as<std::int64_t>()[0] = index;
  }
}

// How arrow keys become an action, per env. The buffer holds the previous
// action, so a mapping that leaves it alone repeats it (CartPole has no "do
// nothing": with no arrow held it keeps pushing the way it last did).
using KeyMapping = void (*)(const Arrows& k, ArrayView action);

const std::map<std::string, std::pair<KeyMapping, const char*>>& mappings() {
  static const std::map<std::string, std::pair<KeyMapping, const char*>> m = {
      {"CartPole-v1",
       {[](const Arrows& k, ArrayView a) {
          if (k.left != k.right) a.as<std::int64_t>()[0] = k.right ? 1 : 0;
        },
        "left / right push the cart"}},
      {"MountainCar-v0",
       {[](const Arrows& k, ArrayView a) { a.as<std::int64_t>()[0] = k.left == k.right ? 1 : k.right ? 2 : 0; },
        "left / right accelerate"}},
      {"Acrobot-v1",
       {[](const Arrows& k, ArrayView a) { a.as<std::int64_t>()[0] = k.left == k.right ? 1 : k.right ? 2 : 0; },
        "left / right apply -1 / +1 torque"}},
      {"LunarLander-v3",
       {[](const Arrows& k, ArrayView a) { a.as<std::int64_t>()[0] = k.up ? 2 : k.left ? 1 : k.right ? 3 : 0; },
        "up fires the main engine, left / right the side engines"}},
      {"MountainCarContinuous-v0",
       {[](const Arrows& k, ArrayView a) { a.as<float>()[0] = k.left == k.right ? 0.f : k.right ? 1.f : -1.f; },
        "left / right push with full force"}},
      {"Pendulum-v1",
       {[](const Arrows& k, ArrayView a) { a.as<float>()[0] = k.left == k.right ? 0.f : k.left ? 2.f : -2.f; },
        "left / right apply counter-clockwise / clockwise torque"}},
      {"LunarLanderContinuous-v3",
       {[](const Arrows& k, ArrayView a) {
          a.as<float>()[0] = k.up ? 1.f : -1.f;
          a.as<float>()[1] = k.left == k.right ? 0.f : k.right ? 1.f : -1.f;
        },
        "up fires the main engine, left / right the side engines"}},
      {"MinAtar/Breakout-v0", {minatar_keys<>, "left / right move the paddle"}},
      {"MinAtar/Breakout-v1", {minatar_keys<0, 1, 3>, "left / right move the paddle"}},
      {"MinAtar/Freeway-v0", {minatar_keys<>, "up / down move the chicken"}},
      {"MinAtar/Freeway-v1", {minatar_keys<0, 2, 4>, "up / down move the chicken"}},
      {"MinAtar/SpaceInvaders-v0", {minatar_keys<>, "left / right move, space fires"}},
      {"MinAtar/SpaceInvaders-v1", {minatar_keys<0, 1, 3, 5>, "left / right move, space fires"}},
      {"MinAtar/Asterix-v0", {minatar_keys<>, "arrows move"}},
      {"MinAtar/Asterix-v1", {minatar_keys<0, 1, 2, 3, 4>, "arrows move"}},
      {"MinAtar/Seaquest-v0", {minatar_keys<>, "arrows move, space fires"}},
      {"MinAtar/Seaquest-v1", {minatar_keys<>, "arrows move, space fires"}},
      {"CarRacing-v3",
       {[](const Arrows& k, ArrayView a) {
          a.as<float>()[0] = k.left == k.right ? 0.f : k.right ? 1.f : -1.f;
          a.as<float>()[1] = k.up ? 1.f : 0.f;
          a.as<float>()[2] = k.down ? 0.8f : 0.f;
        },
        "left / right steer, up accelerates, down brakes"}},
  };
  return m;
}

constexpr const char* kPlayHelp = R"(usage: pavlov play ENV_ID [--seed S] [--fps F] [--max-steps N] [--screenshot FILE]

Play an environment yourself with the arrow keys (space fires in the games
that shoot), at its real-time speed; the HUD shows the return so far and the
last reward. R restarts, Enter pauses, Esc quits. --max-steps stops after N
steps (demos, tests); --screenshot saves the window's last picture as a PNG.
)";

}  // namespace

int play_command(const std::vector<std::string>& args) {
  std::string id, screenshot;
  std::uint64_t seed = 0;
  double fps = 0;
  std::int64_t max_steps = -1;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool value = i + 1 < args.size();
    if (a == "-h" || a == "--help") {
      std::cout << kPlayHelp;
      for (const auto& [env, m] : mappings()) std::cout << "  " << env << ": " << m.second << "\n";
      return 0;
    }
    if (a == "--seed" && value) seed = seed_option("--seed", args[++i]);
    else if (a == "--fps" && value) fps = std::stod(args[++i]);
    else if (a == "--max-steps" && value) max_steps = int_option("--max-steps", args[++i]);
    else if (a == "--screenshot" && value) screenshot = args[++i];
    else if (id.empty() && !a.empty() && a[0] != '-') id = a;
    else {
      std::cerr << "pavlov play: unexpected argument '" << a << "'. Run `pavlov play --help`.\n";
      return 2;
    }
  }
  if (id.empty()) {
    std::cerr << "pavlov play: expected an env id. Run `pavlov play --help`.\n";
    return 2;
  }
  auto env = make_env(id);  // an unknown id throws EnvError with a suggestion
  const auto mapping = mappings().find(id);
  if (mapping == mappings().end()) {
    std::string playable;
    for (const auto& [name, m] : mappings()) playable += (playable.empty() ? "" : ", ") + name;
    std::cerr << "pavlov play: " << id << " has no keyboard controls; playable: " << playable << "\n";
    return 2;
  }
  Player player(std::move(env), id + "  (you)");
  Canvas canvas;
  player.reset(seed);
  player.draw(canvas, "");
  std::unique_ptr<Window> window;
  try {
    window = std::make_unique<Window>(id + " - pavlov play", canvas.width(), canvas.height());
  } catch (const NoDisplay& e) {
    std::cerr << "pavlov play: " << e.what() << "\n";
    return 2;
  }
  std::cout << id << ": " << mapping->second.second << "; R restarts, Enter pauses, Esc quits\n";
  if (fps <= 0) fps = player.env().render_fps();
  Raster raster;
  Image frame;
  std::fill(player.action().as<std::byte>(), player.action().as<std::byte>() + player.action().size * dtype_size(player.action().dtype),
            std::byte{0});
  using Clock = std::chrono::steady_clock;
  auto next = Clock::now();
  bool paused = false;
  std::int64_t steps = 0;
  double last_reward = 0;
  std::uint64_t episode = 0;
  while (window->is_open() && (max_steps < 0 || steps < max_steps)) {
    while (auto key = window->poll()) {
      if (*key == Key::kEscape || *key == Key::kClose) window->close();
      if (*key == Key::kEnter) paused = !paused;
      if (*key == Key::kR) player.reset(seed + ++episode);
    }
    if (!window->is_open()) break;
    if (player.over()) {
      std::cout << "episode " << player.hud().episode << ": return " << player.episode_return() << " in " << player.hud().step
                << " steps" << std::endl;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      player.reset(seed + ++episode);
    } else if (!paused) {
      const Arrows k{Window::held(Key::kLeft), Window::held(Key::kRight), Window::held(Key::kUp), Window::held(Key::kDown),
                     Window::held(Key::kSpace)};
      mapping->second.first(k, player.action());
      last_reward = player.step_given().reward;
      ++steps;
    }
    char status[64];
    std::snprintf(status, sizeof status, "%sreward %+.2f", paused ? "paused  " : "", last_reward);
    player.draw(canvas, status);
    frame.width = window->width();
    frame.height = window->height();
    raster.draw(canvas, frame);
    window->show(frame);
    next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / fps));
    const auto now = Clock::now();
    if (next > now) std::this_thread::sleep_until(next);
    else next = now;
  }
  if (!screenshot.empty() && window->is_open()) save_png(window->screenshot(), screenshot);
  return 0;
}

}  // namespace pavlov::cli
