#include "engine/env/env.h"

#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <typeinfo>

#include "engine/env/env_error.h"
#include "engine/io/binary.h"

namespace pavlov {

Env::Env(Space observation_space, Space action_space, std::string default_id)
    : observation_space_(std::make_unique<const Space>(std::move(observation_space))),
      action_space_(std::make_unique<const Space>(std::move(action_space))),
      id_(std::move(default_id)) {}

void Env::set_max_episode_steps(std::int64_t steps) {
  if (steps < 0) throw EnvError(id_ + ": max_episode_steps must be >= 0 (0: no limit), got " + std::to_string(steps));
  max_episode_steps_ = steps;
}

bool Env::render(Canvas&) const { return false; }

void Env::check_obs(ArrayView obs) const {
  if (obs.dtype != observation_space_->dtype() || obs.size != observation_space_->numel())
    throw EnvError(id_ + ": the observation buffer holds " + std::to_string(obs.size) + " " +
                   std::string(dtype_name(obs.dtype)) + " values; the observation space " +
                   observation_space_->to_string() + " needs " + std::to_string(observation_space_->numel()) + " " +
                   std::string(dtype_name(observation_space_->dtype())) + " values");
}

void Env::reset(ArrayView obs, std::optional<std::uint64_t> seed) {
  check_obs(obs);
  if (seed) {
    rng_.seed_with(*seed);
  } else if (!seeded_) {
    std::random_device rd;
    rng_.seed_with((static_cast<std::uint64_t>(rd()) << 32) | rd());
  }
  seeded_ = true;
  reset_impl(obs);
  elapsed_ = 0;
  running_ = true;
  ended_ = false;
}

void Env::throw_not_running() const {
  throw EnvError(ended_ ? id_ + ": step() called after the episode ended (terminated or truncated); call reset() first"
                        : id_ + ": step() called before reset(); call reset() first");
}

void Env::check_step(ConstArrayView action, ArrayView obs) const {
  check_running();
  if (obs.dtype != observation_space_->dtype() || obs.size != observation_space_->numel()) [[unlikely]]
    check_obs(obs);
  if (action.dtype != action_space_->dtype() || action.size != action_space_->numel() ||
      !acceptable_action(*action_space_, action)) [[unlikely]]
    throw_bad_action(action);
}

StepResult Env::step(ConstArrayView action, ArrayView obs) {
  check_step(action, obs);
  return finish_step(step_impl(action, obs));
}

void Env::step_many(std::span<StepJob> jobs, StepResult* results) {
  if (jobs.empty()) return;
  const std::type_info& type = typeid(*jobs.front().env);
  for (const StepJob& j : jobs) {
    if (typeid(*j.env) != type) [[unlikely]]
      throw std::invalid_argument("Env::step_many: every job's env must be of the same class");
    j.env->check_step(j.action, j.obs);
  }
  jobs.front().env->step_many_impl(jobs);
  for (std::size_t i = 0; i < jobs.size(); ++i) results[i] = jobs[i].env->finish_step(jobs[i].transition);
}

void Env::step_many_impl(std::span<StepJob> jobs) {
  for (StepJob& j : jobs) j.transition = j.env->step_impl(j.action, j.obs);
}

void Env::throw_bad_action(ConstArrayView action) const {
  std::ostringstream os;
  os << id_ << ": invalid action ";
  if (action.dtype != action_space_->dtype() || action.size != action_space_->numel()) {
    os << "buffer of " << action.size << " " << dtype_name(action.dtype) << " values; the action space "
       << action_space_->to_string() << " takes " << action_space_->numel() << " " << dtype_name(action_space_->dtype())
       << " values";
    throw EnvError(os.str());
  }
  os << "[";
  for (std::int64_t i = 0; i < action.size; ++i) {
    if (i) os << ", ";
    if (action.dtype == DType::kFloat32) os << action.as<float>()[i];
    else os << action.as<std::int64_t>()[i];
  }
  os << "]: ";
  switch (action_space_->kind()) {
    case Space::Kind::kDiscrete:
      os << "outside " << action_space_->to_string() << " (valid: " << action_space_->start() << " to "
         << action_space_->start() + action_space_->n() - 1 << ")";
      break;
    case Space::Kind::kMultiDiscrete:
      os << "outside " << action_space_->to_string() << " (element i must lie in [0, nvec[i]) )";
      break;
    case Space::Kind::kBox:
      os << "continuous actions must be finite (values outside " << action_space_->to_string()
         << " are clipped, NaN and infinity are errors)";
      break;
  }
  throw EnvError(os.str());
}

void Env::save(std::ostream& out) const {
  io::write_vector(out, state());
  io::write_pod(out, rng_.state());
  io::write_pod(out, elapsed_);
  io::write_pod(out, running_);
  io::write_pod(out, seeded_);
  io::write_pod(out, ended_);
}

void Env::load(std::istream& in, ArrayView obs) {
  check_obs(obs);
  const auto state = io::read_vector<double>(in, 1 << 20);
  rng_.set_state(io::read_pod<Rng::State>(in));
  elapsed_ = io::read_pod<std::int64_t>(in);
  running_ = io::read_pod<bool>(in);
  seeded_ = io::read_pod<bool>(in);
  ended_ = io::read_pod<bool>(in);
  set_state_impl(state, obs);
}

std::vector<double> Env::state() const {
  throw EnvError(id_ + ": this environment does not expose its internal state");
}

void Env::set_state(std::span<const double> state, ArrayView obs) {
  if (!running_) throw EnvError(id_ + ": set_state() needs a running episode; call reset() first");
  check_obs(obs);
  set_state_impl(state, obs);
}

void Env::set_state_impl(std::span<const double>, ArrayView) {
  throw EnvError(id_ + ": this environment cannot be put into a given state");
}

}  // namespace pavlov
