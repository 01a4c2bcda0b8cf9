// File helpers of run folders: atomic writes and UTC timestamps.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace pavlov::io {

// Writes `content` to `path` atomically: to a temporary file in the same
// folder, flushed to disk, then renamed over `path`. A crash leaves either
// the old file or the new one, never a torn one.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Reads a whole file; throws std::runtime_error naming it on failure.
std::string read_file(const std::filesystem::path& path);

// The current UTC time as 20261126-175812 (folder names) or ISO 8601.
std::string utc_stamp();
// x for a JSON file: 10 significant digits, "null" for NaN and infinities.
std::string json_number(double x);
std::string utc_iso8601();

}  // namespace pavlov::io
