#include "engine/runtime/run_dir.h"

#include "engine/config/experiment.h"
#include "engine/io/files.h"

namespace pavlov {

std::filesystem::path create_run_dir(const Config& cfg) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(cfg.get_string("experiment.out_dir"));
  const std::string stem = cfg.get_string("experiment.name") + "-" + io::utc_stamp();
  fs::create_directories(base);
  fs::path dir = base / stem;
  for (int i = 2; fs::exists(dir); ++i) dir = base / (stem + "-" + std::to_string(i));
  const fs::path tmp = base / ("." + dir.filename().string() + ".creating");
  fs::create_directories(tmp / "checkpoints");
  io::write_file_atomic(tmp / "config.toml", cfg.to_toml());
  fs::rename(tmp, dir);
  return dir;
}

}  // namespace pavlov
