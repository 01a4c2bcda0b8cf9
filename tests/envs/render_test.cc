// Every registered env draws itself, and the pictures stay what they were
// when a person last looked at them (the goldens in tests/data/render/).
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"
#include "engine/render/raster.h"
#include "golden.h"

namespace {

// Resets with seed 3 and takes 20 steps of a fixed action pattern, so the
// picture shows a moved state, not only the start.
std::unique_ptr<pavlov::Env> env_after_steps(const std::string& id) {
  auto env = pavlov::make_env(id);
  const pavlov::Space& os = env->observation_space();
  const pavlov::Space& as = env->action_space();
  std::vector<std::byte> obs_bytes(os.numel() * pavlov::dtype_size(os.dtype()));
  const pavlov::ArrayView obs(obs_bytes.data(), os.dtype(), os.numel());
  env->reset(obs, 3);
  std::vector<float> box(as.numel());
  for (int t = 0; t < 20; ++t) {
    pavlov::StepResult r;
    if (as.is_discrete()) {
      std::int64_t a = (t / 4) % as.n();
      r = env->step(pavlov::ConstArrayView(&a, pavlov::DType::kInt64, 1), obs);
    } else {
      for (std::size_t i = 0; i < box.size(); ++i) box[i] = ((t / 4 + static_cast<int>(i)) % 2 == 0) ? 0.6f : -0.4f;
      r = env->step(pavlov::ConstArrayView(std::span<const float>(box)), obs);
    }
    if (r.terminated || r.truncated) break;
  }
  return env;
}

}  // namespace

TEST_CASE("render: every registered env draws itself, as its golden picture shows") {
  pavlov::Canvas canvas;
  pavlov::Raster raster;
  for (const std::string& id : pavlov::EnvRegistry::global().ids()) {
    INFO(id);
    auto env = env_after_steps(id);
    REQUIRE(env->render(canvas));
    CHECK(canvas.commands().size() >= 3);
    // Small goldens: half the frame's size keeps tests/data light.
    const pavlov::Image image = raster.render(canvas, canvas.width() / 2, canvas.height() / 2);
    std::string name = id;
    std::replace(name.begin(), name.end(), '/', '_');  // MinAtar/Breakout-v0 -> MinAtar_Breakout-v0.png
    pavlov::test::check_golden(image, name);
  }
}

TEST_CASE("render: an env that was never reset has nothing to draw or draws its initial state") {
  for (const std::string& id : pavlov::EnvRegistry::global().ids()) {
    INFO(id);
    pavlov::Canvas canvas;
    auto env = pavlov::make_env(id);
    // Box2D worlds do not exist before the first reset: they say so; the others draw their zero state.
    if (env->render(canvas)) {
      CHECK(canvas.width() > 0);
      CHECK_FALSE(canvas.commands().empty());
    }
  }
}
