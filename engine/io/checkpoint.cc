#include "engine/io/checkpoint.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "engine/io/binary.h"
#include "engine/io/files.h"
#include "engine/io/tensorboard.h"

namespace pavlov::io {
namespace {
constexpr char kMagic[8] = {'P', 'A', 'V', 'L', 'O', 'V', 'C', 'K'};
constexpr std::uint32_t kVersion = 1;
}  // namespace

void write_checkpoint(const std::filesystem::path& path, const CheckpointSections& sections) {
  std::ostringstream body;
  write_pod(body, static_cast<std::uint32_t>(sections.size()));
  for (const auto& [name, blob] : sections) {
    write_string(body, name);
    write_string(body, blob);
  }
  const std::string b = body.str();
  std::ostringstream file;
  file.write(kMagic, sizeof kMagic);
  write_pod(file, kVersion);
  write_pod(file, crc32c(b));
  file << b;
  write_file_atomic(path, file.str());
}

CheckpointSections read_checkpoint(const std::filesystem::path& path) {
  const std::string data = read_file(path);
  const std::string what = "checkpoint " + path.string();
  if (data.size() < sizeof kMagic + 8 || data.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0)
    throw std::runtime_error(what + " is not a pavlov checkpoint");
  std::istringstream in(data.substr(sizeof kMagic));
  if (read_pod<std::uint32_t>(in) != kVersion) throw std::runtime_error(what + " has an unknown format version");
  const auto crc = read_pod<std::uint32_t>(in);
  const std::string body = data.substr(sizeof kMagic + 8);
  if (crc32c(body) != crc) throw std::runtime_error(what + " is corrupt (CRC mismatch)");
  std::istringstream b(body);
  CheckpointSections sections;
  const auto n = read_pod<std::uint32_t>(b);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string name = read_string(b);
    sections[name] = read_string(b);
  }
  return sections;
}

std::filesystem::path save_run_checkpoint(const std::filesystem::path& run_dir, std::int64_t step,
                                          const CheckpointSections& sections, int keep) {
  namespace fs = std::filesystem;
  const fs::path dir = run_dir / "checkpoints";
  fs::create_directories(dir);
  const fs::path file = dir / ("step-" + std::to_string(step) + ".ckpt");
  write_checkpoint(file, sections);
  write_file_atomic(dir / "latest", file.filename().string() + "\n");
  std::vector<std::pair<std::int64_t, fs::path>> all;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("step-", 0) == 0 && e.path().extension() == ".ckpt")
      all.emplace_back(std::stoll(name.substr(5)), e.path());
  }
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i + keep < all.size(); ++i) fs::remove(all[i].second);
  return file;
}

std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& run_dir) {
  const auto latest = run_dir / "checkpoints" / "latest";
  if (!std::filesystem::exists(latest)) return std::nullopt;
  std::string name = read_file(latest);
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  return run_dir / "checkpoints" / name;
}

}  // namespace pavlov::io
