// MinAtar Freeway: a chicken crosses eight lanes of traffic from the bottom
// row to the top. Reaching the top scores 1, sends the chicken back to the
// bottom and gives every car a new speed; a car hitting the chicken sends it
// back to the bottom. The chicken can move once every 3 steps; the game ends
// after 2500 steps. Each car moves one cell every |speed| steps (speed 1..5,
// either direction) and wraps around; its trail channel encodes its speed.
#include "envs/games/minatar.h"

namespace pavlov::envs {
namespace {

constexpr int kPlayerSpeed = 3, kTimeLimit = 2500;

class Freeway : public MinAtarGame {
 public:
  Freeway(const MinAtarOptions& o, bool minimal)
      : MinAtarGame("MinAtarFreeway", {"chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"},
                    {kNoop, kUp, kDown}, minimal, o) {}

 protected:
  struct Car {
    int x = 0, lane = 0, timer = 0, speed = 0;  // speed: cells per |speed| steps, sign: direction
  };

  void new_speeds(Rng& rng) {
    int speeds[8], directions[8];
    for (int& s : speeds) s = 1 + static_cast<int>(rng.below(5));
    for (int& d : directions) d = rng.uniform() - 0.5 < 0 ? -1 : 1;
    for (int i = 0; i < 8; ++i) {
      cars_[i].speed = speeds[i] * directions[i];
      cars_[i].timer = speeds[i];
    }
  }

  void start(Rng& rng) override {
    for (int i = 0; i < 8; ++i) cars_[i] = {0, i + 1, 0, 0};
    new_speeds(rng);
    pos_ = 9;
    move_timer_ = kPlayerSpeed;
    time_left_ = kTimeLimit;
  }

  double act(int a, Rng& rng, bool& terminal) override {
    double reward = 0;
    if (a == kUp && move_timer_ == 0) {
      move_timer_ = kPlayerSpeed;
      pos_ = std::max(0, pos_ - 1);
    } else if (a == kDown && move_timer_ == 0) {
      move_timer_ = kPlayerSpeed;
      pos_ = std::min(9, pos_ + 1);
    }
    if (pos_ == 0) {  // across
      reward += 1;
      new_speeds(rng);
      pos_ = 9;
    }
    for (Car& car : cars_) {
      if (car.x == 4 && car.lane == pos_) pos_ = 9;  // hit where it stands
      if (car.timer == 0) {
        car.timer = std::abs(car.speed);
        car.x += car.speed > 0 ? 1 : -1;
        if (car.x < 0) car.x = 9;
        if (car.x > 9) car.x = 0;
        if (car.x == 4 && car.lane == pos_) pos_ = 9;  // hit by moving
      } else {
        --car.timer;
      }
    }
    if (move_timer_ > 0) --move_timer_;
    if (--time_left_ < 0) terminal = true;
    return reward;
  }

  void fill(MinAtarGrid& g) const override {
    g.set(0, pos_, 4);
    for (const Car& car : cars_) {
      g.set(1, car.lane, car.x);
      int back = car.speed > 0 ? car.x - 1 : car.x + 1;
      if (back < 0) back = 9;
      if (back > 9) back = 0;
      g.set(1 + std::abs(car.speed), car.lane, back);
    }
  }

 private:
  std::array<Car, 8> cars_{};
  int pos_ = 9, move_timer_ = 0, time_left_ = 0;
};

const bool kRegistered = register_minatar<Freeway>(
    "Freeway", "MinAtar Freeway: a chicken crosses eight lanes of traffic (7x10x10 grid, 6 actions)",
    "MinAtar Freeway, minimal actions: no-op, up, down");

}  // namespace
}  // namespace pavlov::envs
