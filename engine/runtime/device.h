// Setting up the network math of a run: resolving `experiment.device`
// ("auto", "cpu", "cuda") to the device used, and the number of CPU threads
// of the math library (`experiment.threads`, 0: one per core). The network
// library installs the resolver (it knows whether LibTorch has CUDA);
// without one, everything runs on the CPU.
#pragma once

#include <functional>
#include <string>

namespace pavlov {

// "cpu" or "cuda". Throws std::runtime_error for "cuda" on a machine without one.
std::string setup_compute(const std::string& requested_device, int threads);
void set_compute_setup(std::function<std::string(const std::string&, int)> setup);

}  // namespace pavlov
