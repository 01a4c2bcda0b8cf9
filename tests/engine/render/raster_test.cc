// The software rasterizer's rules (raster.h), pixel by pixel, and a golden
// scene with every kind of command.
#include <doctest/doctest.h>

#include <cmath>

#include "alloc_counter.h"
#include "engine/render/canvas.h"
#include "engine/render/raster.h"
#include "golden.h"

using pavlov::Canvas;
using pavlov::Color;
using pavlov::Image;
using pavlov::Raster;

namespace {

bool is(const Image& im, int x, int y, Color c) {
  const std::uint8_t* p = im.pixel(x, y);
  return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

int count(const Image& im, Color c) {
  int n = 0;
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x) n += is(im, x, y, c);
  return n;
}

constexpr Color kRed{255, 0, 0}, kBlue{0, 0, 255};

}  // namespace

TEST_CASE("raster: a pixel is covered when its centre is inside; world y points up") {
  Canvas c;
  c.begin(10, 10, pavlov::colors::kWhite);
  // World units = pixels, origin bottom-left: the square [2, 5) x [1, 3) in world y
  // covers frame rows 10-3 = 7 .. 8 and columns 2 .. 4.
  c.polygon({{2, 1}, {5, 1}, {5, 3}, {2, 3}}, kRed);
  Raster r;
  const Image im = r.render(c);
  CHECK(count(im, kRed) == 6);
  CHECK(is(im, 2, 7, kRed));
  CHECK(is(im, 4, 8, kRed));
  CHECK(!is(im, 5, 8, kRed));
  CHECK(!is(im, 2, 9, kRed));
  CHECK(!is(im, 2, 6, kRed));
  // Edges through pixel centres: x from 1.5 covers pixel 1 (centre 1.5 included), to 3.5 excludes pixel 3.
  c.begin(10, 10, pavlov::colors::kWhite);
  c.rect_px(1.5f, 0, 2.0f, 1, kBlue);
  const Image im2 = r.render(c);
  CHECK(count(im2, kBlue) == 2);
  CHECK(is(im2, 1, 0, kBlue));
  CHECK(is(im2, 2, 0, kBlue));
}

TEST_CASE("raster: concave polygons fill by the even-odd rule, circles by area") {
  Canvas c;
  c.begin(40, 40, pavlov::colors::kBlack);
  // An L shape: 20x20 square minus its 10x10 top-right quarter = 300 pixels.
  c.polygon({{0, 0}, {20, 0}, {20, 10}, {10, 10}, {10, 20}, {0, 20}}, kRed);
  Raster r;
  Image im = r.render(c);
  CHECK(count(im, kRed) == 300);
  c.begin(40, 40, pavlov::colors::kBlack);
  c.circle({20, 20}, 10, kRed);
  im = r.render(c);
  CHECK(std::abs(count(im, kRed) - M_PI * 100) < 12);  // 314 +- the boundary's jaggies
}

TEST_CASE("raster: the frame stretches over any output size; thin lines never vanish") {
  Canvas c;
  c.begin(100, 50, pavlov::colors::kWhite);
  c.rect_px(0, 0, 50, 50, kRed);               // the left half
  c.line_px({75, 0}, {75, 50}, 0.1f, kBlue);  // a hairline
  Raster r;
  const Image im = r.render(c, 20, 10);
  CHECK(count(im, kRed) == 100);
  CHECK(count(im, kBlue) == 10);  // one pixel wide, full height
}

TEST_CASE("raster: alpha blends, images stretch with nearest sampling, text draws glyphs") {
  Canvas c;
  c.begin(8, 4, pavlov::colors::kWhite);
  c.rect_px(0, 0, 8, 4, {0, 0, 0, 128});
  Raster r;
  Image im = r.render(c);
  CHECK(int(im.pixel(3, 3)[0]) == 127);  // (0*128 + 255*127 + 127) / 255
  const std::uint8_t grid[2 * 1 * 3] = {255, 0, 0, 0, 0, 255};
  c.begin(8, 4, pavlov::colors::kWhite);
  c.image_px(0, 0, 8, 4, 2, 1, grid);
  im = r.render(c);
  CHECK(count(im, kRed) == 16);
  CHECK(count(im, kBlue) == 16);
  c.begin(40, 20, pavlov::colors::kWhite);
  c.text_px(2, 2, "Hi", pavlov::colors::kBlack);
  im = r.render(c);
  const int ink = count(im, pavlov::colors::kBlack);
  CHECK(ink > 10);
  CHECK(ink < 2 * 8 * 15);
  c.begin(40, 20, pavlov::colors::kWhite);
  c.text_px(2, 2, "  ", pavlov::colors::kBlack);
  CHECK(count(r.render(c), pavlov::colors::kBlack) == 0);
}

TEST_CASE("raster: bad sizes are errors that say what was expected") {
  Canvas c;
  Raster r;
  std::vector<std::uint8_t> buf(10);
  CHECK_THROWS_WITH(r.draw(c, 2, 2, buf), doctest::Contains("Canvas::begin was not called"));
  c.begin(4, 4, pavlov::colors::kWhite);
  CHECK_THROWS_WITH(r.draw(c, 2, 2, buf), doctest::Contains("needs 12 bytes, got 10"));
  CHECK_THROWS_WITH(c.begin(0, 4, pavlov::colors::kWhite), doctest::Contains("at least 1 x 1"));
}

TEST_CASE("raster: redrawing a frame into the same buffer allocates nothing") {
  Canvas c;
  Raster r;
  std::vector<std::uint8_t> buf(96 * 96 * 3);
  auto frame = [&] {
    c.begin(96, 96, pavlov::colors::kBlack);
    c.set_camera(-1, -1, 48);
    for (int i = 0; i < 20; ++i) c.polygon({{-.5f, -.5f}, {.5f, -.4f}, {.1f * i, .5f}}, kRed);
    c.circle({0, 0}, 0.3f, kBlue);
    c.line({-1, -1}, {1, 1}, 0.5f, kBlue);
    c.text_px(1, 1, "42", pavlov::colors::kWhite);
    r.draw(c, 96, 96, buf);
  };
  frame();  // warms the lists up
  const auto before = pavlov::test::allocations();
  for (int i = 0; i < 10; ++i) frame();
  CHECK(pavlov::test::allocations() == before);
}

TEST_CASE("raster: golden scene") {
  Canvas c;
  c.begin(120, 80, {230, 230, 240});
  c.set_camera(-3, -2, 20);
  c.polygon({{-3, -2}, {3, -2}, {3, -1}, {1, -0.5f}, {-3, -1.2f}}, {102, 153, 76});
  const pavlov::Point body[4] = {{-0.5f, -0.25f}, {0.5f, -0.25f}, {0.5f, 0.25f}, {-0.5f, 0.25f}};
  c.polygon(body, {0, 0.5f}, 0.4f, {127, 51, 229});
  c.circle({1.8f, 1.0f}, 0.5f, {204, 204, 0});
  c.line({-2.5f, 1.5f}, {-0.5f, 1.8f}, 2, pavlov::colors::kBlack);
  c.rect_px(80, 4, 36, 12, {0, 0, 0, 100});
  c.text_px(82, 2, "t=7", pavlov::colors::kWhite);
  const std::uint8_t checker[2 * 2 * 3] = {255, 255, 255, 0, 0, 0, 0, 0, 0, 255, 255, 255};
  c.image_px(4, 60, 16, 16, 2, 2, checker);
  Raster r;
  pavlov::test::check_golden(r.render(c), "raster_scene", 0.0, 0);  // one rasterizer, one answer
}
