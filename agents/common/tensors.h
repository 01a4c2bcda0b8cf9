// Small helpers every LibTorch agent needs: plain arrays in and out of
// tensors, and LibTorch archives (weights, optimizer state) inside the
// agent's section of a checkpoint.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <torch/types.h>
#include <vector>

#include "engine/env/array_view.h"
#include "nets/archive.h"

namespace pavlov::agents {

// A tensor on `device` holding `data`: on the CPU a view of it (no copy); on
// an accelerator a copy that goes through pinned (page-locked) host memory
// and is queued with non_blocking, so the host moves on while it travels.
// The pinned block comes from LibTorch's caching host allocator, which
// recycles it only once the copy that read it has finished: no allocation
// from the system once warm, and no race with the next batch.
inline torch::Tensor tensor_from(const void* data, std::vector<std::int64_t> shape, torch::ScalarType type,
                                 const torch::Device& device) {
  const torch::Tensor host = torch::from_blob(const_cast<void*>(data), shape, type);
  if (device.is_cpu()) return host;
  torch::Tensor pinned = torch::empty(shape, torch::TensorOptions().dtype(type).pinned_memory(true));
  std::memcpy(pinned.data_ptr(), data, static_cast<std::size_t>(host.nbytes()));
  return pinned.to(device, /*non_blocking=*/true);
}

// Observations [n, numel] as float32 on `device` (uint8 frames are converted, not scaled).
inline torch::Tensor obs_tensor(ConstArrayView obs, std::int64_t n, std::int64_t numel, const torch::Device& device) {
  const auto type = obs.dtype == DType::kUInt8 ? torch::kUInt8 : torch::kFloat32;
  torch::Tensor t = tensor_from(obs.data, {n, numel}, type, device);
  return type == torch::kFloat32 ? t : t.to(torch::kFloat32);
}

// LibTorch archives inside a checkpoint's sections: nets/archive.h.
using nets::archive_bytes;
using nets::read_archive_bytes;

}  // namespace pavlov::agents
