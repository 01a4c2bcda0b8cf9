#include "agents/common/running_norm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/io/binary.h"

namespace pavlov::agents {

RunningMeanStd::RunningMeanStd(std::int64_t dim) : mean_(dim, 0.0), var_(dim, 1.0), batch_mean_(dim), batch_var_(dim) {}

void RunningMeanStd::update(const float* x, std::int64_t rows) {
  if (rows <= 0) return;
  const std::int64_t d = dim();
  std::fill(batch_mean_.begin(), batch_mean_.end(), 0.0);
  std::fill(batch_var_.begin(), batch_var_.end(), 0.0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < d; ++i) batch_mean_[i] += x[r * d + i];
  for (auto& m : batch_mean_) m /= static_cast<double>(rows);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < d; ++i) {
      const double c = x[r * d + i] - batch_mean_[i];
      batch_var_[i] += c * c;
    }
  const double n = static_cast<double>(rows), total = count_ + n;
  for (std::int64_t i = 0; i < d; ++i) {
    const double delta = batch_mean_[i] - mean_[i];
    const double m2 = var_[i] * count_ + batch_var_[i] + delta * delta * count_ * n / total;
    mean_[i] += delta * n / total;
    var_[i] = m2 / total;
  }
  count_ = total;
}

void RunningMeanStd::save(std::ostream& out) const {
  io::write_vector(out, mean_);
  io::write_vector(out, var_);
  io::write_pod(out, count_);
}

void RunningMeanStd::load(std::istream& in) {
  auto m = io::read_vector<double>(in), v = io::read_vector<double>(in);
  if (m.size() != mean_.size() || v.size() != var_.size())
    throw std::runtime_error("the checkpoint's normalisation statistics have another dimension");
  mean_ = std::move(m);
  var_ = std::move(v);
  count_ = io::read_pod<double>(in);
}

void ObsNormalizer::normalize(const float* x, std::int64_t rows, float* out) const {
  const std::int64_t d = rms_.dim();
  const auto& mean = rms_.mean();
  const auto& var = rms_.var();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < d; ++i) {
      const double z = (x[r * d + i] - mean[i]) / std::sqrt(var[i] + eps_);
      out[r * d + i] = static_cast<float>(std::clamp(z, -clip_, clip_));
    }
}

RewardScaler::RewardScaler(int num_envs, double gamma, double clip, double eps)
    : rms_(1), returns_(num_envs, 0.0), buffer_(num_envs), gamma_(gamma), clip_(clip), eps_(eps) {}

void RewardScaler::scale(std::span<float> rewards, std::span<const std::uint8_t> terminated,
                         std::span<const std::uint8_t> truncated) {
  const std::size_t n = returns_.size();
  for (std::size_t e = 0; e < n; ++e) {
    returns_[e] = returns_[e] * gamma_ + rewards[e];
    buffer_[e] = static_cast<float>(returns_[e]);
  }
  rms_.update(buffer_.data(), static_cast<std::int64_t>(n));
  const double scale = 1.0 / std::sqrt(rms_.var()[0] + eps_);
  for (std::size_t e = 0; e < n; ++e) {
    rewards[e] = static_cast<float>(std::clamp(rewards[e] * scale, -clip_, clip_));
    if (terminated[e] || truncated[e]) returns_[e] = 0.0;
  }
}

void RewardScaler::save(std::ostream& out) const {
  rms_.save(out);
  io::write_vector(out, returns_);
}

void RewardScaler::load(std::istream& in) {
  rms_.load(in);
  auto r = io::read_vector<double>(in);
  if (r.size() != returns_.size()) throw std::runtime_error("the checkpoint's reward statistics are for another number of envs");
  returns_ = std::move(r);
}

}  // namespace pavlov::agents
