// The MinAtar games: their rules pinned by short scripted scenarios,
// determinism, save/load, sticky actions, speed-independent facts.
#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "envs/box2d/random_run_hash.h"
#include "envs/games/minatar.h"

using pavlov::envs::MinAtarGame;

namespace {

struct Game {
  std::unique_ptr<pavlov::Env> env;
  std::vector<std::uint8_t> obs;
  explicit Game(const std::string& id, double sticky = 0.0) : env(pavlov::make_env(id, {{"sticky_action_prob", sticky}})) {
    obs.resize(env->observation_space().numel());
  }
  pavlov::ArrayView view() { return pavlov::ArrayView(obs.data(), pavlov::DType::kUInt8, static_cast<std::int64_t>(obs.size())); }
  void reset(std::uint64_t seed) { env->reset(view(), seed); }
  pavlov::StepResult step(std::int64_t a) { return env->step(pavlov::ConstArrayView(&a, pavlov::DType::kInt64, 1), view()); }
  bool at(int channel, int y, int x) const { return obs[channel * 100 + y * 10 + x] != 0; }
  int count(int channel) const {
    int n = 0;
    for (int i = 0; i < 100; ++i) n += obs[channel * 100 + i];
    return n;
  }
};

// Full action set indices: 0 no-op, 1 left, 2 up, 3 right, 4 down, 5 fire.
constexpr std::int64_t kNoop = 0, kLeft = 1, kUp = 2, kRight = 3, kFire = 5;

}  // namespace

TEST_CASE("minatar breakout: a missed ball ends the game; a caught one breaks bricks for points") {
  Game g("MinAtar/Breakout-v0");
  int left_starts = 0, right_starts = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    g.reset(seed);
    CHECK(g.count(3) == 30);  // three rows of ten bricks
    CHECK(g.at(0, 9, 4));      // the paddle in the middle of the bottom row
    if (g.at(1, 3, 0)) {
      // From the left corner the ball runs down-right past the paddle: 6 steps, no points.
      ++left_starts;
      pavlov::StepResult r;
      int steps = 0;
      do {
        r = g.step(kNoop);
        ++steps;
      } while (!r.terminated);
      CHECK(steps == 6);
      CHECK(r.reward == 0);
    } else {
      REQUIRE(g.at(1, 3, 9));
      // From the right it lands on the waiting paddle; following the ball then scores.
      ++right_starts;
      double score = 0;
      for (int t = 0; t < 60; ++t) {
        int ball_x = 0;
        for (int x = 0; x < 10; ++x)
          for (int y = 0; y < 10; ++y)
            if (g.at(1, y, x)) ball_x = x;
        int paddle = 0;
        for (int x = 0; x < 10; ++x)
          if (g.at(0, 9, x)) paddle = x;
        const auto r = g.step(ball_x < paddle ? kLeft : ball_x > paddle ? kRight : kNoop);
        score += r.reward;
        if (r.terminated) break;
      }
      CHECK(score >= 2);
      CHECK(g.count(3) == 30 - static_cast<int>(score));  // one brick per point
    }
  }
  CHECK(left_starts > 0);
  CHECK(right_starts > 0);
}

TEST_CASE("minatar freeway: crossing scores, standing still scores nothing, the game lasts 2501 steps") {
  Game g("MinAtar/Freeway-v0");
  g.reset(1);
  CHECK(g.at(0, 9, 4));
  CHECK(g.count(1) == 8);  // a car in each lane
  double up_score = 0;
  int steps = 0;
  pavlov::StepResult r;
  do {
    r = g.step(kUp);
    up_score += r.reward;
    ++steps;
  } while (!r.terminated && !r.truncated);
  CHECK(r.terminated);
  CHECK(steps == 2501);
  CHECK(up_score >= 10);  // MinAtar's always-up baseline crosses a dozen times or more
  g.reset(1);
  double still = 0;
  for (int t = 0; t < 300; ++t) still += g.step(kNoop).reward;
  CHECK(still == 0);
  CHECK(g.at(0, 9, 4));
}

TEST_CASE("minatar space invaders: shots down aliens; an enemy bullet ends a game that does nothing") {
  Game g("MinAtar/SpaceInvaders-v0");
  g.reset(0);
  CHECK(g.count(1) == 24);  // a 4 x 6 block
  CHECK(g.count(2) == 24);  // moving left at the start
  double score = 0;
  for (int t = 0; t < 40; ++t) {
    const auto r = g.step(kFire);
    score += r.reward;
    if (r.terminated) break;
  }
  CHECK(score >= 1);
  CHECK(g.count(1) == 24 - static_cast<int>(score));
  g.reset(0);
  pavlov::StepResult r;
  int steps = 0;
  double idle_score = 0;
  do {
    r = g.step(kNoop);
    idle_score += r.reward;
    ++steps;
  } while (!r.terminated && steps < 1000);
  CHECK(r.terminated);
  CHECK(idle_score == 0);
  CHECK(steps < 100);  // shots come every 10 steps straight down the cannon's column
}

