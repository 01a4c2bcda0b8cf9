#include "engine/runtime/task.h"

#include <map>
#include <stdexcept>

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
  return it->second(cfg);
}

}  // namespace pavlov
