// MinAtar Breakout: a paddle on the bottom row, a ball moving diagonally, three
// rows of bricks. Hitting a brick scores 1 and bounces the ball back; clearing
// every brick brings back a full wall when the ball reaches the bottom; the
// ball passing the paddle ends the game. The ball starts at row 3 in a top
// corner, heading down and inward.
#include "envs/games/minatar.h"

namespace pavlov::envs {
namespace {

class Breakout : public MinAtarGame {
 public:
  Breakout(const MinAtarOptions& o, bool minimal)
      : MinAtarGame("MinAtarBreakout", {"paddle", "ball", "trail", "brick"}, {kNoop, kLeft, kRight}, minimal, o) {}

 protected:
  // Ball directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
  static constexpr int kDx[4] = {-1, 1, 1, -1}, kDy[4] = {-1, -1, 1, 1};
  static constexpr int kMirrorX[4] = {1, 0, 3, 2}, kMirrorY[4] = {3, 2, 1, 0}, kReverse[4] = {2, 3, 0, 1};

  void start(Rng& rng) override {
    ball_y_ = 3;
    const bool right = rng.below(2) == 1;
    ball_x_ = right ? 9 : 0;
    dir_ = right ? 3 : 2;
    paddle_ = 4;
    bricks_ = {};
    for (int y = 1; y < 4; ++y) bricks_[y].fill(true);
    strike_ = false;
    last_x_ = ball_x_;
    last_y_ = ball_y_;
  }

  double act(int a, Rng&, bool& terminal) override {
    double reward = 0;
    if (a == kLeft) paddle_ = std::max(0, paddle_ - 1);
    if (a == kRight) paddle_ = std::min(9, paddle_ + 1);
    last_x_ = ball_x_;
    last_y_ = ball_y_;
    int nx = ball_x_ + kDx[dir_], ny = ball_y_ + kDy[dir_];
    bool striking = false;
    if (nx < 0 || nx > 9) {  // side wall: mirror horizontally
      nx = std::clamp(nx, 0, 9);
      dir_ = kMirrorX[dir_];
    }
    if (ny < 0) {  // ceiling: mirror vertically
      ny = 0;
      dir_ = kMirrorY[dir_];
    } else if (bricks_[ny][nx]) {
      striking = true;
      if (!strike_) {  // one brick per contact
        reward += 1;
        strike_ = true;
        bricks_[ny][nx] = false;
        ny = last_y_;
        dir_ = kMirrorY[dir_];
      }
    } else if (ny == 9) {
      if (no_bricks()) for (int y = 1; y < 4; ++y) bricks_[y].fill(true);
      if (ball_x_ == paddle_) {  // straight back up
        dir_ = kMirrorY[dir_];
        ny = last_y_;
      } else if (nx == paddle_) {  // the paddle's corner: back the way it came
        dir_ = kReverse[dir_];
        ny = last_y_;
      } else {
        terminal = true;
      }
    }
    if (!striking) strike_ = false;
    ball_x_ = nx;
    ball_y_ = ny;
    return reward;
  }

  void fill(MinAtarGrid& g) const override {
    g.set(1, ball_y_, ball_x_);
    g.set(0, 9, paddle_);
    g.set(2, last_y_, last_x_);
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 10; ++x)
        if (bricks_[y][x]) g.set(3, y, x);
  }

 private:
  bool no_bricks() const {
    for (const auto& row : bricks_)
      for (bool b : row)
        if (b) return false;
    return true;
  }

  int ball_x_ = 0, ball_y_ = 0, dir_ = 0, paddle_ = 4, last_x_ = 0, last_y_ = 0;
  bool strike_ = false;
  std::array<std::array<bool, 10>, 10> bricks_{};
};

const bool kRegistered = register_minatar<Breakout>(
    "Breakout", "MinAtar Breakout: bounce a ball into bricks (4x10x10 grid, 6 actions)",
    "MinAtar Breakout, minimal actions: no-op, left, right");

}  // namespace
}  // namespace pavlov::envs
