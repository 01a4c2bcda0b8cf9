// pavlov::envs::MinAtarGame: what the MinAtar games (Young & Tian, 2019)
// share. Each game is a 10 x 10 grid with one channel per kind of object; the
// observation is that grid as uint8 [channels, 10, 10] (channel-first, as a
// CNN takes it; MinAtar's own arrays are [10, 10, channels] booleans).
//
// The ids follow the MinAtar package's Gymnasium registration:
// "MinAtar/<Game>-v0" acts with all six actions (no-op, left, up, right,
// down, fire), "-v1" with the game's minimal set. Options: sticky_action_prob
// (0.1: with that probability the previous action is repeated instead of the
// chosen one, drawn before the game moves) and difficulty_ramping (true: the
// games speed up as published). MinAtar sets no time limit; pavlov truncates
// at 10000 steps so that a policy that never loses still ends its evaluation
// episodes (Freeway ends itself after 2500).
//
// A game implements start(), act() on the six-action alphabet and fill() of
// the grid; the base class does the action set, sticky actions, the
// observation, the picture (one colour per channel, later channels on top,
// as MinAtar's display) and the state for checkpoints (reset generator plus
// actions, replayed: EpisodeLog).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/env/env.h"
#include "engine/env/registry.h"
#include "envs/common/episode_log.h"

namespace pavlov::envs {

struct MinAtarOptions {
  double sticky_action_prob = 0.1;
  bool difficulty_ramping = true;
};

// The options every MinAtar id takes.
OptionBinder<MinAtarOptions> minatar_options();

// MinAtar's action alphabet.
enum MinAtarAction : int { kNoop = 0, kLeft = 1, kUp = 2, kRight = 3, kDown = 4, kFire = 5 };

// The grid a game fills: grid.set(channel, y, x).
class MinAtarGrid {
 public:
  MinAtarGrid(int channels) : cells_(static_cast<std::size_t>(channels) * 100, 0) {}
  void clear() { std::fill(cells_.begin(), cells_.end(), std::uint8_t{0}); }
  void set(int channel, int y, int x) { cells_[channel * 100 + y * 10 + x] = 1; }
  bool at(int channel, int y, int x) const { return cells_[channel * 100 + y * 10 + x] != 0; }
  const std::vector<std::uint8_t>& cells() const { return cells_; }

 private:
  std::vector<std::uint8_t> cells_;
};

class MinAtarGame : public Env {
 public:
  bool render(Canvas& canvas) const override;
  double render_fps() const override { return 15.0; }
  std::vector<double> state() const override;
  // The channel names, in order (for docs and tests).
  const std::vector<std::string>& channel_names() const { return channels_; }
  // The game's current grid.
  const MinAtarGrid& grid() const { return grid_; }

 protected:
  MinAtarGame(std::string name, std::vector<std::string> channels, std::vector<int> minimal_actions, bool minimal,
              const MinAtarOptions& options);

  virtual void start(Rng& rng) = 0;
  // One step of the game on an action of the alphabet; returns the reward, sets `terminal`.
  virtual double act(int action, Rng& rng, bool& terminal) = 0;
  virtual void fill(MinAtarGrid& grid) const = 0;
  bool ramping() const { return options_.difficulty_ramping; }

  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void set_state_impl(std::span<const double> state, ArrayView obs) override;

 private:
  Transition advance(Rng& rng, int chosen);
  void observe(ArrayView obs);

  std::vector<std::string> channels_;
  std::vector<int> action_set_;
  MinAtarOptions options_;
  MinAtarGrid grid_;
  int last_action_ = 0;
  bool started_ = false;  // a game was started (reset), so there is something to draw
  EpisodeLog log_;
};

// Registers a game under MinAtar's two ids: "MinAtar/<name>-v0" (all six
// actions) and "MinAtar/<name>-v1" (its minimal set), both truncated at 10000
// steps. Game's constructor takes (const MinAtarOptions&, bool minimal).
template <class Game, bool kMinimal>
struct MinAtarVariant : Game {
  explicit MinAtarVariant(const MinAtarOptions& o) : Game(o, kMinimal) {}
};

template <class Game>
bool register_minatar(const std::string& name, const std::string& summary, const std::string& minimal_summary) {
  constexpr std::int64_t kTimeLimit = 10000;
  return register_env<MinAtarVariant<Game, false>>(
             {.id = "MinAtar/" + name + "-v0", .max_episode_steps = kTimeLimit, .summary = summary}, minatar_options()) &&
         register_env<MinAtarVariant<Game, true>>(
             {.id = "MinAtar/" + name + "-v1", .max_episode_steps = kTimeLimit, .summary = minimal_summary},
             minatar_options());
}

}  // namespace pavlov::envs