TEST_CASE("minatar asterix: gold scores, an enemy at the player's cell ends the game") {
  Game g("MinAtar/Asterix-v0");
  pavlov::Rng rng(3);
  double best = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    g.reset(seed);
    CHECK(g.at(0, 5, 5));
    double ret = 0;
    pavlov::StepResult r;
    int player_y = 5, player_x = 5;
    do {
      r = g.step(static_cast<std::int64_t>(rng.below(5)));
      ret += r.reward;
      for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 10; ++x)
          if (g.at(0, y, x)) player_y = y, player_x = x;
      CHECK(player_y >= 1);
      CHECK(player_y <= 8);
    } while (!r.terminated && !r.truncated);
    CHECK(r.terminated);
    // The enemy that ended it is on the player's cell, or (if it moved on in the same step) its trail is.
    CHECK((g.at(1, player_y, player_x) || g.at(2, player_y, player_x)));
    best = std::max(best, ret);
  }
  CHECK(best >= 1);
}

TEST_CASE("minatar seaquest: the surface is safe, surfacing without divers ends it, oxygen runs down, shots score") {
  Game g("MinAtar/Seaquest-v0");
  g.reset(0);
  CHECK(g.at(0, 0, 5));      // the sub at the surface, facing left
  CHECK(g.at(1, 0, 6));
  CHECK(g.count(7) == 10);   // a full oxygen gauge
  pavlov::StepResult r;
  int steps = 0;
  do {
    r = g.step(kNoop);
    ++steps;
  } while (!r.terminated && !r.truncated);
  CHECK(r.truncated);  // enemies keep to rows 1..8: idling at the surface lasts until the time limit
  CHECK(steps == 10000);

  g.reset(0);
  CHECK_FALSE(g.step(4).terminated);  // down
  CHECK(g.step(kUp).terminated);      // back up with no diver on board

  double best = 0;
  int oxygen_checked = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    g.reset(seed);
    g.step(4);
    double ret = 0;
    bool alive_at_40 = true;
    for (int t = 1; t < 300; ++t) {
      r = g.step(t % 2 ? kFire : (t / 20) % 2 ? kLeft : kRight);
      ret += r.reward;
      if (r.terminated) {
        alive_at_40 = alive_at_40 && t > 40;
        break;
      }
      if (t == 40) {
        CHECK(g.count(7) == 7);  // 41 steps under water: oxygen 159 of 200, 7 cells of 10
        ++oxygen_checked;
      }
    }
    CHECK(r.terminated);  // 200 steps of oxygen at most
    best = std::max(best, ret);
  }
  CHECK(oxygen_checked > 0);
  CHECK(best >= 1);
}

TEST_CASE("minatar: sticky actions repeat the previous action; minimal action sets") {
  Game sticky("MinAtar/Breakout-v0", 1.0);
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    sticky.reset(seed);
    for (int t = 0; t < 4; ++t) sticky.step(kLeft);  // always replaced by the first action: no-op
    CHECK(sticky.at(0, 9, 4));
  }
  CHECK(pavlov::make_env("MinAtar/Breakout-v1")->action_space().n() == 3);
  CHECK(pavlov::make_env("MinAtar/SpaceInvaders-v1")->action_space().n() == 4);
  CHECK(pavlov::make_env("MinAtar/Freeway-v1")->action_space().n() == 3);
  CHECK(pavlov::make_env("MinAtar/Asterix-v1")->action_space().n() == 5);
  CHECK(pavlov::make_env("MinAtar/Asterix-v0")->action_space().n() == 6);
  CHECK(pavlov::make_env("MinAtar/Freeway-v0")->observation_space().shape() == std::vector<std::int64_t>{7, 10, 10});
  CHECK_THROWS_WITH(pavlov::make_env("MinAtar/Breakout-v0", {{"sticky_action_prob", 1.5}}), doctest::Contains("sticky_action_prob"));
}

TEST_CASE("minatar: same seed, same game on 1 or 2 threads; save and load continue exactly") {
  for (const char* id : {"MinAtar/Breakout-v0", "MinAtar/Freeway-v0", "MinAtar/SpaceInvaders-v0", "MinAtar/Asterix-v0",
                         "MinAtar/Seaquest-v0"}) {
    INFO(id);
    pavlov::VectorEnv one(id, {.num_envs = 8, .threads = 1, .seed = 5});
    pavlov::VectorEnv two(id, {.num_envs = 8, .threads = 2, .seed = 5});
    CHECK(pavlov::testing::random_run_hash(one, 5) == pavlov::testing::random_run_hash(two, 5));
    Game a(id, 0.1), b(id, 0.1);
    a.reset(7);
    pavlov::Rng rng(2);
    for (int t = 0; t < 25; ++t)
      if (a.step(static_cast<std::int64_t>(rng.below(6))).terminated) a.reset(8);
    std::stringstream saved;
    a.env->save(saved);
    b.reset(99);
    b.env->load(saved, b.view());
    CHECK(a.obs == b.obs);
    for (int t = 0; t < 40; ++t) {
      const auto action = static_cast<std::int64_t>(rng.below(6));
      const auto ra = a.step(action), rb = b.step(action);
      REQUIRE(ra.reward == rb.reward);
      REQUIRE(ra.terminated == rb.terminated);
      REQUIRE(a.obs == b.obs);
      if (ra.terminated) break;
    }
  }
}
