// Little helpers to write and read checkpoint data: trivially copyable
// values, vectors of them and strings, in the machine's byte order (a
// checkpoint is read back on the machine kind that wrote it). Reading past
// the end throws std::runtime_error, so a truncated file is an error, not garbage.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace pavlov::io {

template <class T>
void write_pod(std::ostream& out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.write(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <class T>
T read_pod(std::istream& in) {
  static_assert(std::is_trivially_copyable_v<T>);
  T v;
  if (!in.read(reinterpret_cast<char*>(&v), sizeof(T))) throw std::runtime_error("checkpoint data ends early");
  return v;
}

template <class T>
void write_vector(std::ostream& out, const std::vector<T>& v) {
  write_pod<std::uint64_t>(out, v.size());
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

template <class T>
std::vector<T> read_vector(std::istream& in, std::uint64_t max_size = std::uint64_t{1} << 40) {
  const auto n = read_pod<std::uint64_t>(in);
  if (n > max_size / sizeof(T)) throw std::runtime_error("checkpoint data is corrupt (a size is too large)");
  std::vector<T> v(n);
  if (!in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T))))
    throw std::runtime_error("checkpoint data ends early");
  return v;
}

inline void write_string(std::ostream& out, const std::string& s) {
  write_vector(out, std::vector<char>(s.begin(), s.end()));
}
inline std::string read_string(std::istream& in) {
  const auto v = read_vector<char>(in);
  return {v.begin(), v.end()};
}

}  // namespace pavlov::io
