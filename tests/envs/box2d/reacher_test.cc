// Reacher2D: a PD controller on the task space (Jacobian transpose) brings
// the fingertip within 0.05 of the target; determinism and save/load as for
// every Box2D env.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "engine/env/registry.h"
#include "envs/box2d/reacher.h"

using namespace pavlov;

namespace {

// torque_i = J_i^T (kp * (target - tip)) - kd * (speed of joint i), with J the
// arm's Jacobian from its link lengths (reacher.cc: 0.1, 0.11 or 3 x 0.07).
void pd(const float* o, int n, float* a) {
  const std::vector<double> len = n == 3 ? std::vector<double>{0.07, 0.07, 0.07} : std::vector<double>{0.1, 0.11};
  const double ex = -o[3 * n + 2], ey = -o[3 * n + 3];  // target - tip
  double angle = 0, px = 0, py = 0;
  std::vector<double> jx(n), jy(n);  // joint positions
  for (int i = 0; i < n; ++i) {
    jx[i] = px;
    jy[i] = py;
    angle += std::atan2(o[n + i], o[i]);
    px += std::cos(angle) * len[i];
    py += std::sin(angle) * len[i];
  }
  for (int i = 0; i < n; ++i) {
    // d tip / d q_i = z x (tip - joint_i)
    const double dx = -(py - jy[i]), dy = px - jx[i];
    const double t = 100.0 * (dx * ex + dy * ey) - 0.02 * o[2 * n + i];
    a[i] = static_cast<float>(std::clamp(t, -1.0, 1.0));
  }
}

}  // namespace

TEST_CASE("reacher: a PD controller reaches the target in >= 95% of episodes") {
  for (std::int64_t links : {2, 3}) {
    auto env = make_env("Reacher2D-v0", {{"links", links}});
    auto& reacher = static_cast<envs::Reacher&>(*env);
    const int n = static_cast<int>(links);
    std::vector<float> obs(3 * n + 4);
    int reached = 0;
    double total = 0;
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
      env->reset(obs, seed);
      StepResult r;
      double ret = 0;
      while (!r.truncated) {
        float a[3];
        pd(obs.data(), n, a);
        r = env->step(std::span<const float>(a, n), obs);
        ret += r.reward;
      }
      CHECK_FALSE(r.terminated);
      CHECK(r.info.is_success == (reacher.distance() < 0.05));  // what evaluations count
      reached += reacher.distance() < 0.05;
      total += ret;
    }
    MESSAGE(links << " links: the fingertip ends within 0.05 in " << reached << "/100 episodes, mean return "
                  << total / 100);
    CHECK(reached >= 95);
  }
}

TEST_CASE("reacher: doing nothing leaves the fingertip where it was, far from most targets") {
  auto env = make_env("Reacher2D-v0");
  std::vector<float> obs(10);
  int reached = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    env->reset(obs, seed);
    const float zero[2] = {0, 0};
    StepResult r;
    while (!r.truncated) r = env->step(std::span<const float>(zero, 2), obs);
    reached += static_cast<envs::Reacher&>(*env).distance() < 0.05;
  }
  CHECK(reached <= 5);
}

TEST_CASE("reacher: save and load mid-episode continue the same trajectory") {
  auto a = make_env("Reacher2D-v0", {{"links", std::int64_t{3}}}), b = make_env("Reacher2D-v0", {{"links", std::int64_t{3}}});
  std::vector<float> oa(13), ob(13);
  a->reset(oa, 4);
  for (int t = 0; t < 20; ++t) {
    const float act[3] = {0.5f, -1.0f, static_cast<float>(t % 2)};
    a->step(std::span<const float>(act, 3), oa);
  }
  std::stringstream s;
  a->save(s);
  b->load(s, ArrayView(std::span(ob)));
  CHECK(oa == ob);
  for (int t = 0; t < 20; ++t) {
    const float act[3] = {-0.3f, 0.2f, 1.0f};
    a->step(std::span<const float>(act, 3), oa);
    b->step(std::span<const float>(act, 3), ob);
    REQUIRE(oa == ob);
  }
}
