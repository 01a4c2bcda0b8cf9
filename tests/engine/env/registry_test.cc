#include "engine/env/registry.h"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "engine/env/env_error.h"
#include "env_error_message.h"

using pavlov::EnvError;
using pavlov::make_env;

using pavlov::test::env_error_message;

TEST_CASE("registry: the five classic ids with Gymnasium's time limits") {
  const auto& reg = pavlov::EnvRegistry::global();
  CHECK(reg.find("CartPole-v1").max_episode_steps == 500);
  CHECK(reg.find("MountainCar-v0").max_episode_steps == 200);
  CHECK(reg.find("MountainCarContinuous-v0").max_episode_steps == 999);
  CHECK(reg.find("Acrobot-v1").max_episode_steps == 500);
  CHECK(reg.find("Pendulum-v1").max_episode_steps == 200);
  auto env = make_env("Pendulum-v1");
  CHECK(env->id() == "Pendulum-v1");
  CHECK(env->observation_space().to_string() == "Box([-1.0 -1.0 -8.0], [1.0 1.0 8.0], (3,), float32)");
  CHECK(env->action_space().to_string() == "Box(-2.0, 2.0, (1,), float32)");
}

TEST_CASE("registry: an unknown id names the closest ids") {
  const std::string m = env_error_message([] { make_env("CartPole-v0"); });
  CHECK(m.find("unknown environment id 'CartPole-v0'") != std::string::npos);
  CHECK(m.find("Did you mean 'CartPole-v1'") != std::string::npos);
  CHECK(env_error_message([] { make_env("Pendulm-v1"); }).find("'Pendulum-v1'") != std::string::npos);
  CHECK(env_error_message([] { make_env("Zzzzzzzz-v9"); }).find("Did you mean") == std::string::npos);
}

TEST_CASE("registry: typed options are checked and applied") {
  SUBCASE("unknown option, with a suggestion") {
    const std::string m = env_error_message([] { make_env("Pendulum-v1", {{"gravity", 9.8}}); });
    CHECK(m.find("Pendulum-v1: unknown option 'gravity'") != std::string::npos);
    CHECK(m.find("Its options are: g.") != std::string::npos);
    CHECK(env_error_message([] { make_env("CartPole-v1", {{"sutton_barto_rewrd", true}}); })
              .find("Did you mean 'sutton_barto_reward'") != std::string::npos);
    CHECK(env_error_message([] { make_env("Acrobot-v1", {{"x", true}}); }).find("It has no options.") != std::string::npos);
  }
  SUBCASE("wrong type") {
    const std::string m = env_error_message([] { make_env("CartPole-v1", {{"sutton_barto_reward", std::int64_t{1}}}); });
    CHECK(m.find("option 'sutton_barto_reward' must be a bool, got the int 1") != std::string::npos);
    CHECK(env_error_message([] { make_env("Pendulum-v1", {{"g", std::string("high")}}); }).find("must be a float") !=
          std::string::npos);
  }
  SUBCASE("out of range") {
    CHECK(env_error_message([] { make_env("Pendulum-v1", {{"g", -1.0}}); }).find("outside its range") != std::string::npos);
  }
  SUBCASE("values reach the dynamics") {
    // Pendulum at rest, horizontal: a larger g gives a larger angular acceleration.
    auto speed_after_one_step = [](pavlov::OptionMap options) {
      auto env = make_env("Pendulum-v1", options);
      std::vector<float> obs(3);
      env->reset(obs, 0);
      const double state[2] = {M_PI / 2, 0.0};
      env->set_state(state, std::span<float>(obs));
      const float zero = 0.0f;
      env->step(std::span<const float>(&zero, 1), obs);
      return obs[2];
    };
    // newthdot = 3 g / (2 l) sin(th) dt = 0.075 g
    CHECK(speed_after_one_step({}) == doctest::Approx(0.75));
    CHECK(speed_after_one_step({{"g", std::int64_t{20}}}) == doctest::Approx(1.5));
    auto sb = make_env("CartPole-v1", {{"sutton_barto_reward", true}});
    std::vector<float> obs(4);
    sb->reset(obs, 1);
    CHECK(sb->step(std::int64_t{0}, obs).reward == 0.0);
  }
}

TEST_CASE("registry: a second registration of an id is refused") {
  pavlov::EnvSpec spec{.id = "CartPole-v1", .max_episode_steps = 1, .summary = "", .options = {},
                       .factory = [](const pavlov::OptionMap&) -> std::unique_ptr<pavlov::Env> { return nullptr; }};
  CHECK_THROWS_AS(pavlov::EnvRegistry::global().add(spec), std::logic_error);
  spec.id = "no version";
  CHECK_THROWS_AS(pavlov::EnvRegistry::global().add(spec), std::logic_error);
}
