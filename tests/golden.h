// Golden-image comparison for the render tests: an image matches its PNG in
// tests/data/render/ when at most `max_bad_fraction` of the pixels differ by
// more than `tolerance` in some channel (rasterizing float geometry can move
// an edge pixel between compilers). PAVLOV_UPDATE_GOLDEN=1 rewrites the PNGs
// instead (then look at them before committing).
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/render/image_io.h"

namespace pavlov::test {

struct ImageDiff {
  double bad_fraction = 1.0;
  int max_delta = 255;
};

inline ImageDiff compare_images(const Image& a, const Image& b, int tolerance) {
  if (a.width != b.width || a.height != b.height) return {};
  ImageDiff d{0.0, 0};
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.rgb.size(); i += 3) {
    int m = 0;
    for (int c = 0; c < 3; ++c) m = std::max(m, std::abs(int(a.rgb[i + c]) - int(b.rgb[i + c])));
    d.max_delta = std::max(d.max_delta, m);
    bad += m > tolerance;
  }
  d.bad_fraction = static_cast<double>(bad) / (a.rgb.size() / 3);
  return d;
}

// Checks `image` against tests/data/render/<name>.png.
inline void check_golden(const Image& image, const std::string& name, double max_bad_fraction = 0.002, int tolerance = 8) {
  if (!png_supported()) {
    MESSAGE("built without SFML: cannot read " << name << ".png; the golden comparison is skipped");
    return;
  }
  const std::filesystem::path path = std::filesystem::path(PAVLOV_TEST_DATA) / "render" / (name + ".png");
  const char* update = std::getenv("PAVLOV_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    save_png(image, path);
    MESSAGE("wrote " << path.string());
    return;
  }
  const Image golden = load_png(path);
  INFO(name << ": " << image.width << "x" << image.height << " against " << golden.width << "x" << golden.height);
  const ImageDiff d = compare_images(image, golden, tolerance);
  INFO("pixels off by more than " << tolerance << ": " << d.bad_fraction * 100 << " %, largest difference " << d.max_delta);
  CHECK(d.bad_fraction <= max_bad_fraction);
}

}  // namespace pavlov::test
