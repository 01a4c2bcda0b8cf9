#include "engine/render/raster.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pavlov {
namespace {

constexpr std::uint8_t kFont[95][Canvas::kGlyphHeight] = {
#include "engine/render/font_data.inc"
};

// The first pixel whose centre is at or right of x (pixel i's centre is i + 0.5).
int first_covered(float x) { return static_cast<int>(std::ceil(x - 0.5f)); }

}  // namespace

void rgb_to_rgba(const Image& image, std::vector<std::uint8_t>& rgba) {
  rgba.resize(static_cast<std::size_t>(image.width) * image.height * 4);
  for (std::size_t i = 0, j = 0; i < image.rgb.size(); i += 3, j += 4) {
    rgba[j] = image.rgb[i];
    rgba[j + 1] = image.rgb[i + 1];
    rgba[j + 2] = image.rgb[i + 2];
    rgba[j + 3] = 255;
  }
}

Image rgba_to_image(const std::uint8_t* rgba, int width, int height) {
  Image image(width, height);
  for (std::size_t i = 0, j = 0; i < image.rgb.size(); i += 3, j += 4) {
    image.rgb[i] = rgba[j];
    image.rgb[i + 1] = rgba[j + 1];
    image.rgb[i + 2] = rgba[j + 2];
  }
  return image;
}

Image Raster::render(const Canvas& canvas, int width, int height) {
  Image image(width > 0 ? width : canvas.width(), height > 0 ? height : canvas.height());
  draw(canvas, image);
  return image;
}

void Raster::draw(const Canvas& canvas, Image& out) {
  out.rgb.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  draw(canvas, out.width, out.height, out.rgb);
}

void Raster::draw(const Canvas& canvas, int width, int height, std::span<std::uint8_t> rgb) {
  if (canvas.width() <= 0) throw std::invalid_argument("Raster::draw: the canvas has no frame (Canvas::begin was not called)");
  if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3)
    throw std::invalid_argument("Raster::draw: a " + std::to_string(width) + " x " + std::to_string(height) +
                                " RGB buffer needs " + std::to_string(std::size_t(width) * height * 3) + " bytes, got " +
                                std::to_string(rgb.size()));
  out_ = rgb.data();
  width_ = width;
  height_ = height;
  sx_ = static_cast<float>(width) / canvas.width();
  sy_ = static_cast<float>(height) / canvas.height();
  const Color bg = canvas.background();
  for (std::size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = bg.r;
    rgb[i + 1] = bg.g;
    rgb[i + 2] = bg.b;
  }
  const auto points = canvas.points();
  const auto bytes = canvas.bytes();
  for (const Canvas::Command& cmd : canvas.commands()) {
    switch (cmd.kind) {
      case Canvas::Kind::kPolygon: {
        scaled_.clear();
        for (Point p : points.subspan(cmd.first, cmd.count)) scaled_.push_back({p.x * sx_, p.y * sy_});
        if (cmd.w > 0 && cmd.count == 4) {
          // A line: keep it at least one output pixel wide.
          const Point a{(scaled_[0].x + scaled_[3].x) / 2, (scaled_[0].y + scaled_[3].y) / 2};
          const Point b{(scaled_[1].x + scaled_[2].x) / 2, (scaled_[1].y + scaled_[2].y) / 2};
          const float dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
          const float half = std::hypot(scaled_[0].x - a.x, scaled_[0].y - a.y);
          if (len > 0 && half < 0.5f) {
            const float nx = -dy / len * 0.5f, ny = dx / len * 0.5f;
            scaled_ = {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}};
          }
        }
        fill_polygon(scaled_, cmd.color);
        break;
      }
      case Canvas::Kind::kCircle:
        fill_circle(cmd.x * sx_, cmd.y * sy_, cmd.r * sx_, cmd.r * sy_, cmd.color);
        break;
      case Canvas::Kind::kText:
        draw_text(cmd, bytes);
        break;
      case Canvas::Kind::kImage:
        draw_image(cmd, bytes);
        break;
    }
  }
}

void Raster::span(int y, int x0, int x1, Color color) {
  if (y < 0 || y >= height_) return;
  x0 = std::max(x0, 0);
  x1 = std::min(x1, width_);
  std::uint8_t* p = out_ + (static_cast<std::size_t>(y) * width_ + x0) * 3;
  if (color.a == 255) {
    for (int x = x0; x < x1; ++x, p += 3) {
      p[0] = color.r;
      p[1] = color.g;
      p[2] = color.b;
    }
  } else {
    const int a = color.a, na = 255 - a;
    for (int x = x0; x < x1; ++x, p += 3) {
      p[0] = static_cast<std::uint8_t>((color.r * a + p[0] * na + 127) / 255);
      p[1] = static_cast<std::uint8_t>((color.g * a + p[1] * na + 127) / 255);
      p[2] = static_cast<std::uint8_t>((color.b * a + p[2] * na + 127) / 255);
    }
  }
}

