#include "engine/render/episode_videos.h"

#include "engine/env/rng.h"
#include "engine/render/raster.h"
#include "engine/render/recorder.h"

namespace pavlov {

EpisodeVideos::EpisodeVideos(std::unique_ptr<Env> env, std::string title, std::int64_t every, std::string format,
                             std::uint64_t seed)
    : player_(std::move(env), std::move(title)), every_(every), format_(std::move(format)), seed_(seed) {}

void EpisodeVideos::after_step(Agent& agent, std::int64_t env_steps, const std::filesystem::path& run_dir) {
  const std::int64_t before = last_steps_ < 0 ? env_steps - 1 : last_steps_;
  last_steps_ = env_steps;
  if (every_ > 0 && env_steps / every_ > before / every_) record(agent, env_steps, run_dir);
}

std::filesystem::path EpisodeVideos::record(Agent& agent, std::int64_t env_steps, const std::filesystem::path& run_dir) {
  const std::filesystem::path dir = run_dir / "videos";
  std::filesystem::create_directories(dir);
  const std::string name = "step-" + std::to_string(env_steps) + "." + format_;
  const std::filesystem::path part = dir / ("step-" + std::to_string(env_steps) + ".part." + format_), done = dir / name;
  Canvas canvas;
  Raster raster;
  Image frame;
  {
    auto recorder = Recorder::open(part, player_.env().render_fps());
    player_.reset(derive_seed(seed_, static_cast<std::uint64_t>(env_steps)));
    const std::string status = "trained " + std::to_string(env_steps) + " steps";
    for (;;) {
      player_.draw(canvas, status);
      frame.width = canvas.width();
      frame.height = canvas.height();
      raster.draw(canvas, frame);
      recorder->add(frame);
      if (player_.over()) break;
      player_.step(agent);
    }
    recorder->close();
  }
  std::filesystem::rename(part, done);
  return done;
}

}  // namespace pavlov
