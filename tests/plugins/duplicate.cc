// A plugin that registers an id pavlov already has.
#include "engine/env/plugin.h"
#include "engine/env/registry.h"
#include "tests/plugins/nan_env.h"

PAVLOV_PLUGIN("duplicate") { pavlov::register_env<pavlov::test::NanObs>({.id = "CartPole-v1", .max_episode_steps = 10}); }
