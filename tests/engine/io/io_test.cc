#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "engine/io/checkpoint.h"
#include "engine/io/files.h"
#include "engine/io/tensorboard.h"

namespace fs = std::filesystem;

TEST_CASE("io: CRC-32C and TFRecord framing") {
  CHECK(pavlov::io::crc32c("123456789") == 0xE3069283u);  // the standard check value of CRC-32C
  const std::string rec = pavlov::io::TensorBoardWriter::record("abc");
  REQUIRE(rec.size() == 8 + 4 + 3 + 4);
  CHECK(rec[0] == 3);
  CHECK(rec.substr(12, 3) == "abc");
  // Event{wall_time=1.5, step=7, summary{value{tag="loss", simple_value=0.25}}}
  const std::string e = pavlov::io::TensorBoardWriter::scalar_event("loss", 0.25, 7, 1.5);
  const std::string want = std::string("\x09\x00\x00\x00\x00\x00\x00\xf8\x3f\x10\x07\x2a\x0d\x0a\x0b\x0a\x04loss\x15\x00\x00\x80\x3e", 26);
  CHECK(e == want);
}

TEST_CASE("io: checkpoints round-trip and refuse damage") {
  const fs::path dir = fs::temp_directory_path() / "pavlov_io_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  pavlov::io::CheckpointSections s = {{"a", "hello"}, {"b", std::string("\0\1\2", 3)}};
  for (int step : {10, 20, 30, 40}) pavlov::io::save_run_checkpoint(dir, step, s, 2);
  const auto latest = pavlov::io::latest_checkpoint(dir);
  REQUIRE(latest);
  CHECK(latest->filename() == "step-40.ckpt");
  CHECK(pavlov::io::read_checkpoint(*latest) == s);
  CHECK_FALSE(fs::exists(dir / "checkpoints" / "step-20.ckpt"));  // only the newest 2 are kept
  CHECK(fs::exists(dir / "checkpoints" / "step-30.ckpt"));
  // Flip one byte: the CRC catches it.
  std::string data = pavlov::io::read_file(*latest);
  data[data.size() - 2] ^= 1;
  pavlov::io::write_file_atomic(*latest, data);
  CHECK_THROWS_WITH_AS(pavlov::io::read_checkpoint(*latest), doctest::Contains("corrupt"), std::runtime_error);
  pavlov::io::write_file_atomic(*latest, data.substr(0, 10));
  CHECK_THROWS_AS(pavlov::io::read_checkpoint(*latest), std::runtime_error);
  fs::remove_all(dir);
}
