// The run folder every `pavlov run` trains in, reinforcement learning or a
// supervised task alike: <out_dir>/<name>-<UTC time>/ with config.toml (the
// resolved configuration) and checkpoints/, built aside and renamed into
// place so that a run folder never exists half-made.
#pragma once

#include <filesystem>

namespace pavlov {

class Config;

std::filesystem::path create_run_dir(const Config& cfg);

}  // namespace pavlov
