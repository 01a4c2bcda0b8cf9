#include "engine/io/tensorboard.h"

#include <boost/crc.hpp>
#include <chrono>
#include <cstring>

namespace pavlov::io {
namespace {

void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void tag(std::string& out, int field, int wire_type) { varint(out, (static_cast<std::uint64_t>(field) << 3) | wire_type); }

template <class T>
void fixed(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // protobuf fixed fields are little-endian, as x86-64 and arm64 are
  out.append(b, sizeof(T));
}

void bytes_field(std::string& out, int field, std::string_view bytes) {
  tag(out, field, 2);
  varint(out, bytes.size());
  out.append(bytes);
}

std::string event_header(double wall_time, std::int64_t step) {
  std::string e;
  tag(e, 1, 1);  // double wall_time = 1
  fixed(e, wall_time);
  tag(e, 2, 0);  // int64 step = 2
  varint(e, static_cast<std::uint64_t>(step));
  return e;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::uint32_t crc32c(std::string_view data) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

std::uint32_t masked_crc32c(std::string_view data) {
  const std::uint32_t c = crc32c(data);
  return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

std::string TensorBoardWriter::record(std::string_view payload) {
  std::string r;
  std::string len;
  fixed(len, static_cast<std::uint64_t>(payload.size()));
  r += len;
  fixed(r, masked_crc32c(len));
  r.append(payload);
  fixed(r, masked_crc32c(payload));
  return r;
}

std::string TensorBoardWriter::scalar_event(std::string_view name, double value, std::int64_t step, double wall_time) {
  std::string v;  // Summary.Value
  bytes_field(v, 1, name);  // string tag = 1
  tag(v, 2, 5);             // float simple_value = 2
  fixed(v, static_cast<float>(value));
  std::string summary;
  bytes_field(summary, 1, v);  // repeated Value value = 1
  std::string e = event_header(wall_time, step);
  bytes_field(e, 5, summary);  // Summary summary = 5
  return e;
}

TensorBoardWriter::TensorBoardWriter(const std::filesystem::path& dir)
    : path_(dir / ("events.out.tfevents." + std::to_string(static_cast<std::int64_t>(now_seconds())) + ".pavlov")),
      out_(path_, std::ios::binary | std::ios::app) {
  std::string e = event_header(now_seconds(), 0);
  bytes_field(e, 3, "brain.Event:2");  // string file_version = 3
  out_ << record(e);
}

void TensorBoardWriter::scalar(std::string_view name, double value, std::int64_t step, double wall_time) {
  out_ << record(scalar_event(name, value, step, wall_time));
}

}  // namespace pavlov::io
