#include "engine/render/canvas.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace pavlov {

void Canvas::begin(int width, int height, Color background) {
  if (width <= 0 || height <= 0)
    throw std::invalid_argument("Canvas::begin: the frame must be at least 1 x 1 pixels, got " +
                                std::to_string(width) + " x " + std::to_string(height));
  width_ = width;
  height_ = height;
  background_ = background;
  set_camera(0, 0, 1);
  commands_.clear();
  points_.clear();
  bytes_.clear();
}

void Canvas::set_camera(float left, float bottom, float scale) { set_view({left, bottom}, {0, static_cast<float>(height_)}, scale, 0); }

void Canvas::set_view(Point world, Point frame_px, float scale, float angle) {
  cx_ = world.x;
  cy_ = world.y;
  ox_ = frame_px.x;
  oy_ = frame_px.y;
  scale_ = scale;
  cos_ = std::cos(angle);
  sin_ = std::sin(angle);
}

void Canvas::follow_x(float x, float at) { cx_ = x - (at * width_ - ox_) / scale_; }

void Canvas::polygon_px(std::span<const Point> px, Color color) {
  if (px.size() < 3) return;
  commands_.push_back({.kind = Kind::kPolygon,
                       .color = color,
                       .first = static_cast<std::uint32_t>(points_.size()),
                       .count = static_cast<std::uint32_t>(px.size())});
  points_.insert(points_.end(), px.begin(), px.end());
}

void Canvas::polygon(std::span<const Point> points, Color color) {
  if (points.size() < 3) return;
  commands_.push_back({.kind = Kind::kPolygon,
                       .color = color,
                       .first = static_cast<std::uint32_t>(points_.size()),
                       .count = static_cast<std::uint32_t>(points.size())});
  for (Point p : points) points_.push_back(to_px(p));
}

void Canvas::polygon(std::span<const Point> local, Point position, float angle, Color color) {
  if (local.size() < 3) return;
  commands_.push_back({.kind = Kind::kPolygon,
                       .color = color,
                       .first = static_cast<std::uint32_t>(points_.size()),
                       .count = static_cast<std::uint32_t>(local.size())});
  const float c = std::cos(angle), s = std::sin(angle);
  for (Point p : local) points_.push_back(to_px({position.x + c * p.x - s * p.y, position.y + s * p.x + c * p.y}));
}

void Canvas::circle(Point centre, float radius, Color color) {
  const Point c = to_px(centre);
  commands_.push_back({.kind = Kind::kCircle, .color = color, .x = c.x, .y = c.y, .r = radius * scale_});
}

void Canvas::line_px(Point a, Point b, float width_px, Color color) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
  if (len == 0) return;
  const float nx = -dy / len * width_px / 2, ny = dx / len * width_px / 2;
  const Point quad[4] = {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}};
  polygon_px(quad, color);
  commands_.back().w = width_px;
}

void Canvas::line(Point a, Point b, float width_px, Color color) { line_px(to_px(a), to_px(b), width_px, color); }

void Canvas::polyline(std::span<const Point> points, float width_px, Color color) {
  for (std::size_t i = 1; i < points.size(); ++i) line(points[i - 1], points[i], width_px, color);
}

void Canvas::rect_px(float x, float y, float w, float h, Color color) {
  const Point quad[4] = {{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}};
  polygon_px(quad, color);
}

void Canvas::text_px(float x, float y, std::string_view text, Color color, float scale) {
  commands_.push_back({.kind = Kind::kText,
                       .color = color,
                       .first = static_cast<std::uint32_t>(bytes_.size()),
                       .count = static_cast<std::uint32_t>(text.size()),
                       .x = x,
                       .y = y,
                       .r = scale});
  bytes_.insert(bytes_.end(), text.begin(), text.end());
}

void Canvas::image_px(float x, float y, float w, float h, int cols, int rows, std::span<const std::uint8_t> rgb) {
  if (cols <= 0 || rows <= 0 || rgb.size() != static_cast<std::size_t>(cols) * rows * 3)
    throw std::invalid_argument("Canvas::image_px: expected " + std::to_string(cols) + " x " + std::to_string(rows) +
                                " x 3 bytes, got " + std::to_string(rgb.size()));
  commands_.push_back({.kind = Kind::kImage,
                       .first = static_cast<std::uint32_t>(bytes_.size()),
                       .x = x,
                       .y = y,
                       .w = w,
                       .h = h,
                       .cols = static_cast<std::uint32_t>(cols),
                       .rows = static_cast<std::uint32_t>(rows)});
  bytes_.insert(bytes_.end(), rgb.begin(), rgb.end());
}

}  // namespace pavlov
