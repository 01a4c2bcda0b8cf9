#include "engine/env/plugin_loader.h"

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <list>
#include <mutex>
#include <sstream>

#include "engine/env/plugin.h"
#include "engine/env/registry.h"

namespace pavlov {
namespace {

namespace fs = std::filesystem;

std::mutex g_mutex;
std::list<LoadedPlugin> g_loaded;  // a list: references to its elements stay valid

void roll_back(const std::string& path) {
  for (const auto* s : EnvRegistry::global().all())
    if (s->source == path) EnvRegistry::global().remove(std::string(s->id));
}

}  // namespace

const LoadedPlugin& load_plugin(const std::string& given) {
  const std::lock_guard<std::mutex> lock(g_mutex);
  std::error_code ec;
  if (!fs::exists(given, ec)) throw PluginError("plugin '" + given + "': no such file");
  if (fs::is_directory(given, ec))
    throw PluginError("plugin '" + given + "': is a folder; name the plugin's .so file (or put the folder in PAVLOV_PLUGIN_PATH)");
  const std::string path = fs::canonical(given, ec).string();
  for (const auto& p : g_loaded)
    if (p.path == path) return p;

  const std::string where = "plugin '" + given + "'";
  void* handle = nullptr;
  {
    // Envs that register while the library initialises count as the plugin's too.
    const EnvRegistry::PluginScope scope(path);
    try {
      handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    } catch (const std::exception& e) {  // a static initialiser threw
      roll_back(path);
      throw PluginError(where + ": loading it threw: " + e.what());
    }
  }
  if (!handle) {
    const char* why = dlerror();
    throw PluginError(where + ": not a loadable shared library (" + std::string(why ? why : "dlopen failed") +
                      ")\n  hint: build it with add_library(NAME MODULE ...) linking pavlov::env_api (docs/custom_env.md)");
  }
  dlerror();
  using EntryFn = PluginEntry (*)();
  const auto entry = reinterpret_cast<EntryFn>(dlsym(handle, "pavlov_plugin_entry"));
  if (!entry) {
    roll_back(path);
    throw PluginError(where + ": has no entry point pavlov_plugin_entry\n  hint: define one with PAVLOV_PLUGIN(\"name\") { ... } "
                      "from engine/env/plugin.h");
  }
  const PluginEntry info = entry();
  if (info.api_version != PAVLOV_ENV_API_VERSION) {
    roll_back(path);
    throw PluginError(where + " was built for env API version " + std::to_string(info.api_version) +
                      ", but this pavlov has version " + std::to_string(PAVLOV_ENV_API_VERSION) +
                      "\n  hint: rebuild the plugin against this pavlov's headers");
  }
  const std::string name = info.name ? info.name : "";
  try {
    const EnvRegistry::PluginScope scope(path);
    if (info.register_all) info.register_all();
  } catch (const std::exception& e) {
    roll_back(path);
    throw PluginError(where + (name.empty() ? "" : " (" + name + ")") + ": its registration failed: " + e.what());
  } catch (...) {
    roll_back(path);
    throw PluginError(where + ": its registration threw something that is not a std::exception");
  }
  LoadedPlugin loaded{path, name, {}};
  for (const auto* s : EnvRegistry::global().all())
    if (s->source == path) loaded.env_ids.push_back(s->id);
  g_loaded.push_back(std::move(loaded));
  return g_loaded.back();
}

void load_plugins_from_environment() {
  const char* value = std::getenv("PAVLOV_PLUGIN_PATH");
  if (!value || !*value) return;
  std::stringstream list(value);
  for (std::string item; std::getline(list, item, ':');) {
    if (item.empty()) continue;
    std::error_code ec;
    if (!fs::is_directory(item, ec)) {
      try {
        load_plugin(item);
      } catch (const PluginError& e) {
        throw PluginError(std::string(e.what()) + " (named in PAVLOV_PLUGIN_PATH)");
      }
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(item, ec))
      if (f.path().extension() == ".so") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) load_plugin(f.string());
  }
}

}  // namespace pavlov
