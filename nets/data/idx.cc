#include "nets/data/idx.h"

#include <filesystem>
#include <zlib.h>

namespace pavlov::data {
namespace {

// gzread reads plain files as well as gzip ones.
struct GzFile {
  gzFile f = nullptr;
  ~GzFile() {
    if (f) gzclose(f);
  }
};

void read_exact(gzFile f, void* out, std::size_t n, const std::string& path) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
    const int got = gzread(f, p, chunk);
    if (got <= 0) throw std::runtime_error(path + ": the file ends before the data its header announces");
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": no such file");
  GzFile file{gzopen(path.c_str(), "rb")};
  if (!file.f) throw std::runtime_error(path + ": cannot be opened");
  unsigned char magic[4];
  read_exact(file.f, magic, 4, path);
  if (magic[0] != 0 || magic[1] != 0) throw std::runtime_error(path + ": not an IDX file (bad magic number)");
  if (magic[2] != 0x08) throw std::runtime_error(path + ": IDX elements are not unsigned bytes (type code " +
                                                 std::to_string(magic[2]) + ")");
  IdxArray out;
  std::size_t count = 1;
  for (int d = 0; d < magic[3]; ++d) {
    unsigned char b[4];
    read_exact(file.f, b, 4, path);
    const std::int64_t n = (std::int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    out.shape.push_back(n);
    count *= static_cast<std::size_t>(n);
  }
  out.data.resize(count);
  read_exact(file.f, out.data.data(), count, path);
  return out;
}

}  // namespace pavlov::data
