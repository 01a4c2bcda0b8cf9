// A plugin whose registration registers one env, then throws: the env must not stay registered.
#include <stdexcept>

#include "engine/env/plugin.h"
#include "engine/env/registry.h"
#include "tests/plugins/nan_env.h"

PAVLOV_PLUGIN("throws") {
  pavlov::register_env<pavlov::test::NanObs>({.id = "HalfWay-v0", .max_episode_steps = 10});
  throw std::runtime_error("the plugin's data file is missing");
}
