// MinAtar SpaceInvaders: a cannon on the bottom row shoots upwards (cool-down
// 5 steps) at a 4 x 6 block of aliens that marches sideways, steps down at the
// walls and fires at the cannon from the alien nearest to it every 10 steps.
// Each alien shot down scores 1; an enemy bullet or an alien reaching the
// cannon ends the game. The block moves every min(aliens left, interval)
// steps, so it speeds up as it thins; with ramping, each cleared wave makes
// the next one faster (interval 12 down to 6).
#include "envs/games/minatar.h"

namespace pavlov::envs {
namespace {

constexpr int kShotCoolDown = 5, kEnemyMoveInterval = 12, kEnemyShotInterval = 10;

using Map = std::array<std::array<std::uint8_t, 10>, 10>;  // [y][x]

class SpaceInvaders : public MinAtarGame {
 public:
  SpaceInvaders(const MinAtarOptions& o, bool minimal)
      : MinAtarGame("MinAtarSpaceInvaders",
                    {"cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"},
                    {kNoop, kLeft, kRight, kFire}, minimal, o) {}

 protected:
  static void new_wave(Map& aliens) {
    for (int y = 0; y < 4; ++y)
      for (int x = 2; x < 8; ++x) aliens[y][x] = 1;
  }
  static int count(const Map& m) {
    int n = 0;
    for (const auto& row : m)
      for (auto v : row) n += v;
    return n;
  }
  static void shift_rows(Map& m, int by) {  // down (+1) or up (-1), rows leaving are lost
    Map out{};
    for (int y = 0; y < 10; ++y)
      if (y + by >= 0 && y + by < 10) out[y + by] = m[y];
    m = out;
  }

  void start(Rng&) override {
    pos_ = 5;
    friendly_ = enemy_ = aliens_ = {};
    new_wave(aliens_);
    dir_ = -1;
    move_interval_ = kEnemyMoveInterval;
    move_timer_ = move_interval_;
    shot_timer_ = kEnemyShotInterval;
    cool_down_ = 0;
  }

  double act(int a, Rng&, bool& terminal) override {
    double reward = 0;
    if (a == kFire && cool_down_ == 0) {
      friendly_[9][pos_] = 1;
      cool_down_ = kShotCoolDown;
    } else if (a == kLeft) {
      pos_ = std::max(0, pos_ - 1);
    } else if (a == kRight) {
      pos_ = std::min(9, pos_ + 1);
    }
    shift_rows(friendly_, -1);  // the cannon's bullets rise, the aliens' fall
    shift_rows(enemy_, +1);
    if (enemy_[9][pos_] || aliens_[9][pos_]) terminal = true;
    if (move_timer_ == 0) {
      move_timer_ = std::min(count(aliens_), move_interval_);
      bool at_left = false, at_right = false;
      for (int y = 0; y < 10; ++y) at_left |= aliens_[y][0], at_right |= aliens_[y][9];
      if ((at_left && dir_ < 0) || (at_right && dir_ > 0)) {  // at a wall: turn and step down
        dir_ = -dir_;
        for (int x = 0; x < 10; ++x)
          if (aliens_[9][x]) terminal = true;
        shift_rows(aliens_, +1);
      } else {
        for (auto& row : aliens_) {
          std::array<std::uint8_t, 10> moved{};
          for (int x = 0; x < 10; ++x) moved[(x + dir_ + 10) % 10] = row[x];
          row = moved;
        }
      }
      if (aliens_[9][pos_]) terminal = true;
    }
    if (shot_timer_ == 0) {  // the alien nearest the cannon's column, lowest in it, fires
      shot_timer_ = kEnemyShotInterval;
      for (int d = 0; d < 10; ++d) {
        bool fired = false;
        for (int x : {pos_ - d, pos_ + d}) {
          if (fired || x < 0 || x > 9 || (d == 0 && x != pos_)) continue;
          for (int y = 9; y >= 0; --y)
            if (aliens_[y][x]) {
              enemy_[y][x] = 1;
              fired = true;
              break;
            }
        }
        if (fired) break;
      }
    }
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 10; ++x)
        if (aliens_[y][x] && friendly_[y][x]) {
          reward += 1;
          aliens_[y][x] = friendly_[y][x] = 0;
        }
    if (cool_down_ > 0) --cool_down_;
    --move_timer_;
    --shot_timer_;
    if (count(aliens_) == 0) {
      if (move_interval_ > 6 && ramping()) --move_interval_;
      new_wave(aliens_);
    }
    return reward;
  }

  void fill(MinAtarGrid& g) const override {
    g.set(0, 9, pos_);
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 10; ++x) {
        if (aliens_[y][x]) {
          g.set(1, y, x);
          g.set(dir_ < 0 ? 2 : 3, y, x);
        }
        if (friendly_[y][x]) g.set(4, y, x);
        if (enemy_[y][x]) g.set(5, y, x);
      }
  }

 private:
  Map friendly_{}, enemy_{}, aliens_{};
  int pos_ = 5, dir_ = -1, move_interval_ = kEnemyMoveInterval, move_timer_ = 0, shot_timer_ = 0, cool_down_ = 0;
};

const bool kRegistered = register_minatar<SpaceInvaders>(
    "SpaceInvaders", "MinAtar SpaceInvaders: shoot down a marching block of aliens (6x10x10 grid, 6 actions)",
    "MinAtar SpaceInvaders, minimal actions: no-op, left, right, fire");

}  // namespace
}  // namespace pavlov::envs
