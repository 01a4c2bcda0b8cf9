#include "envs/games/minatar.h"

#include <algorithm>

#include "engine/env/env_error.h"
#include "engine/render/canvas.h"

namespace pavlov::envs {
namespace {

Space minatar_observation_space(std::size_t channels) {
  return Space::box(0, 1, {static_cast<std::int64_t>(channels), 10, 10}, DType::kUInt8);
}

std::vector<int> action_set(const std::vector<int>& minimal, bool use_minimal) {
  return use_minimal ? minimal : std::vector<int>{0, 1, 2, 3, 4, 5};
}

// One colour per channel, readable on black: a short fixed palette.
constexpr Color kPalette[] = {{240, 240, 240}, {230, 80, 60},  {250, 190, 60}, {90, 160, 240}, {120, 220, 110},
                              {200, 110, 230}, {60, 210, 210}, {240, 130, 180}, {170, 170, 90}, {150, 150, 255}};

}  // namespace

OptionBinder<MinAtarOptions> minatar_options() {
  return OptionBinder<MinAtarOptions>()
      .add("sticky_action_prob", &MinAtarOptions::sticky_action_prob,
           "probability that the previous action is repeated instead of the chosen one", 0.0, 1.0)
      .add("difficulty_ramping", &MinAtarOptions::difficulty_ramping, "the game speeds up as published");
}

MinAtarGame::MinAtarGame(std::string name, std::vector<std::string> channels, std::vector<int> minimal_actions, bool minimal,
                         const MinAtarOptions& options)
    : Env(minatar_observation_space(channels.size()),
          Space::discrete(static_cast<std::int64_t>(action_set(minimal_actions, minimal).size())), std::move(name)),
      channels_(std::move(channels)),
      action_set_(action_set(minimal_actions, minimal)),
      options_(options),
      grid_(static_cast<int>(channels_.size())),
      log_(1, 2500) {
  if (!(options.sticky_action_prob >= 0 && options.sticky_action_prob <= 1))
    throw EnvError(id() + ": sticky_action_prob must be in [0, 1], got " + std::to_string(options.sticky_action_prob));
}

void MinAtarGame::observe(ArrayView obs) {
  grid_.clear();
  fill(grid_);
  std::copy(grid_.cells().begin(), grid_.cells().end(), obs.as<std::uint8_t>());
}

void MinAtarGame::reset_impl(ArrayView obs) {
  log_.start(rng().state());
  last_action_ = 0;
  start(rng());
  started_ = true;
  observe(obs);
}

Transition MinAtarGame::advance(Rng& rng, int chosen) {
  int a = action_set_[chosen];
  if (rng.uniform() < options_.sticky_action_prob) a = last_action_;
  last_action_ = a;
  bool terminal = false;
  const double reward = act(a, rng, terminal);
  return {reward, terminal};
}

Transition MinAtarGame::step_impl(ConstArrayView action, ArrayView obs) {
  const auto chosen = action.as<std::int64_t>()[0];
  const double logged = static_cast<double>(chosen);
  log_.record(&logged);
  const Transition t = advance(rng(), static_cast<int>(chosen));
  observe(obs);
  return t;
}

std::vector<double> MinAtarGame::state() const { return log_.to_state(); }

void MinAtarGame::set_state_impl(std::span<const double> state, ArrayView obs) {
  log_.from_state(state, id());
  Rng& r = rng();
  r.set_state(log_.reset_rng());
  last_action_ = 0;
  start(r);
  started_ = true;
  for (std::size_t i = 0; i < log_.steps(); ++i) advance(r, static_cast<int>(log_.action(i)[0]));
  observe(obs);
}

bool MinAtarGame::render(Canvas& c) const {
  if (!started_) return false;  // no game before the first reset
  constexpr int kCell = 40;
  c.begin(10 * kCell, 10 * kCell, {0, 0, 0});
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 10; ++x) {
      int top = -1;
      for (int ch = 0; ch < static_cast<int>(channels_.size()); ++ch)
        if (grid_.at(ch, y, x)) top = ch;
      if (top >= 0)
        c.rect_px(static_cast<float>(x * kCell + 1), static_cast<float>(y * kCell + 1), kCell - 2, kCell - 2,
                  kPalette[top % std::size(kPalette)]);
    }
  return true;
}

}  // namespace pavlov::envs
