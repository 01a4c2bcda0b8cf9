// Recordings decode back to the frames written, and the window shows exactly
// the raster's picture (this test case runs under Xvfb in CI; without a
// display it checks the one-line refusal instead).
#include <doctest/doctest.h>

#include <filesystem>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"
#include "engine/render/image_io.h"
#include "engine/render/raster.h"
#include "engine/render/recorder.h"
#include "engine/render/window.h"
#include "golden.h"

namespace fs = std::filesystem;

namespace {

// A few frames of CartPole with its pole falling.
std::vector<pavlov::Image> cartpole_frames(int n, int width, int height) {
  auto env = pavlov::make_env("CartPole-v1");
  std::vector<float> obs(4);
  env->reset(obs, 1);
  pavlov::Canvas canvas;
  pavlov::Raster raster;
  std::vector<pavlov::Image> frames;
  for (int i = 0; i < n; ++i) {
    env->render(canvas);
    frames.push_back(raster.render(canvas, width, height));
    if (env->running()) env->step(std::int64_t{1}, obs);
  }
  return frames;
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("pavlov_media_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("recorder: a GIF holds every frame at its size, exact colours") {
  const fs::path dir = temp_dir("gif");
  const auto frames = cartpole_frames(12, 150, 100);
  {
    auto rec = pavlov::Recorder::open(dir / "cartpole.gif", 50);
    for (const auto& f : frames) rec->add(f);
    rec->close();
    CHECK(rec->frames() == 12);
  }
  const pavlov::VideoInfo info = pavlov::probe_video(dir / "cartpole.gif");
  CHECK(info.frames == 12);
  CHECK(info.width == 150);
  CHECK(info.height == 100);
  fs::remove_all(dir);
}

TEST_CASE("recorder: an MP4 decodes back to the right number of frames of the right size") {
  const fs::path dir = temp_dir("mp4");
  const auto frames = cartpole_frames(30, 300, 200);
  {
    auto rec = pavlov::Recorder::open(dir / "cartpole.mp4", 50);
    for (const auto& f : frames) rec->add(f);
    rec->close();
  }
  const pavlov::VideoInfo info = pavlov::probe_video(dir / "cartpole.mp4");
  CHECK(info.frames == 30);
  CHECK(info.width == 300);
  CHECK(info.height == 200);
  if (!std::getenv("KEEP")) fs::remove_all(dir);
}

TEST_CASE("recorder: a folder receives numbered PNGs that read back equal; bad paths say what to use") {
  const fs::path dir = temp_dir("png");
  if (!pavlov::png_supported()) {
    CHECK_THROWS_WITH(pavlov::Recorder::open(dir / "frames", 30), doctest::Contains("built without SFML"));
    return;
  }
  const auto frames = cartpole_frames(3, 60, 40);
  auto rec = pavlov::Recorder::open(dir / "frames", 30);
  for (const auto& f : frames) rec->add(f);
  CHECK(fs::exists(dir / "frames" / "frame_000002.png"));
  const pavlov::Image back = pavlov::load_png(dir / "frames" / "frame_000002.png");
  CHECK(back.rgb == frames[2].rgb);
  CHECK_THROWS_WITH(rec->add(pavlov::Image(10, 10)), doctest::Contains("the recording is 60 x 40"));
  CHECK_THROWS_WITH(pavlov::Recorder::open(dir / "x.avi", 30), doctest::Contains("use a .gif or .mp4 file, or a folder"));
  fs::remove_all(dir);
}

TEST_CASE("window: shows the off-screen render of the same state") {
  if (!pavlov::display_available()) {
    CHECK_THROWS_WITH(pavlov::Window("pavlov test", 300, 200), doctest::Contains("--record"));
    MESSAGE("no display: checked the refusal only (CTest runs this case again under xvfb-run)");
    return;
  }
  const auto frames = cartpole_frames(15, 300, 200);
  pavlov::Window window("pavlov test", 300, 200);
  for (int i = 0; i < 5; ++i) {  // let the window manager map it
    window.show(frames.back());
    while (window.poll()) {
    }
  }
  const pavlov::Image shot = window.screenshot();
  REQUIRE(shot.width == 300);
  REQUIRE(shot.height == 200);
  const auto diff = pavlov::test::compare_images(shot, frames.back(), 8);
  INFO("pixels that differ: " << diff.bad_fraction * 100 << " %");
  CHECK(diff.bad_fraction < 0.01);
  // Not blank: the picture has the cart (black) and the pole (tan).
  int black = 0, tan = 0;
  for (std::size_t i = 0; i < shot.rgb.size(); i += 3) {
    black += shot.rgb[i] < 20 && shot.rgb[i + 1] < 20 && shot.rgb[i + 2] < 20;
    tan += shot.rgb[i] == 202 && shot.rgb[i + 1] == 152 && shot.rgb[i + 2] == 101;
  }
  CHECK(black > 300);
  CHECK(tan > 200);
  pavlov::save_png(shot, fs::temp_directory_path() / "pavlov_window_screenshot.png");
}
