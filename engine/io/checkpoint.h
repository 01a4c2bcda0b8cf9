// Checkpoint files: named binary sections in one file, written atomically,
// with a CRC-32C over the content so that a damaged file is refused rather
// than half-loaded.
//
// A run keeps its checkpoints in <run>/checkpoints/step-<N>.ckpt; the file
// `latest` there names the newest complete one (it is replaced only after
// that checkpoint is on disk).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace pavlov::io {

using CheckpointSections = std::map<std::string, std::string>;

void write_checkpoint(const std::filesystem::path& path, const CheckpointSections& sections);
// Throws std::runtime_error naming the file if it is missing, truncated or corrupt.
CheckpointSections read_checkpoint(const std::filesystem::path& path);

// Writes checkpoints/step-<step>.ckpt, points `latest` at it, and keeps the newest `keep` files.
std::filesystem::path save_run_checkpoint(const std::filesystem::path& run_dir, std::int64_t step,
                                          const CheckpointSections& sections, int keep = 3);
// The checkpoint `latest` names, if any.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& run_dir);

}  // namespace pavlov::io
