#include "nets/data/shapes.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/env/rng.h"
#include "engine/render/canvas.h"
#include "engine/render/raster.h"

namespace pavlov::data {
namespace {

constexpr float kPi = 3.14159265f;

// The outline of a shape of class `cls` centred at (cx, cy), radius r, turned by `angle`.
std::vector<Point> outline(int cls, float cx, float cy, float r, float angle) {
  std::vector<Point> p;
  const int n = cls == 1 ? 32 : cls == 2 ? 4 : cls == 3 ? 3 : 10;
  for (int i = 0; i < n; ++i) {
    const float a = angle + 2 * kPi * static_cast<float>(i) / static_cast<float>(n);
    const float radius = cls == 4 && i % 2 == 1 ? 0.45f * r : r;  // the star's inner corners
    p.push_back({cx + radius * std::cos(a), cy + radius * std::sin(a)});
  }
  return p;
}

Color random_colour(Rng& rng) {
  return {static_cast<std::uint8_t>(rng.below(256)), static_cast<std::uint8_t>(rng.below(256)),
          static_cast<std::uint8_t>(rng.below(256)), 255};
}

}  // namespace

std::uint64_t shape_scene_seed(const std::string& split, std::uint64_t index, std::uint64_t base) {
  std::uint64_t s = 0;
  if (split == "train") s = 0x7A11;
  else if (split == "val") s = 0x0A11;
  else if (split == "test") s = 0x7E57;
  else throw std::invalid_argument("shape scenes have the splits train, val and test, not '" + split + "'");
  return derive_seed(derive_seed(base, s), index);
}

ShapeScene make_shape_scene(std::uint64_t seed, const ShapeSceneOptions& o) {
  if (o.size < 8 || o.min_shapes < 1 || o.max_shapes < o.min_shapes || o.max_shapes > 250)
    throw std::invalid_argument("shape scenes need size >= 8 and 1 <= min_shapes <= max_shapes <= 250");
  Rng rng(seed);
  const float size = static_cast<float>(o.size);
  Canvas picture, labels;
  picture.begin(o.size, o.size, random_colour(rng));
  labels.begin(o.size, o.size, {0, 0, 0});
  // The texture: translucent stripes of random colour, width and direction.
  const bool vertical = rng.below(2) == 1;
  for (float at = 0; at < size;) {
    const float w = 2.0f + static_cast<float>(rng.below(static_cast<std::uint64_t>(o.size / 8 + 1)));
    Color c = random_colour(rng);
    c.a = 70;
    if (vertical) picture.rect_px(at, 0, w, size, c);
    else picture.rect_px(0, at, size, w, c);
    at += w + static_cast<float>(rng.below(4));
  }
  // The shapes, later ones over earlier ones. The label canvas draws each in
  // the colour (class, instance, 0), so that one render gives both.
  const int count = o.min_shapes + static_cast<int>(rng.below(static_cast<std::uint64_t>(o.max_shapes - o.min_shapes + 1)));
  std::vector<int> classes;
  for (int k = 0; k < count; ++k) {
    const int cls = 1 + static_cast<int>(rng.below(4));
    const float r = size * static_cast<float>(rng.uniform(o.min_radius, o.max_radius));
    const float cx = static_cast<float>(rng.uniform(r * 0.5, size - r * 0.5));
    const float cy = static_cast<float>(rng.uniform(r * 0.5, size - r * 0.5));
    const auto points = outline(cls, cx, cy, r, static_cast<float>(rng.uniform(0.0, 2.0 * kPi)));
    picture.polygon_px(points, random_colour(rng));
    labels.polygon_px(points, {static_cast<std::uint8_t>(cls), static_cast<std::uint8_t>(k + 1), 0, 255});
    classes.push_back(cls);
  }
  Raster raster;
  ShapeScene scene;
  scene.size = o.size;
  const Image rgb = raster.render(picture, o.size, o.size);
  const Image ids = raster.render(labels, o.size, o.size);
  scene.rgb = rgb.rgb;
  scene.mask.resize(static_cast<std::size_t>(o.size) * o.size);
  std::vector<ShapeBox> boxes(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) boxes[static_cast<std::size_t>(k)] = {classes[static_cast<std::size_t>(k)], o.size, o.size, 0, 0, 0};
  for (int y = 0; y < o.size; ++y)
    for (int x = 0; x < o.size; ++x) {
      const std::uint8_t* px = ids.pixel(x, y);
      scene.mask[static_cast<std::size_t>(y) * o.size + x] = px[0];
      if (px[1] == 0) continue;
      ShapeBox& b = boxes[px[1] - 1u];
      b.x0 = std::min(b.x0, x), b.y0 = std::min(b.y0, y);
      b.x1 = std::max(b.x1, x + 1), b.y1 = std::max(b.y1, y + 1);
      ++b.pixels;
    }
  for (const ShapeBox& b : boxes)
    if (b.pixels >= o.min_visible_pixels) scene.boxes.push_back(b);
  return scene;
}

LabeledImages make_shapes_dataset(const std::string& split, std::int64_t count, const ShapeSceneOptions& o,
                                  std::uint64_t base) {
  LabeledImages set;
  set.count = count, set.channels = 3, set.height = o.size, set.width = o.size;
  const std::size_t plane = static_cast<std::size_t>(o.size) * o.size;
  set.pixels.resize(static_cast<std::size_t>(count) * 3 * plane);
  set.masks.resize(static_cast<std::size_t>(count) * plane);
  for (std::int64_t i = 0; i < count; ++i) {
    const ShapeScene scene = make_shape_scene(shape_scene_seed(split, static_cast<std::uint64_t>(i), base), o);
    std::uint8_t* px = &set.pixels[static_cast<std::size_t>(i) * 3 * plane];
    for (std::size_t k = 0; k < plane; ++k)
      for (std::size_t c = 0; c < 3; ++c) px[c * plane + k] = scene.rgb[k * 3 + c];  // HWC -> CHW
    std::copy(scene.mask.begin(), scene.mask.end(), set.masks.begin() + static_cast<std::ptrdiff_t>(i * plane));
  }
  return set;
}

}  // namespace pavlov::data
