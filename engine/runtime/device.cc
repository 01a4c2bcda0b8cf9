#include "engine/runtime/device.h"

#include <stdexcept>

namespace pavlov {
namespace {
std::function<std::string(const std::string&)>& resolver() {
  static std::function<std::string(const std::string&)> r;
  return r;
}
}  // namespace

void set_device_resolver(std::function<std::string(const std::string&)> r) { resolver() = std::move(r); }

std::string resolve_device(const std::string& requested) {
  if (resolver()) return resolver()(requested);
  if (requested == "cuda") throw std::runtime_error("device = \"cuda\" but this build of pavlov has no CUDA");
  return "cpu";
}

}  // namespace pavlov
