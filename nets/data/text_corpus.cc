#include "nets/data/text_corpus.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pavlov::data {

std::vector<std::string> read_fortune_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<std::string> out;
  std::string line, current;
  while (std::getline(in, line)) {
    if (line == "%") {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

void load_fortunes(TextSplit& train, TextSplit& val, int val_every, const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw std::runtime_error(dir.string() + " is missing: install Debian's fortunes package (apt-get install fortunes)");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto& p = e.path();
    if (p.has_extension() || !std::filesystem::is_regular_file(p)) continue;
    if (std::filesystem::exists(p.string() + ".dat")) files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  if (files.size() < 2) throw std::runtime_error(dir.string() + " holds fewer than 2 fortune files");
  train = {};
  val = {};
  for (std::size_t i = 0; i < files.size(); ++i) {
    TextSplit& split = val_every > 0 && i % static_cast<std::size_t>(val_every) == 0 ? val : train;
    split.files.push_back(files[i].filename().string());
    for (const auto& f : read_fortune_file(files[i])) split.text += f + "%\n";
  }
}

double bigram_nats_per_byte(const std::string& train, const std::string& text) {
  std::vector<double> counts(256 * 256, 1.0);  // add-one
  std::array<double, 256> totals;
  totals.fill(256.0);
  for (std::size_t i = 1; i < train.size(); ++i) {
    const auto a = static_cast<unsigned char>(train[i - 1]), b = static_cast<unsigned char>(train[i]);
    counts[a * 256 + b] += 1.0;
    totals[a] += 1.0;
  }
  double nll = 0.0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[i - 1]), b = static_cast<unsigned char>(text[i]);
    nll -= std::log(counts[a * 256 + b] / totals[a]);
  }
  return text.size() > 1 ? nll / static_cast<double>(text.size() - 1) : 0.0;
}

}  // namespace pavlov::data
