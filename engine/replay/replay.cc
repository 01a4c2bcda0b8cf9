#include "engine/replay/replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "engine/config/experiment.h"
#include "engine/io/binary.h"

namespace pavlov {

ReplayOptions replay_options_from(const Config& cfg, int num_envs) {
  return {.capacity = cfg.get_int("replay.capacity"),
          .num_envs = num_envs,
          .n_step = static_cast<int>(cfg.get_int("replay.n_step")),
          .gamma = cfg.get_float("agent.gamma"),
          .batch_size = cfg.get_int("replay.batch_size"),
          .prioritized = cfg.get_bool("replay.prioritized"),
          .alpha = cfg.get_float("replay.alpha"),
          .priority_eps = cfg.get_float("replay.priority_eps")};
}

Replay::Replay(const Space& observation_space, const Space& action_space, ReplayOptions options)
    : options_(options),
      rows_(std::max<std::int64_t>(1, options.capacity / std::max(1, options.num_envs))),
      obs_bytes_(observation_space.numel() * static_cast<std::int64_t>(dtype_size(observation_space.dtype()))),
      act_bytes_(action_space.numel() * static_cast<std::int64_t>(dtype_size(action_space.dtype()))),
      obs_dtype_(observation_space.dtype()),
      act_dtype_(action_space.dtype()),
      obs_numel_(observation_space.numel()),
      act_numel_(action_space.numel()) {
  if (options.num_envs < 1 || options.n_step < 1 || options.batch_size < 1)
    throw std::invalid_argument("Replay: num_envs, n_step and batch_size must be >= 1");
  const std::int64_t slots = rows_ * options.num_envs;
  obs_.resize(slots * obs_bytes_);
  next_obs_.resize(slots * obs_bytes_);
  actions_.resize(slots * act_bytes_);
  rewards_.resize(slots);
  terminated_.resize(slots);
  truncated_.resize(slots);
  for (int k = 0; k <= options.n_step; ++k) gamma_pow_.push_back(k == 0 ? 1.0 : gamma_pow_.back() * options.gamma);
  const std::int64_t b = options.batch_size;
  b_obs_.resize(b * obs_bytes_);
  b_next_obs_.resize(b * obs_bytes_);
  b_actions_.resize(b * act_bytes_);
  b_returns_.resize(b);
  b_discounts_.resize(b);
  b_weights_.assign(b, 1.0f);
  b_indices_.assign(b, 0);
  sample_ = {b,
             ArrayView(b_obs_.data(), obs_dtype_, b * obs_numel_),
             ArrayView(b_actions_.data(), act_dtype_, b * act_numel_),
             b_returns_,
             b_discounts_,
             ArrayView(b_next_obs_.data(), obs_dtype_, b * obs_numel_),
             b_weights_,
             b_indices_};
  if (options.prioritized) tree_ = std::make_unique<SumTree>(slots);
}

void Replay::enter_new_rows(std::int64_t slot0) {
  if (!tree_) return;
  const double p = std::pow(max_priority_, options_.alpha);
  for (int e = 0; e < options_.num_envs; ++e) tree_->set(slot0 + e, p);
}

void Replay::add(ConstArrayView obs, ConstArrayView actions, const Batch& r) {
  const int n = options_.num_envs;
  const std::int64_t slot0 = pos_ * n;
  std::memcpy(obs_.data() + slot0 * obs_bytes_, obs.data, n * obs_bytes_);
  std::memcpy(actions_.data() + slot0 * act_bytes_, actions.data, n * act_bytes_);
  for (int e = 0; e < n; ++e) {
    const bool done = r.terminated[e] || r.truncated[e];
    const std::byte* next = static_cast<const std::byte*>(done ? r.final_obs.data : r.obs.data) + e * obs_bytes_;
    std::memcpy(next_obs_.data() + (slot0 + e) * obs_bytes_, next, obs_bytes_);
    rewards_[slot0 + e] = r.rewards[e];
    terminated_[slot0 + e] = r.terminated[e];
    truncated_[slot0 + e] = r.truncated[e];
  }
  enter_new_rows(slot0);
  pos_ = (pos_ + 1) % rows_;
  full_ = full_ || pos_ == 0;
}

void Replay::add(ConstArrayView obs, ConstArrayView actions, std::span<const float> rewards, ConstArrayView next_obs,
                 std::span<const std::uint8_t> terminated, std::span<const std::uint8_t> truncated) {
  const int n = options_.num_envs;
  const std::int64_t slot0 = pos_ * n;
  std::memcpy(obs_.data() + slot0 * obs_bytes_, obs.data, n * obs_bytes_);
  std::memcpy(actions_.data() + slot0 * act_bytes_, actions.data, n * act_bytes_);
  std::memcpy(next_obs_.data() + slot0 * obs_bytes_, next_obs.data, n * obs_bytes_);
  for (int e = 0; e < n; ++e) {
    rewards_[slot0 + e] = rewards[e];
    terminated_[slot0 + e] = terminated[e];
    truncated_[slot0 + e] = truncated[e];
  }
  enter_new_rows(slot0);
  pos_ = (pos_ + 1) % rows_;
  full_ = full_ || pos_ == 0;
}

void Replay::gather(std::int64_t t, int e, std::int64_t b) {
  const int n = options_.num_envs;
  // Steps stored from row t up to the newest one.
  std::int64_t available = full_ ? (pos_ - t + rows_) % rows_ : pos_ - t;
  if (available <= 0) available += rows_;
  const std::int64_t steps = std::min<std::int64_t>(options_.n_step, available);
  double ret = 0.0;
  std::int64_t m = 0, last = 0;
  bool terminal = false;
  for (; m < steps;) {
    last = ((t + m) % rows_) * n + e;
    ret += gamma_pow_[m] * rewards_[last];
    ++m;
    if (terminated_[last] || truncated_[last]) {
      terminal = terminated_[last];
      break;
    }
  }
  const std::int64_t first = t * n + e;
  std::memcpy(b_obs_.data() + b * obs_bytes_, obs_.data() + first * obs_bytes_, obs_bytes_);
  std::memcpy(b_actions_.data() + b * act_bytes_, actions_.data() + first * act_bytes_, act_bytes_);
  std::memcpy(b_next_obs_.data() + b * obs_bytes_, next_obs_.data() + last * obs_bytes_, obs_bytes_);
  b_returns_[b] = static_cast<float>(ret);
  b_discounts_[b] = terminal ? 0.0f : static_cast<float>(gamma_pow_[m]);
}

const ReplaySample& Replay::sample(Rng& rng, double beta) {
  const std::int64_t filled = full_ ? rows_ : pos_;
  if (filled == 0) throw std::logic_error("Replay::sample on an empty replay");
  const int n = options_.num_envs;
  if (!tree_) {
    for (std::int64_t b = 0; b < options_.batch_size; ++b) {
      const auto t = static_cast<std::int64_t>(rng.below(filled));
      const auto e = static_cast<int>(rng.below(n));
      gather(t, e, b);
      b_indices_[b] = t * n + e;
    }
    return sample_;
  }
  const double total = tree_->total(), slice = total / static_cast<double>(options_.batch_size);
  const double count = static_cast<double>(size());
  // The largest weight belongs to the least likely transition; dividing by it keeps weights in (0, 1].
  const double max_weight = std::pow(count * tree_->min() / total, -beta);
  for (std::int64_t b = 0; b < options_.batch_size; ++b) {
    const double mass = std::min((static_cast<double>(b) + rng.uniform()) * slice, std::nextafter(total, 0.0));
    const std::int64_t i = tree_->find(mass);
    gather(i / n, static_cast<int>(i % n), b);
    b_indices_[b] = i;
    b_weights_[b] = static_cast<float>(std::pow(count * tree_->get(i) / total, -beta) / max_weight);
  }
  return sample_;
}

void Replay::update_priorities(std::span<const std::int64_t> indices, std::span<const float> td_errors) {
  if (!tree_) return;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const double p = std::abs(static_cast<double>(td_errors[k])) + options_.priority_eps;
    max_priority_ = std::max(max_priority_, p);
    tree_->set(indices[k], std::pow(p, options_.alpha));
  }
}

