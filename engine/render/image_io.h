// PNG files for pavlov::Image, through SFML's image support (so they need a
// build with PAVLOV_WITH_SFML; without it they throw and say so).
#pragma once

#include <filesystem>

#include "engine/render/raster.h"

namespace pavlov {

// Writes `image` as a PNG; throws std::runtime_error naming the path on failure.
void save_png(const Image& image, const std::filesystem::path& path);
// Reads a PNG (or any format SFML reads) as RGB8, dropping alpha.
Image load_png(const std::filesystem::path& path);
// True when this build can read and write PNGs.
bool png_supported();

}  // namespace pavlov
