// Text corpora for the zoo's language tasks. Debian's `fortunes` package: the
// fortune files under /usr/share/games/fortunes (each a list of fortunes
// separated by lines holding "%"), split by file into training and validation
// text, so that validation measures fortunes of files never trained on.
// Text is bytes: a character-level model's vocabulary is the 256 byte values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pavlov::data {

struct TextSplit {
  std::string text;                 // the files' fortunes, each followed by "\n%\n"
  std::vector<std::string> files;   // which files (category names)
};

inline const std::filesystem::path kFortunesDir = "/usr/share/games/fortunes";

// The fortune files of `dir` (the names with a .dat index beside them),
// sorted; every `val_every`-th file (the 1st, (1+val_every)-th, ...) is
// validation, the others training. Throws std::runtime_error naming the
// package when the folder is missing.
void load_fortunes(TextSplit& train, TextSplit& val, int val_every = 5, const std::filesystem::path& dir = kFortunesDir);

// The fortunes of one file, without the "%" separators.
std::vector<std::string> read_fortune_file(const std::filesystem::path& file);

// Mean negative log-likelihood in nats per byte of `text` (from its second
// byte on) under a byte bigram model fitted on `train` with add-one smoothing:
// the baseline a language model must beat.
double bigram_nats_per_byte(const std::string& train, const std::string& text);

}  // namespace pavlov::data
