// Rendering costs per frame: recording an env's canvas (with the HUD) and
// rasterizing it at the env's frame size and at 96 x 96 (a pixel
// observation's size). These bound what the live view takes from training
// and what a pixel env pays per step.
//
//   build/bench_render [frames]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"
#include "engine/render/hud.h"
#include "engine/render/raster.h"

namespace {

template <class F>
double micros_per_call(int n, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 300;
  pavlov::HudInfo hud{.title = "bench", .episode = 1, .step = 10, .action = "1", .insight_kind = "Q", .insight = {1.5f, 2.5f}};
  std::printf("%-28s %12s %16s %14s\n", "env", "canvas+HUD", "raster (frame)", "raster 96x96");
  for (const std::string& id : pavlov::EnvRegistry::global().ids()) {
    auto env = pavlov::make_env(id);
    std::vector<float> obs(env->observation_space().numel());
    env->reset(obs, 1);
    pavlov::Canvas canvas;
    pavlov::Raster raster;
    env->render(canvas);
    pavlov::Image frame(canvas.width(), canvas.height()), small(96, 96);
    const double record = micros_per_call(n, [&] {
      env->render(canvas);
      pavlov::draw_hud(canvas, hud);
    });
    const double full = micros_per_call(n, [&] { raster.draw(canvas, frame); });
    const double tiny = micros_per_call(n, [&] { raster.draw(canvas, small); });
    std::printf("%-28s %9.1f us %10.1f us %4dx%-3d %9.1f us\n", id.c_str(), record, full, canvas.width(), canvas.height(), tiny);
  }
}
