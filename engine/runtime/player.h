// pavlov::Player: one env played step by step, by an agent's greedy policy
// or by given actions (a person's), with what a viewer needs to draw it: the
// return so far, the action taken and the agent's insight, kept as a HudInfo.
// `pavlov watch`, `pavlov play` and the live view during training use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/env/env.h"
#include "engine/render/hud.h"

namespace pavlov {

class Agent;

class Player {
 public:
  Player(std::unique_ptr<Env> env, std::string title);

  // Starts an episode: the next episode number, return and step count 0.
  void reset(std::uint64_t seed);
  // One step of the agent's greedy policy (with its insight for the HUD).
  StepResult step(Agent& agent);
  // One step of the action in action() (filled by the caller, e.g. from keys).
  StepResult step_given();
  // The episode ended (terminated or truncated) and no reset followed.
  bool over() const { return over_; }
  // Draws the env and the HUD; `status` is the HUD's last line.
  void draw(Canvas& canvas, const std::string& status);

  Env& env() { return *env_; }
  ArrayView action() { return av_; }
  ConstArrayView observation() const { return ov_; }
  const HudInfo& hud() const { return hud_; }
  double episode_return() const { return hud_.episode_return; }

 private:
  std::unique_ptr<Env> env_;
  std::vector<std::byte> obs_, act_;
  ArrayView ov_, av_;
  HudInfo hud_;
  bool over_ = true;
  bool fresh_ = false;  // reset and not yet stepped by an agent: its greedy memory starts over
};

}  // namespace pavlov
