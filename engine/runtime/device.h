// Resolving `experiment.device` ("auto", "cpu", "cuda") to the device a run
// uses. The network library installs the resolver (it knows whether LibTorch
// has CUDA); without one, everything runs on the CPU.
#pragma once

#include <functional>
#include <string>

namespace pavlov {

// "cpu" or "cuda". Throws std::runtime_error for "cuda" on a machine without one.
std::string resolve_device(const std::string& requested);
void set_device_resolver(std::function<std::string(const std::string&)> resolver);

}  // namespace pavlov