void Raster::fill_polygon(std::span<const Point> pts, Color color) {
  float xmin = pts[0].x, xmax = pts[0].x, ymin = pts[0].y, ymax = pts[0].y;
  for (Point p : pts) {
    xmin = std::min(xmin, p.x);
    xmax = std::max(xmax, p.x);
    ymin = std::min(ymin, p.y);
    ymax = std::max(ymax, p.y);
  }
  if (xmax < 0 || xmin > width_) return;  // off to the side (a scrolling camera's terrain)
  const int y0 = std::max(first_covered(ymin), 0), y1 = std::min(first_covered(ymax), height_);
  for (int y = y0; y < y1; ++y) {
    const float yc = y + 0.5f;
    crossings_.clear();
    for (std::size_t i = 0, j = pts.size() - 1; i < pts.size(); j = i++) {
      const Point a = pts[j], b = pts[i];
      // Half-open in y, so a vertex shared by two edges is counted once.
      if ((a.y <= yc && yc < b.y) || (b.y <= yc && yc < a.y)) crossings_.push_back(a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y));
    }
    std::sort(crossings_.begin(), crossings_.end());
    for (std::size_t k = 0; k + 1 < crossings_.size(); k += 2)
      span(y, first_covered(crossings_[k]), first_covered(crossings_[k + 1]), color);
  }
}

void Raster::fill_circle(float cx, float cy, float rx, float ry, Color color) {
  if (rx <= 0 || ry <= 0) return;
  const int y0 = std::max(first_covered(cy - ry), 0), y1 = std::min(first_covered(cy + ry), height_);
  for (int y = y0; y < y1; ++y) {
    const float dy = (y + 0.5f - cy) / ry;
    const float half = rx * std::sqrt(std::max(0.f, 1 - dy * dy));
    span(y, first_covered(cx - half), first_covered(cx + half), color);
  }
}

void Raster::fill_rect(float x0, float y0, float x1, float y1, Color color) {
  const int ya = std::max(first_covered(y0), 0), yb = std::min(first_covered(y1), height_);
  const int xa = first_covered(x0), xb = first_covered(x1);
  for (int y = ya; y < yb; ++y) span(y, xa, xb, color);
}

void Raster::draw_text(const Canvas::Command& cmd, std::span<const std::uint8_t> bytes) {
  const float gw = cmd.r * sx_, gh = cmd.r * sy_;  // output pixels per glyph pixel
  float x = cmd.x * sx_;
  const float y = cmd.y * sy_;
  for (std::uint8_t ch : bytes.subspan(cmd.first, cmd.count)) {
    const int index = (ch >= 32 && ch < 127) ? ch - 32 : '?' - 32;
    for (int row = 0; row < Canvas::kGlyphHeight; ++row) {
      const std::uint8_t bits = kFont[index][row];
      if (bits == 0) continue;
      for (int col = 0; col < Canvas::kGlyphWidth; ++col)
        if (bits & (1u << col))
          fill_rect(x + col * gw, y + row * gh, x + (col + 1) * gw, y + (row + 1) * gh, cmd.color);
    }
    x += Canvas::kGlyphWidth * gw;
  }
}

void Raster::draw_image(const Canvas::Command& cmd, std::span<const std::uint8_t> bytes) {
  const std::uint8_t* src = bytes.data() + cmd.first;
  const float x0 = cmd.x * sx_, y0 = cmd.y * sy_, w = cmd.w * sx_, h = cmd.h * sy_;
  const int xa = std::max(first_covered(x0), 0), xb = std::min(first_covered(x0 + w), width_);
  const int ya = std::max(first_covered(y0), 0), yb = std::min(first_covered(y0 + h), height_);
  for (int y = ya; y < yb; ++y) {
    const int row = std::min(static_cast<int>((y + 0.5f - y0) / h * cmd.rows), static_cast<int>(cmd.rows) - 1);
    std::uint8_t* p = out_ + (static_cast<std::size_t>(y) * width_ + xa) * 3;
    for (int x = xa; x < xb; ++x, p += 3) {
      const int col = std::min(static_cast<int>((x + 0.5f - x0) / w * cmd.cols), static_cast<int>(cmd.cols) - 1);
      const std::uint8_t* s = src + (static_cast<std::size_t>(row) * cmd.cols + col) * 3;
      p[0] = s[0];
      p[1] = s[1];
      p[2] = s[2];
    }
  }
}

}  // namespace pavlov
