// pavlov::EpisodeVideos: `[render] record_every = N`. Every N env steps of
// training, one greedy episode of a separate env is recorded, with the HUD,
// to <run>/videos/step-<steps>.mp4 (or .gif). The file is written under a
// temporary name and renamed when complete, so a run that is interrupted
// never leaves a half-written video.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/runtime/player.h"
#include "engine/runtime/trainer.h"

namespace pavlov {

class EpisodeVideos final : public TrainingObserver {
 public:
  EpisodeVideos(std::unique_ptr<Env> env, std::string title, std::int64_t every, std::string format, std::uint64_t seed);

  void after_step(Agent& agent, std::int64_t env_steps, const std::filesystem::path& run_dir) override;
  // Records one episode now (also used at the end of a run).
  std::filesystem::path record(Agent& agent, std::int64_t env_steps, const std::filesystem::path& run_dir);

 private:
  Player player_;
  std::int64_t every_;
  std::int64_t last_steps_ = -1;
  std::string format_;
  std::uint64_t seed_;
};

}  // namespace pavlov
