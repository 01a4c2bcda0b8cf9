// KeyDoor-v0: a small grid world, written as a pavlov plugin.
//
// A room of 7 x 5 cells split by a wall at x = 3 with one locked door. The
// agent starts left of the wall with a key somewhere there too; it must step
// onto the key, walk through the door (which opens only with the key) and
// reach the goal on the right. Positions are drawn anew each episode.
//
// Actions: 0 up, 1 down, 2 left, 3 right (Discrete(4); walking into a wall or
// the locked door keeps the agent in place).
// Observation (9 float32, all in [-1, 1]): the agent's x and y, then the key's,
// the door's and the goal's position relative to the agent (dx, dy), each
// divided by the room's width or height, and 1 once the key is held.
// Reward: +0.2 when the key is picked up, +1 at the goal (which ends the
// episode). Time limit: 100 steps.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "engine/env/env.h"
#include "engine/env/env_error.h"
#include "engine/env/plugin.h"
#include "engine/env/registry.h"
#include "engine/render/canvas.h"

namespace {

constexpr int kWidth = 7, kHeight = 5, kWallX = 3;

class KeyDoor : public pavlov::Env {
 public:
  KeyDoor()
      : Env(pavlov::Space::box(std::vector<double>(9, -1.0), std::vector<double>(9, 1.0), {9}),
            pavlov::Space::discrete(4), "KeyDoor") {}

  bool render(pavlov::Canvas& c) const override {
    if (!started_) return false;
    constexpr int kCell = 80;
    c.begin(kWidth * kCell, kHeight * kCell, {24, 24, 32});
    auto cell = [&](int x, int y, int inset, pavlov::Color color) {  // y up, as the observation's
      c.rect_px(static_cast<float>(x * kCell + inset), static_cast<float>((kHeight - 1 - y) * kCell + inset),
                static_cast<float>(kCell - 2 * inset), static_cast<float>(kCell - 2 * inset), color);
    };
    for (int y = 0; y < kHeight; ++y)
      for (int x = 0; x < kWidth; ++x) cell(x, y, 1, {40, 40, 52});  // the floor's tiles
    for (int y = 0; y < kHeight; ++y)
      if (y != door_y_) cell(kWallX, y, 0, {110, 110, 120});
    cell(kWallX, door_y_, has_key_ ? 30 : 6, {150, 95, 40});  // the door: a thin frame once unlocked
    cell(goal_x_, goal_y_, 6, {60, 180, 90});
    if (!has_key_) cell(key_x_, key_y_, 28, {240, 200, 40});
    cell(x_, y_, 16, has_key_ ? pavlov::Color{240, 120, 40} : pavlov::Color{220, 60, 60});  // orange: holding the key
    return true;
  }
  double render_fps() const override { return 8.0; }

  std::vector<double> state() const override {
    return {double(x_), double(y_), double(key_x_), double(key_y_), double(door_y_), double(goal_x_), double(goal_y_),
            double(has_key_)};
  }

 protected:
  void reset_impl(pavlov::ArrayView obs) override {
    door_y_ = static_cast<int>(rng().below(kHeight));
    const int left = kWallX * kHeight;  // the cells left of the wall
    const int a = static_cast<int>(rng().below(left));
    int k = static_cast<int>(rng().below(left - 1));
    if (k >= a) ++k;  // the key never starts under the agent
    x_ = a % kWallX, y_ = a / kWallX;
    key_x_ = k % kWallX, key_y_ = k / kWallX;
    const int g = static_cast<int>(rng().below((kWidth - kWallX - 1) * kHeight));
    goal_x_ = kWallX + 1 + g % (kWidth - kWallX - 1), goal_y_ = g / (kWidth - kWallX - 1);
    has_key_ = false;
    started_ = true;
    write_obs(obs);
  }

  pavlov::Transition step_impl(pavlov::ConstArrayView action, pavlov::ArrayView obs) override {
    static constexpr std::array<std::array<int, 2>, 4> kMoves = {{{0, 1}, {0, -1}, {-1, 0}, {1, 0}}};
    const auto [dx, dy] = kMoves[static_cast<std::size_t>(action.as<std::int64_t>()[0])];
    const int nx = x_ + dx, ny = y_ + dy;
    const bool inside = nx >= 0 && nx < kWidth && ny >= 0 && ny < kHeight;
    const bool wall = nx == kWallX && (ny != door_y_ || !has_key_);
    if (inside && !wall) x_ = nx, y_ = ny;
    pavlov::Transition t;
    if (!has_key_ && x_ == key_x_ && y_ == key_y_) {
      has_key_ = true;
      t.reward = 0.2;
    }
    if (x_ == goal_x_ && y_ == goal_y_) {
      t.reward += 1.0;
      t.terminated = true;
    }
    write_obs(obs);
    return t;
  }

  void set_state_impl(std::span<const double> s, pavlov::ArrayView obs) override {
    if (s.size() != 8) throw pavlov::EnvError("KeyDoor state has 8 values, got " + std::to_string(s.size()));
    x_ = int(s[0]), y_ = int(s[1]), key_x_ = int(s[2]), key_y_ = int(s[3]), door_y_ = int(s[4]);
    goal_x_ = int(s[5]), goal_y_ = int(s[6]), has_key_ = s[7] != 0;
    started_ = true;
    write_obs(obs);
  }

 private:
  void write_obs(pavlov::ArrayView obs) const {
    const float w = kWidth, h = kHeight;
    float* o = obs.as<float>();
    o[0] = x_ / w, o[1] = y_ / h;
    o[2] = (key_x_ - x_) / w, o[3] = (key_y_ - y_) / h;
    o[4] = (kWallX - x_) / w, o[5] = (door_y_ - y_) / h;
    o[6] = (goal_x_ - x_) / w, o[7] = (goal_y_ - y_) / h;
    o[8] = has_key_ ? 1.0f : 0.0f;
  }

  int x_ = 0, y_ = 0, key_x_ = 0, key_y_ = 0, door_y_ = 0, goal_x_ = 0, goal_y_ = 0;
  bool has_key_ = false, started_ = false;
};

}  // namespace

PAVLOV_PLUGIN("key_door") {
  pavlov::register_env<KeyDoor>({.id = "KeyDoor-v0",
                                 .max_episode_steps = 100,
                                 .summary = "fetch the key, unlock the door, reach the goal (examples/custom_env)"});
}