void Replay::save(std::ostream& out) const {
  io::write_pod(out, pos_);
  io::write_pod(out, full_);
  const std::int64_t used = (full_ ? rows_ : pos_) * options_.num_envs;
  out.write(reinterpret_cast<const char*>(obs_.data()), used * obs_bytes_);
  out.write(reinterpret_cast<const char*>(next_obs_.data()), used * obs_bytes_);
  out.write(reinterpret_cast<const char*>(actions_.data()), used * act_bytes_);
  out.write(reinterpret_cast<const char*>(rewards_.data()), used * sizeof(float));
  out.write(reinterpret_cast<const char*>(terminated_.data()), used);
  out.write(reinterpret_cast<const char*>(truncated_.data()), used);
  if (tree_) {  // only then: checkpoints of uniform replays keep their format
    io::write_pod(out, max_priority_);
    for (std::int64_t i = 0; i < used; ++i) io::write_pod(out, tree_->get(i));
  }
}

void Replay::load(std::istream& in) {
  pos_ = io::read_pod<std::int64_t>(in);
  full_ = io::read_pod<bool>(in);
  if (pos_ < 0 || pos_ >= rows_) throw std::runtime_error("replay data does not fit this replay's capacity");
  const std::int64_t used = (full_ ? rows_ : pos_) * options_.num_envs;
  auto read = [&](void* p, std::int64_t bytes) {
    if (!in.read(static_cast<char*>(p), bytes)) throw std::runtime_error("checkpoint data ends early (replay)");
  };
  read(obs_.data(), used * obs_bytes_);
  read(next_obs_.data(), used * obs_bytes_);
  read(actions_.data(), used * act_bytes_);
  read(rewards_.data(), used * sizeof(float));
  read(terminated_.data(), used);
  read(truncated_.data(), used);
  if (tree_) {
    max_priority_ = io::read_pod<double>(in);
    for (std::int64_t i = 0; i < used; ++i) tree_->set(i, io::read_pod<double>(in));
  }
}

}  // namespace pavlov
