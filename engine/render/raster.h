// pavlov::Raster: the software rasterizer that turns a Canvas into RGB8
// pixels, with no display and no SFML: pixel observations, recordings, plots
// and the window's picture all come from it.
//
//   Canvas canvas;  env.render(canvas);
//   Raster raster;  Image frame = raster.render(canvas);          // at the frame's own size
//   raster.draw(canvas, 96, 96, obs_bytes);                       // or scaled into a buffer
//
// Rules (deterministic, no anti-aliasing, the same on every machine): the
// frame is stretched over the output; a pixel is covered when its centre lies
// inside a shape (even-odd rule for polygons, left and top edges inclusive);
// colours with alpha < 255 blend over what was drawn before; commands are
// drawn in the order they were recorded. A Raster reuses its scratch space:
// drawing into a caller's buffer allocates nothing once it has warmed up.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/render/canvas.h"

namespace pavlov {

// An RGB8 picture, row-major, 3 bytes per pixel.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;

  Image() = default;
  Image(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3) {}
  const std::uint8_t* pixel(int x, int y) const { return rgb.data() + (static_cast<std::size_t>(y) * width + x) * 3; }
};

// RGB8 to RGBA8 with alpha 255 (resizing `rgba`), and back (alpha dropped):
// what SFML's images and textures take and give.
void rgb_to_rgba(const Image& image, std::vector<std::uint8_t>& rgba);
Image rgba_to_image(const std::uint8_t* rgba, int width, int height);

class Raster {
 public:
  // Draws `canvas` stretched over a width x height buffer of width*height*3 bytes.
  void draw(const Canvas& canvas, int width, int height, std::span<std::uint8_t> rgb);
  // Draws into `out` at its size (out.width x out.height, resized buffer).
  void draw(const Canvas& canvas, Image& out);
  // A new image of the given size (the canvas's own size by default).
  Image render(const Canvas& canvas, int width = 0, int height = 0);

 private:
  void fill_polygon(std::span<const Point> points, Color color);
  void fill_circle(float cx, float cy, float rx, float ry, Color color);
  void fill_rect(float x0, float y0, float x1, float y1, Color color);
  void draw_text(const Canvas::Command& cmd, std::span<const std::uint8_t> bytes);
  void draw_image(const Canvas::Command& cmd, std::span<const std::uint8_t> bytes);
  void span(int y, int x0, int x1, Color color);

  // The output being drawn and the frame-to-output scale.
  std::uint8_t* out_ = nullptr;
  int width_ = 0, height_ = 0;
  float sx_ = 1, sy_ = 1;
  std::vector<Point> scaled_;  // a polygon's points in output pixels
  std::vector<float> crossings_;  // one scanline's edge crossings
};

}  // namespace pavlov
