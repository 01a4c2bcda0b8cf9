// Golden tests of V-trace (agents/onpolicy/vtrace.h), every number worked out by hand.
#include "agents/onpolicy/vtrace.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using pavlov::agents::compute_vtrace;
using pavlov::agents::VtraceInput;

namespace {
struct Case {
  int steps, envs;
  std::vector<float> log_rhos, rewards, values, next_values;
  std::vector<std::uint8_t> terminated, truncated;
  double gamma = 0.9, lambda = 1.0, rho_bar = 1.0, c_bar = 1.0;
  std::vector<float> vs, adv;
  void run() {
    vs.assign(rewards.size(), 0.0f);
    adv.assign(rewards.size(), 0.0f);
    compute_vtrace({steps, envs, log_rhos, rewards, values, next_values, terminated, truncated, gamma, lambda, rho_bar, c_bar},
                   vs, adv);
  }
};
}  // namespace

TEST_CASE("V-trace on-policy is the n-step return to the trajectory's end") {
  // r = 1, 2, 3; V(x) = 0.5, 0.4, 0.3; the last next observation is worth 0.2.
  Case c{3, 1, {0, 0, 0}, {1, 2, 3}, {0.5f, 0.4f, 0.3f}, {0.4f, 0.3f, 0.2f}, {0, 0, 0}, {0, 0, 0}};
  c.run();
  CHECK(c.vs[2] == doctest::Approx(3.18));    // 3 + 0.9 * 0.2
  CHECK(c.vs[1] == doctest::Approx(4.862));   // 2 + 0.9 * 3.18
  CHECK(c.vs[0] == doctest::Approx(5.3758));  // 1 + 0.9 * 4.862
  CHECK(c.adv[2] == doctest::Approx(2.88));   // 3 + 0.9 * 0.2 - 0.3
  CHECK(c.adv[1] == doctest::Approx(4.462));  // 2 + 0.9 * v_2 - 0.4
  CHECK(c.adv[0] == doctest::Approx(4.8758)); // 1 + 0.9 * v_1 - 0.5
}

TEST_CASE("V-trace truncates importance weights at rho_bar and c_bar") {
  // pi/mu = 1, 0.5, 2: the 2 is clipped to 1, the 0.5 weights both delta_1 and the trace through t = 1.
  Case c{3, 1, {0, std::log(0.5f), std::log(2.0f)}, {1, 2, 3}, {0.5f, 0.4f, 0.3f}, {0.4f, 0.3f, 0.2f}, {0, 0, 0}, {0, 0, 0}};
  c.run();
  CHECK(c.vs[2] == doctest::Approx(3.18));    // rho_2 = min(1, 2) = 1: as on-policy
  CHECK(c.adv[2] == doctest::Approx(2.88));
  // delta_1 = 0.5 * (2 + 0.27 - 0.4) = 0.935; v_1 - V = 0.935 + 0.9 * 0.5 * 2.88 = 2.231
  CHECK(c.vs[1] == doctest::Approx(2.631));
  CHECK(c.adv[1] == doctest::Approx(2.231));  // 0.5 * (2 + 0.9 * 3.18 - 0.4)
  // delta_0 = 1 + 0.36 - 0.5 = 0.86; v_0 - V = 0.86 + 0.9 * 1 * 2.231 = 2.8679
  CHECK(c.vs[0] == doctest::Approx(3.3679));
  CHECK(c.adv[0] == doctest::Approx(2.8679));  // 1 + 0.9 * 2.631 - 0.5

  // A larger rho_bar lets the 2 through: delta_2 = 2 * 2.88.
  Case wide = c;
  wide.rho_bar = 2.0;
  wide.run();
  CHECK(wide.vs[2] == doctest::Approx(0.3 + 5.76));
  CHECK(wide.adv[2] == doctest::Approx(5.76));
}

TEST_CASE("V-trace's lambda shortens the trace") {
  // gamma 0.5, lambda 0.5; r = 1, 1; V = 1, 2; next values 2, 4.
  Case c{2, 1, {0, 0}, {1, 1}, {1, 2}, {2, 4}, {0, 0}, {0, 0}};
  c.gamma = 0.5;
  c.lambda = 0.5;
  c.run();
  CHECK(c.vs[1] == doctest::Approx(3.0));   // 1 + 0.5 * 4
  CHECK(c.adv[1] == doctest::Approx(1.0));
  CHECK(c.vs[0] == doctest::Approx(2.25));  // 1 + (1 + 0.5 * 2 - 1) + 0.5 * 0.5 * 1
  CHECK(c.adv[0] == doctest::Approx(1.5));  // 1 + 0.5 * v_1 - 1
}

TEST_CASE("V-trace stops at an episode's end: terminal states are worth 0, time limits bootstrap") {
  // Two envs side by side ([T, N] layout): env 0 terminates at t = 1, env 1 is cut by a time
  // limit at t = 1, its final observation worth 5. Both start a new episode at t = 2.
  Case c{3, 2,
         {0, 0, 0, 0, 0, 0},
         {1, 1, 2, 2, 3, 3},
         {0.5f, 0.5f, 0.4f, 0.4f, 0.3f, 0.3f},
         {0.4f, 0.4f, 99.0f, 5.0f, 0.2f, 0.2f},  // env 0's 99 is a terminal state's: never used
         {0, 0, 1, 0, 0, 0},
         {0, 0, 0, 1, 0, 0}};
  c.run();
  for (int e = 0; e < 2; ++e) {  // the new episode at t = 2 is on its own
    CHECK(c.vs[4 + e] == doctest::Approx(3.18));
    CHECK(c.adv[4 + e] == doctest::Approx(2.88));
  }
  CHECK(c.vs[2] == doctest::Approx(2.0));   // terminated: r only
  CHECK(c.adv[2] == doctest::Approx(1.6));
  CHECK(c.vs[0] == doctest::Approx(2.8));   // 1 + 0.9 * 2
  CHECK(c.adv[0] == doctest::Approx(2.3));
  CHECK(c.vs[3] == doctest::Approx(6.5));   // truncated: 2 + 0.9 * 5
  CHECK(c.adv[3] == doctest::Approx(6.1));
  CHECK(c.vs[1] == doctest::Approx(6.85));  // 1 + 0.9 * 6.5
  CHECK(c.adv[1] == doctest::Approx(6.35));
}

TEST_CASE("V-trace refuses arrays of the wrong size") {
  Case c{2, 1, {0}, {1, 1}, {1, 2}, {2, 4}, {0, 0}, {0, 0}};
  CHECK_THROWS_AS(c.run(), std::invalid_argument);
}
