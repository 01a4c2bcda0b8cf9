// pavlov::Canvas: what an environment draws itself on, knowing nothing of
// SFML or of the output size.
//
//   void CartPole::render(Canvas& c) const {
//     c.begin(600, 400, colors::kWhite);        // a frame of 600 x 400 logical pixels
//     c.set_camera(-2.4f, -1.0f, 125.0f);       // world point (-2.4, -1) at the bottom left, 125 px per unit
//     c.polygon({{-.25f, 0}, {.25f, 0}, {.25f, .3f}, {-.25f, .3f}}, colors::kBlack);
//     c.text_px(8, 8, "step 12", colors::kBlack);
//   }
//
// A canvas is a display list: the calls record commands (in frame pixels, x
// right and y down) and a backend replays them. There is one backend, the
// software rasterizer (raster.h); the window (viewer.h), the recordings and
// the pixel observations of pixel envs all show its output, so what the agent
// sees, what a person watches and what a video holds are the same picture.
// Recording allocates only until the lists reach their working size: a canvas
// that is reused frame after frame allocates nothing per frame.
//
// World-space calls (polygon, circle, line, polyline) go through the camera:
// world x grows to the right and world y upwards. The *_px calls take frame
// pixels directly (HUDs, plots, text).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace pavlov {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;  // a < 255 blends over what is below
};

namespace colors {
inline constexpr Color kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGray{128, 128, 128};
}  // namespace colors

struct Point {
  float x = 0, y = 0;
};

class Canvas {
 public:
  enum class Kind : std::uint8_t { kPolygon, kCircle, kText, kImage };
  // One recorded command. Polygons: points_[first, first + count); a polygon
  // recorded by line() keeps the line's width in w (the raster widens lines
  // thinner than one output pixel so that they never vanish). Circles:
  // centre (x, y) and radius r. Text: bytes_[first, first + count) drawn with
  // its top-left at (x, y), glyphs scaled by r. Images: rows x cols RGB8 in
  // bytes_[first, ...) stretched over the box (x, y, w, h).
  struct Command {
    Kind kind;
    Color color;
    std::uint32_t first = 0, count = 0;
    float x = 0, y = 0, w = 0, h = 0, r = 0;
    std::uint32_t cols = 0, rows = 0;
  };

  // Starts a new frame: clears the lists, resets the camera to identity (world
  // units = pixels, origin at the bottom left) and fills the frame.
  void begin(int width, int height, Color background);
  int width() const { return width_; }
  int height() const { return height_; }
  Color background() const { return background_; }

  // World (left, bottom) maps to the frame's bottom-left corner; `scale` is
  // frame pixels per world unit.
  void set_camera(float left, float bottom, float scale);
  // A camera that follows a body and turns with it: world point `world` maps
  // to frame pixel `frame_px`, the world is rotated by `angle` radians
  // (counter-clockwise) around it and scaled by `scale` pixels per unit.
  void set_view(Point world, Point frame_px, float scale, float angle);
  // Moves the camera so that world x `x` sits at fraction `at` of the frame's
  // width (a camera that follows a body sideways), keeping bottom and scale.
  void follow_x(float x, float at);
  float scale() const { return scale_; }
  Point to_px(Point world) const {
    const float dx = world.x - cx_, dy = world.y - cy_;
    return {ox_ + scale_ * (cos_ * dx - sin_ * dy), oy_ - scale_ * (sin_ * dx + cos_ * dy)};
  }

  // A filled simple polygon (convex or not; edges must not cross), world coordinates.
  void polygon(std::span<const Point> points, Color color);
  void polygon(std::initializer_list<Point> points, Color color) { polygon(std::span(points.begin(), points.size()), color); }
  // The same polygon given in a body's own frame, placed at `position` and
  // rotated by `angle` radians (counter-clockwise), as Box2D bodies are.
  void polygon(std::span<const Point> local, Point position, float angle, Color color);
  void circle(Point centre, float radius, Color color);
  // A segment `width_px` frame pixels wide (at least one output pixel).
  void line(Point a, Point b, float width_px, Color color);
  void polyline(std::span<const Point> points, float width_px, Color color);

  // Frame-pixel calls, y down.
  void polygon_px(std::span<const Point> points, Color color);
  void rect_px(float x, float y, float w, float h, Color color);
  void line_px(Point a, Point b, float width_px, Color color);
  // ASCII text (other bytes show as '?') in the built-in 8 x 15 font, `scale`
  // times that size, top-left at (x, y).
  void text_px(float x, float y, std::string_view text, Color color, float scale = 1);
  static constexpr int kGlyphWidth = 8, kGlyphHeight = 15;
  // A grid of cols x rows RGB8 pixels (row-major) stretched over the box.
  void image_px(float x, float y, float w, float h, int cols, int rows, std::span<const std::uint8_t> rgb);

  std::span<const Command> commands() const { return commands_; }
  std::span<const Point> points() const { return points_; }
  std::span<const std::uint8_t> bytes() const { return bytes_; }

 private:
  int width_ = 0, height_ = 0;
  Color background_;
  // The camera: world (cx_, cy_) at frame pixel (ox_, oy_), rotated by (cos_, sin_), scaled.
  float cx_ = 0, cy_ = 0, ox_ = 0, oy_ = 0, scale_ = 1, cos_ = 1, sin_ = 0;
  std::vector<Command> commands_;
  std::vector<Point> points_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace pavlov
