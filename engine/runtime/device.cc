#include "engine/runtime/device.h"

#include <stdexcept>

namespace pavlov {
namespace {
std::function<std::string(const std::string&, int)>& resolver() {
  static std::function<std::string(const std::string&, int)> r;
  return r;
}
}  // namespace

void set_compute_setup(std::function<std::string(const std::string&, int)> r) { resolver() = std::move(r); }

std::string setup_compute(const std::string& requested, int threads) {
  if (resolver()) return resolver()(requested, threads);
  if (requested == "cuda") throw std::runtime_error("device = \"cuda\" but this build of pavlov has no CUDA");
  return "cpu";
}

}  // namespace pavlov
