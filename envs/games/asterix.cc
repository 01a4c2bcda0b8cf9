// MinAtar Asterix: the player moves in rows 1..8; enemies and gold enter the
// rows from either side and cross them. Touching gold scores 1 (the gold goes),
// touching an enemy ends the game. A new entity enters a free row every
// `spawn` steps and entities move every `move` steps; with ramping both speed
// up every 100 steps (spawn down to 1; move down to 1 on every other ramp).
#include <optional>

#include "envs/games/minatar.h"

namespace pavlov::envs {
namespace {

constexpr int kRampInterval = 100, kInitSpawnSpeed = 10, kInitMoveInterval = 5;

class Asterix : public MinAtarGame {
 public:
  Asterix(const MinAtarOptions& o, bool minimal)
      : MinAtarGame("MinAtarAsterix", {"player", "enemy", "trail", "gold"}, {kNoop, kLeft, kUp, kRight, kDown}, minimal, o) {}

 protected:
  struct Entity {
    int x = 0, row = 0;
    bool rightward = false, gold = false;
  };

  void start(Rng&) override {
    x_ = y_ = 5;
    entities_.fill(std::nullopt);
    spawn_speed_ = kInitSpawnSpeed;
    spawn_timer_ = spawn_speed_;
    move_speed_ = kInitMoveInterval;
    move_timer_ = move_speed_;
    ramp_timer_ = kRampInterval;
    ramp_index_ = 0;
  }

  void spawn(Rng& rng) {
    const bool rightward = rng.uniform() < 0.5;
    const bool gold = rng.uniform() < 1.0 / 3;
    int free[8], n = 0;
    for (int i = 0; i < 8; ++i)
      if (!entities_[i]) free[n++] = i;
    if (n == 0) return;
    const int slot = free[rng.below(static_cast<std::uint64_t>(n))];
    entities_[slot] = Entity{rightward ? 0 : 9, slot + 1, rightward, gold};
  }

  // The player meets entity i: gold scores, an enemy ends the game.
  void meet(int i, double& reward, bool& terminal) {
    if (entities_[i]->gold) {
      entities_[i].reset();
      reward += 1;
    } else {
      terminal = true;
    }
  }

  double act(int a, Rng& rng, bool& terminal) override {
    double reward = 0;
    if (spawn_timer_ == 0) {
      spawn(rng);
      spawn_timer_ = spawn_speed_;
    }
    if (a == kLeft) x_ = std::max(0, x_ - 1);
    if (a == kRight) x_ = std::min(9, x_ + 1);
    if (a == kUp) y_ = std::max(1, y_ - 1);
    if (a == kDown) y_ = std::min(8, y_ + 1);
    for (int i = 0; i < 8; ++i)
      if (entities_[i] && entities_[i]->x == x_ && entities_[i]->row == y_) meet(i, reward, terminal);
    if (move_timer_ == 0) {
      move_timer_ = move_speed_;
      for (int i = 0; i < 8; ++i) {
        if (!entities_[i]) continue;
        Entity& e = *entities_[i];
        e.x += e.rightward ? 1 : -1;
        if (e.x < 0 || e.x > 9) {
          entities_[i].reset();
          continue;
        }
        if (e.x == x_ && e.row == y_) meet(i, reward, terminal);
      }
    }
    --spawn_timer_;
    --move_timer_;
    if (ramping() && (spawn_speed_ > 1 || move_speed_ > 1)) {
      if (ramp_timer_ >= 0) {
        --ramp_timer_;
      } else {
        if (move_speed_ > 1 && ramp_index_ % 2) --move_speed_;
        if (spawn_speed_ > 1) --spawn_speed_;
        ++ramp_index_;
        ramp_timer_ = kRampInterval;
      }
    }
    return reward;
  }

  void fill(MinAtarGrid& g) const override {
    g.set(0, y_, x_);
    for (const auto& e : entities_) {
      if (!e) continue;
      g.set(e->gold ? 3 : 1, e->row, e->x);
      const int back = e->rightward ? e->x - 1 : e->x + 1;
      if (back >= 0 && back <= 9) g.set(2, e->row, back);
    }
  }

 private:
  int x_ = 5, y_ = 5, spawn_speed_ = 0, spawn_timer_ = 0, move_speed_ = 0, move_timer_ = 0, ramp_timer_ = 0, ramp_index_ = 0;
  std::array<std::optional<Entity>, 8> entities_;
};

const bool kRegistered = register_minatar<Asterix>(
    "Asterix", "MinAtar Asterix: collect gold, dodge enemies crossing the rows (4x10x10 grid, 6 actions)",
    "MinAtar Asterix, minimal actions: no-op, left, up, right, down");

}  // namespace
}  // namespace pavlov::envs
