// Writing a plugin: a shared library, built apart from pavlov, that registers
// environments when pavlov loads it (`[experiment] plugins = [...]`,
// `--plugin PATH` on any command, or PAVLOV_PLUGIN_PATH).
//
//   #include "engine/env/plugin.h"
//   #include "engine/env/registry.h"
//
//   PAVLOV_PLUGIN("grid_keys") {
//     pavlov::register_env<KeyDoor>({.id = "KeyDoor-v0", .max_episode_steps = 200, .summary = "..."});
//   }
//
// The body runs once, when the library is loaded; it registers exactly as an
// env inside pavlov does, and a loaded plugin env is one like any other
// (vectorized, seeded, recorded, resumable). PAVLOV_PLUGIN defines the
// library's one entry point, the extern "C" function pavlov_plugin_entry,
// which returns the env API version the plugin was compiled against: pavlov
// refuses a plugin built for another version of this API rather than crash.
// Link the plugin with pavlov::env_api (find_package(pavlov); no LibTorch).
#pragma once

// Bumped whenever Env, Space, EnvSpec or the registry change in a way that
// breaks a compiled plugin.
#define PAVLOV_ENV_API_VERSION 1

namespace pavlov {

struct PluginEntry {
  int api_version;         // PAVLOV_ENV_API_VERSION of the plugin's build
  const char* name;        // for messages and `pavlov list envs`
  void (*register_all)();  // the PAVLOV_PLUGIN body
};

}  // namespace pavlov

#define PAVLOV_PLUGIN(NAME)                                                                  \
  static void pavlov_plugin_register_all_();                                                 \
  extern "C" __attribute__((visibility("default"))) ::pavlov::PluginEntry pavlov_plugin_entry() { \
    return {PAVLOV_ENV_API_VERSION, NAME, &pavlov_plugin_register_all_};                     \
  }                                                                                          \
  static void pavlov_plugin_register_all_()
