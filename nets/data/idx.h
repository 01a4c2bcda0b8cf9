// Reading IDX files (the MNIST family's format: a magic number naming the
// element type and the number of dimensions, the dimensions as big-endian
// 32-bit integers, then the elements), plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pavlov::data {

struct IdxArray {
  std::vector<std::int64_t> shape;  // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> data;   // unsigned byte elements, row-major
};

// Throws std::runtime_error naming the file: missing, not IDX, not unsigned
// bytes, or shorter than its dimensions say.
IdxArray read_idx(const std::string& path);

}  // namespace pavlov::data
