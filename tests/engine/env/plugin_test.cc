// Loading environment plugins (engine/env/plugin_loader.h): the example's
// KeyDoor plugin, and every way a plugin can be bad. The plugins are built
// by tests/CMakeLists.txt from tests/plugins/ and examples/custom_env/.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/config/config_error.h"
#include "engine/config/experiment.h"
#include "engine/env/plugin_loader.h"
#include "engine/env/registry.h"

using pavlov::EnvRegistry;
using pavlov::load_plugin;
using pavlov::PluginError;

namespace {

std::string error_of(const std::string& path) {
  try {
    load_plugin(path);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("plugins: a plugin's env joins the registry and works like a built-in one") {
  const auto& loaded = load_plugin(PAVLOV_PLUGIN_KEY_DOOR);
  CHECK(loaded.name == "key_door");
  REQUIRE(loaded.env_ids == std::vector<std::string>{"KeyDoor-v0"});
  CHECK(EnvRegistry::global().find("KeyDoor-v0").source == std::filesystem::canonical(PAVLOV_PLUGIN_KEY_DOOR).string());
  CHECK(&load_plugin(PAVLOV_PLUGIN_KEY_DOOR) == &loaded);  // a second load is a no-op
  auto env = pavlov::make_env("KeyDoor-v0");
  CHECK(env->max_episode_steps() == 100);
  std::vector<float> obs(9);
  env->reset(obs, 3);
  // Walking into the border 100 times: the time limit truncates the episode.
  pavlov::StepResult r;
  for (int i = 0; i < 100; ++i) r = env->step(std::int64_t{2}, obs);
  CHECK(r.truncated);
}

TEST_CASE("plugins: bad files give errors that name the file and the reason") {
  CHECK(error_of("no/such/plugin.so") == "plugin 'no/such/plugin.so': no such file");
  const std::string text = std::string(PAVLOV_TEST_DATA) + "/plugins/not_a_library.so";
  CHECK(error_of(text).find("not a loadable shared library") != std::string::npos);
  CHECK(error_of(PAVLOV_PLUGIN_NO_ENTRY).find("has no entry point pavlov_plugin_entry") != std::string::npos);
  CHECK(error_of(PAVLOV_PLUGIN_WRONG_VERSION).find("was built for env API version 999, but this pavlov has version 1") !=
        std::string::npos);
}

TEST_CASE("plugins: a registration that fails leaves nothing registered") {
  const std::string dup = error_of(PAVLOV_PLUGIN_DUPLICATE);
  CHECK(dup.find("its registration failed: env id 'CartPole-v1' is already registered (by pavlov itself)") !=
        std::string::npos);
  CHECK(EnvRegistry::global().find("CartPole-v1").source.empty());  // the built-in one stays

  const std::string threw = error_of(PAVLOV_PLUGIN_THROWS);
  CHECK(threw.find("(throws): its registration failed: the plugin's data file is missing") != std::string::npos);
  CHECK_FALSE(EnvRegistry::global().contains("HalfWay-v0"));  // rolled back
}

TEST_CASE("plugins: [experiment] plugins are relative to the file, and a missing one is a config error") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "pavlov_plugin_config_test";
  fs::create_directories(dir / "lib");
  fs::copy_file(PAVLOV_PLUGIN_KEY_DOOR, dir / "lib" / "libkey_door.so", fs::copy_options::overwrite_existing);
  const std::string body = "[env]\nid = \"KeyDoor-v0\"\n[agent]\nalgo = \"ppo\"\n[train]\ntotal_steps = 1000\n";
  {
    std::ofstream(dir / "ok.toml") << "[experiment]\nname = \"k\"\nplugins = [\"lib/libkey_door.so\"]\n" << body;
    const pavlov::Config cfg = pavlov::load_experiment((dir / "ok.toml").string(), {});
    CHECK(cfg.get_string_list("experiment.plugins") ==
          std::vector<std::string>{(dir / "lib" / "libkey_door.so").lexically_normal().string()});
  }
  std::ofstream(dir / "bad.toml") << "[experiment]\nname = \"k\"\nplugins = [\"lib/missing.so\"]\n" << body;
  try {
    pavlov::load_experiment((dir / "bad.toml").string(), {});
    FAIL("no error");
  } catch (const pavlov::ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("bad.toml:3:11: error: cannot load the plugin in 'experiment.plugins': plugin '") != std::string::npos);
    CHECK(what.find("lib/missing.so': no such file") != std::string::npos);
  }
  fs::remove_all(dir);
}
