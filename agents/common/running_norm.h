// Running normalisation of observations and rewards, as Stable-Baselines3's
// VecNormalize does it, kept inside the agent (so evaluation, checkpoints and
// `pavlov eval` see the same statistics the policy was trained with).
//
//   ObsNormalizer   x -> clip((x - mean) / sqrt(var + eps), -clip, clip), the
//                   mean and variance of every observation seen while training
//   RewardScaler    r -> clip(r / sqrt(var(G) + eps), -clip, clip), where G is
//                   the discounted return running in each env (reset at every
//                   episode's end): rewards keep their sign, returns their scale
// The statistics merge batches with Chan et al.'s parallel formula, in double,
// starting from a count of 1e-4 as VecNormalize does.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <vector>

namespace pavlov::agents {

class RunningMeanStd {
 public:
  explicit RunningMeanStd(std::int64_t dim = 1);
  // Merges `rows` rows of dim() values each.
  void update(const float* x, std::int64_t rows);
  std::int64_t dim() const { return static_cast<std::int64_t>(mean_.size()); }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }
  double count() const { return count_; }
  void save(std::ostream& out) const;
  void load(std::istream& in);

 private:
  std::vector<double> mean_, var_, batch_mean_, batch_var_;
  double count_ = 1e-4;
};

class ObsNormalizer {
 public:
  ObsNormalizer(std::int64_t dim, double clip = 10.0, double eps = 1e-8) : rms_(dim), clip_(clip), eps_(eps) {}
  void update(const float* x, std::int64_t rows) { rms_.update(x, rows); }
  // out[r, i] = normalised x[r, i]; out may equal x.
  void normalize(const float* x, std::int64_t rows, float* out) const;
  const RunningMeanStd& stats() const { return rms_; }
  void save(std::ostream& out) const { rms_.save(out); }
  void load(std::istream& in) { rms_.load(in); }

 private:
  RunningMeanStd rms_;
  double clip_, eps_;
};

class RewardScaler {
 public:
  RewardScaler(int num_envs, double gamma, double clip = 10.0, double eps = 1e-8);
  // Updates the return statistics with one vector step's rewards and scales
  // them in place; `ended[e]` resets env e's running return afterwards.
  void scale(std::span<float> rewards, std::span<const std::uint8_t> terminated, std::span<const std::uint8_t> truncated);
  void save(std::ostream& out) const;
  void load(std::istream& in);

 private:
  RunningMeanStd rms_;
  std::vector<double> returns_;
  std::vector<float> buffer_;
  double gamma_, clip_, eps_;
};

}  // namespace pavlov::agents
