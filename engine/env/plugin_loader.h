// Loading plugins (plugin.h) into this process. load_plugin() opens the shared
// library, finds its entry point, checks its env API version and runs its
// registration; the env ids it adds carry the plugin's path as their source
// (`pavlov list envs` shows it). A registration that fails halfway is rolled
// back: none of the plugin's ids stay registered.
//
// A loaded plugin stays loaded for the life of the process (its code backs
// the factories it registered), and loading the same file again does nothing.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace pavlov {

// Why a plugin could not be loaded; the message names the file.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedPlugin {
  std::string path;  // absolute
  std::string name;  // PAVLOV_PLUGIN's name
  std::vector<std::string> env_ids;
};

// Loads one plugin file (relative paths against the working directory).
const LoadedPlugin& load_plugin(const std::string& path);

// The plugins named by the environment variable PAVLOV_PLUGIN_PATH: a
// colon-separated list of plugin files, or of folders whose *.so files are
// all loaded (in name order).
void load_plugins_from_environment();

}  // namespace pavlov
