#include "engine/runtime/player.h"

#include <stdexcept>

#include "engine/render/canvas.h"
#include "engine/runtime/agent.h"

namespace pavlov {

Player::Player(std::unique_ptr<Env> env, std::string title) : env_(std::move(env)) {
  const Space& os = env_->observation_space();
  const Space& as = env_->action_space();
  obs_.resize(os.numel() * dtype_size(os.dtype()));
  act_.resize(as.numel() * dtype_size(as.dtype()));
  ov_ = ArrayView(obs_.data(), os.dtype(), os.numel());
  av_ = ArrayView(act_.data(), as.dtype(), as.numel());
  hud_.title = std::move(title);
}

void Player::reset(std::uint64_t seed) {
  env_->reset(ov_, seed);
  ++hud_.episode;
  hud_.step = 0;
  hud_.episode_return = 0;
  hud_.action.clear();
  hud_.chosen = -1;
  over_ = false;
  fresh_ = true;
}

StepResult Player::step(Agent& agent) {
  if (fresh_) agent.start_greedy_episode();
  fresh_ = false;
  const ActionInsight insight = agent.insight(ov_);
  hud_.insight_kind = insight.kind;
  hud_.insight = insight.values;
  agent.act(ov_, 1, av_, /*explore=*/false);
  return step_given();
}

StepResult Player::step_given() {
  if (over_) throw std::logic_error("Player::step after the episode ended: reset first");
  if (env_->action_space().is_discrete()) {
    hud_.chosen = av_.as<std::int64_t>()[0];
    hud_.action = std::to_string(hud_.chosen);
  } else {
    hud_.chosen = -1;
    hud_.action = action_text(std::span<const float>(av_.as<float>(), static_cast<std::size_t>(av_.size)));
  }
  const StepResult r = env_->step(av_, ov_);
  hud_.step = r.info.elapsed_steps;
  hud_.episode_return += r.reward;
  over_ = r.terminated || r.truncated;
  return r;
}

void Player::draw(Canvas& canvas, const std::string& status) {
  if (!env_->render(canvas)) throw std::runtime_error(env_->id() + " cannot draw itself (Env::render)");
  hud_.status = status;
  draw_hud(canvas, hud_);
}

}  // namespace pavlov
