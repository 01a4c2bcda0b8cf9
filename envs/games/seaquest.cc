// MinAtar Seaquest: a submarine shoots fish and enemy subs (1 point each),
// rescues divers (up to 6) and must surface before its oxygen (200 steps
// below the surface) runs out. Surfacing with 6 divers scores by the oxygen
// left and empties the sub; surfacing with none ends the game, as do touching
// an enemy or an enemy bullet and running out of oxygen. Enemies enter rows
// 1..8 from either side (a third of them subs that fire every 10 steps), every
// `spawn` steps; with ramping each surfacing makes them come faster.
//
// The rules are MinAtar's, quirks included: an enemy shot down in its own
// move may still fire in that step, and surfacing with six divers leaves the
// diver count at -1.
#include <vector>

#include "envs/games/minatar.h"

namespace pavlov::envs {
namespace {

constexpr int kMaxOxygen = 200, kInitSpawnSpeed = 20, kDiverSpawnSpeed = 30, kInitMoveInterval = 5;
constexpr int kShotCoolDown = 5, kEnemyShotInterval = 10, kDiverMoveInterval = 5;

class Seaquest : public MinAtarGame {
 public:
  Seaquest(const MinAtarOptions& o, bool minimal)
      : MinAtarGame("MinAtarSeaquest",
                    {"sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet", "enemy_fish", "enemy_sub",
                     "oxygen_guage", "diver_guage", "diver"},
                    {kNoop, kLeft, kUp, kRight, kDown, kFire}, minimal, o) {}

 protected:
  struct Bullet {
    int x, y;
    bool rightward;
  };
  struct Mover {  // fish, enemy subs and divers
    int x, y;
    bool rightward;
    int move_timer, shot_timer = 0;
  };

  void start(Rng&) override {
    oxygen_ = kMaxOxygen;
    divers_ = 0;
    x_ = 5;
    y_ = 0;
    facing_right_ = false;
    f_bullets_.clear();
    e_bullets_.clear();
    fish_.clear();
    subs_.clear();
    swimmers_.clear();
    spawn_speed_ = kInitSpawnSpeed;
    spawn_timer_ = spawn_speed_;
    diver_timer_ = kDiverSpawnSpeed;
    move_speed_ = kInitMoveInterval;
    ramp_index_ = 0;
    cool_down_ = 0;
    surfaced_ = true;
  }

  bool at_sub(int x, int y) const { return x == x_ && y == y_; }

  // Removes the first friendly bullet at (x, y); true if there was one.
  bool take_bullet_at(int x, int y) {
    for (std::size_t i = 0; i < f_bullets_.size(); ++i)
      if (f_bullets_[i].x == x && f_bullets_[i].y == y) {
        f_bullets_.erase(f_bullets_.begin() + static_cast<long>(i));
        return true;
      }
    return false;
  }

  void spawn_enemy(Rng& rng) {
    const bool rightward = rng.uniform() < 0.5;
    const bool is_sub = rng.uniform() < 1.0 / 3;
    const int x = rightward ? 0 : 9;
    const int y = 1 + static_cast<int>(rng.below(8));
    // Never two enemies heading opposite ways in one row.
    for (const auto* group : {&subs_, &fish_})
      for (const Mover& m : *group)
        if (m.y == y && m.rightward != rightward) return;
    if (is_sub) subs_.push_back({x, y, rightward, move_speed_, kEnemyShotInterval});
    else fish_.push_back({x, y, rightward, move_speed_});
  }

  void spawn_diver(Rng& rng) {
    const bool rightward = rng.uniform() < 0.5;
    const int y = 1 + static_cast<int>(rng.below(8));
    swimmers_.push_back({rightward ? 0 : 9, y, rightward, kDiverMoveInterval});
  }

  // An enemy's move; true when it left the grid or was shot (then it is removed by the caller).
  bool move_enemy(Mover& m, double& reward, bool& terminal) {
    if (at_sub(m.x, m.y)) terminal = true;
    if (m.move_timer != 0) {
      --m.move_timer;
      return false;
    }
    m.move_timer = move_speed_;
    m.x += m.rightward ? 1 : -1;
    if (m.x < 0 || m.x > 9) return true;
    if (at_sub(m.x, m.y)) {
      terminal = true;
      return false;
    }
    if (take_bullet_at(m.x, m.y)) {
      reward += 1;
      return true;
    }
    return false;
  }

