// pavlov::io::TensorBoardWriter: scalar summaries in TensorBoard's event-file
// format, written without TensorFlow or protobuf.
//
// An event file is a sequence of TFRecords (u64 length, masked CRC-32C of the
// length, the bytes, masked CRC-32C of the bytes), each holding one
// serialized tensorflow.Event protobuf: the first with file_version
// "brain.Event:2", then one per scalar with wall_time, step and
// summary { value { tag, simple_value } }. The protobuf is encoded by hand:
// these messages use only varints, doubles, floats and length-delimited fields.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace pavlov::io {

// CRC-32C (Castagnoli) of `data`, and TFRecord's masked form of a CRC.
std::uint32_t crc32c(std::string_view data);
std::uint32_t masked_crc32c(std::string_view data);

class TensorBoardWriter {
 public:
  // Opens (appending) events.out.tfevents.<time>.pavlov in `dir`.
  explicit TensorBoardWriter(const std::filesystem::path& dir);
  void scalar(std::string_view tag, double value, std::int64_t step, double wall_time);
  void flush() { out_.flush(); }
  const std::filesystem::path& path() const { return path_; }

  // One TFRecord around `payload` (exposed for tests).
  static std::string record(std::string_view payload);
  // The serialized Event of one scalar (exposed for tests).
  static std::string scalar_event(std::string_view tag, double value, std::int64_t step, double wall_time);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace pavlov::io
