// The heads-up display that `pavlov watch`, `pavlov play` and the live view
// draw over an env's picture: where the episode is, what was done, and how
// the agent saw it (Q-values, probabilities or the mean action, as bars).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/render/canvas.h"

namespace pavlov {

struct HudInfo {
  std::string title;            // e.g. "CartPole-v1 - dqn"
  int episode = 0, episodes = 0;  // 1-based; episodes 0: open-ended
  std::int64_t step = 0;
  double episode_return = 0.0;
  std::string action;           // the action taken, as text
  std::string insight_kind;     // "Q", "p", "mean" or empty
  std::vector<float> insight;   // one value per action or action dimension
  std::int64_t chosen = -1;     // the discrete action taken (highlighted), -1: none
  std::string status;           // e.g. "paused", "x2", "episode over: 500.0"
};

// Draws the HUD over the canvas's current frame, in frame pixels.
void draw_hud(Canvas& canvas, const HudInfo& info);

// "1" for a discrete action, "[0.12, -0.50]" for a continuous one.
std::string action_text(std::span<const float> continuous);

}  // namespace pavlov
