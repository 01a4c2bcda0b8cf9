// Scenes of shapes for the zoo's segmentation and detection tasks: one to
// several shapes (circle, square, triangle, star) of random colour, size,
// rotation and position, overlapping one another, on a textured background
// of random stripes. Each scene comes with its per-pixel class mask and the
// bounding box of every shape's visible pixels, and is a pure function of its
// seed. Drawn by the same software rasterizer as every picture in pavlov
// (engine/render/raster.h): no anti-aliasing, so masks are exact.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nets/data/fashion_mnist.h"

namespace pavlov::data {

inline constexpr std::array<const char*, 5> kShapeClasses = {"background", "circle", "square", "triangle", "star"};
// The colour each class is drawn in by the pictures of segmentation and detection runs.
inline constexpr std::uint8_t kShapeClassColours[5][3] = {
    {40, 40, 40}, {230, 25, 75}, {60, 180, 75}, {0, 130, 200}, {245, 130, 48}};

struct ShapeBox {
  int cls = 0;                 // 1..4 (kShapeClasses)
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // the visible pixels' extent: [x0, x1) x [y0, y1)
  int pixels = 0;              // visible pixels
};

struct ShapeScene {
  int size = 0;
  std::vector<std::uint8_t> rgb;   // [size, size, 3]
  std::vector<std::uint8_t> mask;  // [size, size]: the class of each pixel, 0 for background
  std::vector<ShapeBox> boxes;     // the shapes that stay visible, in drawing order
};

struct ShapeSceneOptions {
  int size = 64;
  int min_shapes = 1, max_shapes = 4;
  float min_radius = 0.08f, max_radius = 0.22f;  // of the image's size
  int min_visible_pixels = 12;                   // shapes hidden below this get no box (their pixels stay)
};

ShapeScene make_shape_scene(std::uint64_t seed, const ShapeSceneOptions& options = {});

// The seed of scene `index` of a split ("train", "val" or "test"): the splits
// never share a scene, and `base` picks another dataset altogether.
std::uint64_t shape_scene_seed(const std::string& split, std::uint64_t index, std::uint64_t base = 0);

// `count` scenes of a split as a segmentation set: [3, size, size] pixels and masks.
LabeledImages make_shapes_dataset(const std::string& split, std::int64_t count, const ShapeSceneOptions& options = {},
                                  std::uint64_t base = 0);

}  // namespace pavlov::data
