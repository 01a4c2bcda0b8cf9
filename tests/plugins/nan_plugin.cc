// A plugin whose env writes NaN observations (nan_env.h).
#include "engine/env/plugin.h"
#include "engine/env/registry.h"
#include "tests/plugins/nan_env.h"

PAVLOV_PLUGIN("nan") { pavlov::register_env<pavlov::test::NanObs>({.id = "NanObs-v0", .max_episode_steps = 50}); }
