#include "engine/runtime/task.h"

#include <map>
#include <stdexcept>

#include "engine/config/config_error.h"
#include "engine/config/experiment.h"

namespace pavlov {

std::string Task::generate(const std::filesystem::path&, const GenerateOptions&) {
  throw std::invalid_argument("this task does not generate text");
}

std::vector<SaliencyPanel> Task::explain(const std::filesystem::path&, const std::vector<std::int64_t>&) {
  throw std::invalid_argument("this task has no saliency maps (classify runs have)");
}

Task::Judgement Task::classify(const std::filesystem::path&, const std::vector<float>&, std::int64_t) {
  throw std::invalid_argument("this task does not classify images (classify runs do)");
}

namespace {

std::map<std::string, TaskFactory>& factories() {
  static std::map<std::string, TaskFactory> f;
  return f;
}

}  // namespace

bool register_task(const std::string& kind, TaskFactory factory) {
  if (!factories().emplace(kind, std::move(factory)).second)
    throw std::logic_error("task kind '" + kind + "' is registered twice");
  return true;
}

std::unique_ptr<Task> make_task(const Config& cfg) {
  const std::string kind = cfg.get_string("task.kind");
  const auto it = factories().find(kind);
  if (it == factories().end()) throw std::invalid_argument("no task of kind '" + kind + "' is built into this pavlov");
  try {
    return it->second(cfg);
  } catch (const std::invalid_argument& e) {
    // The task rejected this combination (its dataset, its network, a path it reads):
    // a configuration error, reported where the task is chosen.
    throw ConfigError({cfg.entry("task.kind").origin + ": error: task '" + kind + "' cannot run as configured: " +
                       e.what() + "\n  hint: docs/zoo.md describes each task and its keys"});
  }
}

}  // namespace pavlov
