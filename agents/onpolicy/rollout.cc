#include "agents/onpolicy/rollout.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "agents/onpolicy/gae.h"
#include "engine/io/binary.h"

namespace pavlov::agents {

Rollout::Rollout(int t_steps, int n_envs, std::int64_t o_dim, std::int64_t a_dim, bool pixels)
    : steps(t_steps), envs(n_envs), obs_dim(o_dim), action_dim(a_dim) {
  const std::size_t n = static_cast<std::size_t>(steps) * envs;
  if (pixels) obs_u8.assign(n * obs_dim, 0);
  else obs.assign(n * obs_dim, 0.0f);
  actions.assign(n * action_dim, 0.0f);
  for (auto* v : {&log_probs, &values, &rewards, &final_values, &advantages, &returns}) v->assign(n, 0.0f);
  last_values.assign(envs, 0.0f);
  terminated.assign(n, 0);
  truncated.assign(n, 0);
}

void Rollout::finish(double gamma, double lambda) {
  compute_gae({.steps = steps, .envs = envs, .rewards = rewards, .values = values, .terminated = terminated,
               .truncated = truncated, .final_values = final_values, .last_values = last_values, .gamma = gamma,
               .lambda = lambda},
              advantages, returns);
}

double Rollout::explained_variance() const {
  const std::size_t n = returns.size();
  double mr = 0, md = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mr += returns[i];
    md += returns[i] - values[i];
  }
  mr /= n;
  md /= n;
  double vr = 0, vd = 0;
  for (std::size_t i = 0; i < n; ++i) {
    vr += (returns[i] - mr) * (returns[i] - mr);
    const double d = returns[i] - values[i] - md;
    vd += d * d;
  }
  return vr == 0 ? std::numeric_limits<double>::quiet_NaN() : 1.0 - vd / vr;
}

void Rollout::save(std::ostream& out) const {
  io::write_pod(out, t);
  for (const auto* v : {&obs, &actions, &log_probs, &values, &rewards, &final_values}) io::write_vector(out, *v);
  io::write_vector(out, obs_u8);
  io::write_vector(out, terminated);
  io::write_vector(out, truncated);
}

void Rollout::load(std::istream& in) {
  t = io::read_pod<int>(in);
  for (auto* v : {&obs, &actions, &log_probs, &values, &rewards, &final_values}) {
    auto r = io::read_vector<float>(in);
    if (r.size() != v->size()) throw std::runtime_error("the checkpoint's rollout has another shape");
    *v = std::move(r);
  }
  const auto pixels = io::read_vector<std::uint8_t>(in);
  terminated = io::read_vector<std::uint8_t>(in);
  truncated = io::read_vector<std::uint8_t>(in);
  if (t < 0 || t > steps || pixels.size() != obs_u8.size() || terminated.size() != values.size() ||
      truncated.size() != values.size())
    throw std::runtime_error("the checkpoint's rollout has another shape");
  obs_u8 = pixels;
}

}  // namespace pavlov::agents
