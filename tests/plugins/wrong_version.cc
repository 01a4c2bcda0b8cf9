// A plugin built against another (future) env API version.
#include "engine/env/plugin.h"

extern "C" __attribute__((visibility("default"))) pavlov::PluginEntry pavlov_plugin_entry() {
  return {999, "from_the_future", nullptr};
}
