// GAE against a case computed by hand, with a termination and a truncation.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "agents/onpolicy/gae.h"

using pavlov::agents::compute_gae;

// T = 4 steps, N = 2 envs, gamma 0.9, lambda 0.5 (gamma * lambda = 0.45); rows [t][env].
//  env 0: r = 1 each step, V = 0.5 0.6 0.7 0.8, TERMINATED at t = 1, last value 2.0
//    t=3  delta = 1 + 0.9*2.0 - 0.8 = 2.0                 A = 2.0
//    t=2  delta = 1 + 0.9*0.8 - 0.7 = 1.02                A = 1.02 + 0.45*2.0 = 1.92
//    t=1  terminal: delta = 1 - 0.6 = 0.4                 A = 0.4 (no bootstrap, no carry)
//    t=0  delta = 1 + 0.9*0.6 - 0.5 = 1.04                A = 1.04 + 0.45*0.4 = 1.22
//  env 1: r = 0 1 0 2, V = 1 each step, TRUNCATED at t = 1 with V(final obs) = 3.0, last value 1.0
//    t=3  delta = 2 + 0.9*1 - 1 = 1.9                     A = 1.9
//    t=2  delta = 0 + 0.9*1 - 1 = -0.1                    A = -0.1 + 0.45*1.9 = 0.755
//    t=1  cut: delta = 1 + 0.9*3.0 - 1 = 2.7              A = 2.7 (bootstrap from the final obs, no carry)
//    t=0  delta = 0 + 0.9*1 - 1 = -0.1                    A = -0.1 + 0.45*2.7 = 1.115
TEST_CASE("gae: hand-computed advantages and returns with a termination and a truncation") {
  const std::vector<float> rewards = {1, 0, 1, 1, 1, 0, 1, 2};
  const std::vector<float> values = {0.5f, 1, 0.6f, 1, 0.7f, 1, 0.8f, 1};
  const std::vector<std::uint8_t> term = {0, 0, 1, 0, 0, 0, 0, 0};
  const std::vector<std::uint8_t> trunc = {0, 0, 0, 1, 0, 0, 0, 0};
  const std::vector<float> final_values = {0, 0, 99, 3.0f, 0, 0, 0, 0};  // 99: a terminal's final value is never read
  const std::vector<float> last = {2.0f, 1.0f};
  std::vector<float> adv(8), ret(8);
  compute_gae({.steps = 4, .envs = 2, .rewards = rewards, .values = values, .terminated = term, .truncated = trunc,
               .final_values = final_values, .last_values = last, .gamma = 0.9, .lambda = 0.5},
              adv, ret);
  const std::vector<float> want_adv = {1.22f, 1.115f, 0.4f, 2.7f, 1.92f, 0.755f, 2.0f, 1.9f};
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(adv[i] == doctest::Approx(want_adv[i]).epsilon(1e-6));
    CHECK(ret[i] == doctest::Approx(want_adv[i] + values[i]).epsilon(1e-6));
  }
}

TEST_CASE("gae: terminated wins over truncated; lambda 1 gives discounted Monte-Carlo returns") {
  // One env, 3 steps, the last both terminated and truncated: no bootstrap from anything.
  const std::vector<float> rewards = {1, 2, 3}, values = {0, 0, 0}, final_values = {0, 0, 50};
  const std::vector<std::uint8_t> term = {0, 0, 1}, trunc = {0, 0, 1};
  const std::vector<float> last = {100};
  std::vector<float> adv(3), ret(3);
  compute_gae({.steps = 3, .envs = 1, .rewards = rewards, .values = values, .terminated = term, .truncated = trunc,
               .final_values = final_values, .last_values = last, .gamma = 0.5, .lambda = 1.0},
              adv, ret);
  CHECK(ret[2] == doctest::Approx(3.0));
  CHECK(ret[1] == doctest::Approx(2.0 + 0.5 * 3.0));
  CHECK(ret[0] == doctest::Approx(1.0 + 0.5 * 2.0 + 0.25 * 3.0));
}

TEST_CASE("gae: mismatched arrays are an error") {
  const std::vector<float> v(4);
  const std::vector<std::uint8_t> f(4);
  const std::vector<float> last(1);
  std::vector<float> adv(4), ret(3);
  CHECK_THROWS_WITH_AS(compute_gae({.steps = 2, .envs = 2, .rewards = v, .values = v, .terminated = f, .truncated = f,
                                    .final_values = v, .last_values = last},
                                   adv, ret),
                       "compute_gae: arrays do not match [steps, envs]", std::invalid_argument);
}
