#include "engine/io/metrics.h"

#include <cmath>
#include <sstream>

#include "engine/io/files.h"

namespace pavlov::io {

MetricsLog::MetricsLog(const std::filesystem::path& dir, std::vector<std::string> columns, std::int64_t keep_until_step)
    : columns_(std::move(columns)) {
  const auto path = dir / "metrics.csv";
  std::string kept;
  if (keep_until_step >= 0 && std::filesystem::exists(path)) {
    std::istringstream in(read_file(path));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line))
      if (std::stoll(line.substr(0, line.find(','))) <= keep_until_step) kept += line + "\n";
  }
  csv_.open(path, std::ios::trunc);
  for (std::size_t i = 0; i < columns_.size(); ++i) csv_ << (i ? "," : "") << columns_[i];
  csv_ << "\n" << kept;
  csv_.flush();
  tb_ = std::make_unique<TensorBoardWriter>(dir);
}

void MetricsLog::row(const std::vector<double>& values) {
  std::ostringstream os;
  os.precision(10);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) os << ",";
    if (!std::isnan(values[i])) os << values[i];
  }
  csv_ << os.str() << "\n";
  csv_.flush();
  // TensorBoard: every column but the step and the wall time, against the step.
  const auto step = static_cast<std::int64_t>(values[0]);
  for (std::size_t i = 1; i < values.size(); ++i)
    if (!std::isnan(values[i]) && columns_[i] != "wall_time") tb_->scalar(columns_[i], values[i], step, values[1]);
  tb_->flush();
}

}  // namespace pavlov::io