  double act(int a, Rng& rng, bool& terminal) override {
    double reward = 0;
    if (spawn_timer_ == 0) {
      spawn_enemy(rng);
      spawn_timer_ = spawn_speed_;
    }
    if (diver_timer_ == 0) {
      spawn_diver(rng);
      diver_timer_ = kDiverSpawnSpeed;
    }
    if (a == kFire && cool_down_ == 0) {
      f_bullets_.push_back({x_, y_, facing_right_});
      cool_down_ = kShotCoolDown;
    } else if (a == kLeft) {
      x_ = std::max(0, x_ - 1);
      facing_right_ = false;
    } else if (a == kRight) {
      x_ = std::min(9, x_ + 1);
      facing_right_ = true;
    } else if (a == kUp) {
      y_ = std::max(0, y_ - 1);
    } else if (a == kDown) {
      y_ = std::min(8, y_ + 1);
    }

    // Friendly bullets fly and hit a fish or else a sub (newest bullet first).
    for (std::size_t i = f_bullets_.size(); i-- > 0;) {
      Bullet& b = f_bullets_[i];
      b.x += b.rightward ? 1 : -1;
      if (b.x < 0 || b.x > 9) {
        f_bullets_.erase(f_bullets_.begin() + static_cast<long>(i));
        continue;
      }
      bool hit = false;
      for (auto* group : {&fish_, &subs_}) {
        for (std::size_t k = 0; k < group->size() && !hit; ++k)
          if ((*group)[k].x == b.x && (*group)[k].y == b.y) {
            group->erase(group->begin() + static_cast<long>(k));
            hit = true;
          }
        if (hit) break;
      }
      if (hit) {
        f_bullets_.erase(f_bullets_.begin() + static_cast<long>(i));
        reward += 1;
      }
    }

    // Divers drift across and are picked up while the sub has room.
    for (std::size_t i = swimmers_.size(); i-- > 0;) {
      Mover& d = swimmers_[i];
      if (at_sub(d.x, d.y) && divers_ < 6) {
        swimmers_.erase(swimmers_.begin() + static_cast<long>(i));
        ++divers_;
        continue;
      }
      if (d.move_timer != 0) {
        --d.move_timer;
        continue;
      }
      d.move_timer = kDiverMoveInterval;
      d.x += d.rightward ? 1 : -1;
      if (d.x < 0 || d.x > 9) {
        swimmers_.erase(swimmers_.begin() + static_cast<long>(i));
      } else if (at_sub(d.x, d.y) && divers_ < 6) {
        swimmers_.erase(swimmers_.begin() + static_cast<long>(i));
        ++divers_;
      }
    }

    // Enemy subs move, and fire every kEnemyShotInterval steps (even in the step they are shot).
    for (std::size_t i = subs_.size(); i-- > 0;) {
      const bool gone = move_enemy(subs_[i], reward, terminal);
      Mover& s = subs_[i];
      if (s.shot_timer == 0) {
        s.shot_timer = kEnemyShotInterval;
        e_bullets_.push_back({s.x, s.y, s.rightward});
      } else {
        --s.shot_timer;
      }
      if (gone) subs_.erase(subs_.begin() + static_cast<long>(i));
    }

    for (std::size_t i = e_bullets_.size(); i-- > 0;) {
      Bullet& b = e_bullets_[i];
      if (at_sub(b.x, b.y)) terminal = true;
      b.x += b.rightward ? 1 : -1;
      if (b.x < 0 || b.x > 9) e_bullets_.erase(e_bullets_.begin() + static_cast<long>(i));
      else if (at_sub(b.x, b.y)) terminal = true;
    }

    for (std::size_t i = fish_.size(); i-- > 0;)
      if (move_enemy(fish_[i], reward, terminal)) fish_.erase(fish_.begin() + static_cast<long>(i));

    if (spawn_timer_ > 0) --spawn_timer_;
    if (diver_timer_ > 0) --diver_timer_;
    if (cool_down_ > 0) --cool_down_;
    if (oxygen_ <= 0) terminal = true;
    if (y_ > 0) {
      --oxygen_;
      surfaced_ = false;
    } else if (!surfaced_) {
      if (divers_ == 0) terminal = true;
      else reward += surface();
    }
    return reward;
  }

  double surface() {
    surfaced_ = true;
    double reward = 0;
    if (divers_ == 6) {
      divers_ = 0;
      reward = oxygen_ * 10 / kMaxOxygen;
    }
    oxygen_ = kMaxOxygen;
    --divers_;
    if (ramping() && (spawn_speed_ > 1 || move_speed_ > 2)) {
      if (move_speed_ > 2 && ramp_index_ % 2) --move_speed_;
      if (spawn_speed_ > 1) --spawn_speed_;
      ++ramp_index_;
    }
    return reward;
  }

  void fill(MinAtarGrid& g) const override {
    g.set(0, y_, x_);
    const int back = facing_right_ ? x_ - 1 : x_ + 1;
    if (back >= 0 && back <= 9) g.set(1, y_, back);
    for (int x = 0; x < std::max(0, oxygen_) * 10 / kMaxOxygen; ++x) g.set(7, 9, x);
    for (int x = 9 - divers_; x < 9; ++x)
      if (x >= 0) g.set(8, 9, x);
    for (const Bullet& b : f_bullets_) g.set(2, b.y, b.x);
    for (const Bullet& b : e_bullets_) g.set(4, b.y, b.x);
    const auto with_trail = [&](const std::vector<Mover>& group, int channel) {
      for (const Mover& m : group) {
        g.set(channel, m.y, m.x);
        const int bx = m.rightward ? m.x - 1 : m.x + 1;
        if (bx >= 0 && bx <= 9) g.set(3, m.y, bx);
      }
    };
    with_trail(fish_, 5);
    with_trail(subs_, 6);
    with_trail(swimmers_, 9);
  }

 private:
  int oxygen_ = kMaxOxygen, divers_ = 0, x_ = 5, y_ = 0;
  bool facing_right_ = false, surfaced_ = true;
  std::vector<Bullet> f_bullets_, e_bullets_;
  std::vector<Mover> fish_, subs_, swimmers_;
  int spawn_speed_ = 0, spawn_timer_ = 0, diver_timer_ = 0, move_speed_ = 0, ramp_index_ = 0, cool_down_ = 0;
};

const bool kRegistered = register_minatar<Seaquest>(
    "Seaquest", "MinAtar Seaquest: shoot, rescue divers, surface for air (10x10x10 grid, 6 actions)",
    "MinAtar Seaquest; its minimal action set is all six actions");

}  // namespace
}  // namespace pavlov::envs
