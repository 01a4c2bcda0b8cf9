// pavlov::io::MetricsLog: one row of numbers per log interval, to
// metrics.csv (header first, a row per call, flushed) and to TensorBoard
// event files in the same folder.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/io/tensorboard.h"

namespace pavlov::io {

class MetricsLog {
 public:
  // Opens <dir>/metrics.csv with `columns` (the first is the step). With
  // `keep_until_step` >= 0 an existing file is kept up to the rows with step
  // <= that value (a resumed run continues its own file); otherwise it starts afresh.
  MetricsLog(const std::filesystem::path& dir, std::vector<std::string> columns, std::int64_t keep_until_step = -1);
  // One row; values align with the columns (NaN for "no value this row").
  void row(const std::vector<double>& values);

 private:
  std::vector<std::string> columns_;
  std::ofstream csv_;
  std::unique_ptr<TensorBoardWriter> tb_;
};

}  // namespace pavlov::io
