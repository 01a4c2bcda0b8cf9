#include "engine/replay/replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
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
          .priority_eps = cfg.get_float("replay.priority_eps"),
          .frame_stack = static_cast<int>(cfg.get_int("env.frame_stack"))};
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
  if (deduplicated()) {
    const int k = options.frame_stack;
    if (obs_numel_ % k != 0 || observation_space.shape().empty() || observation_space.shape()[0] % k != 0)
      throw std::invalid_argument("Replay: frame_stack " + std::to_string(k) + " does not divide the observation's first axis");
    frame_bytes_ = obs_bytes_ / k;
    frame_cap_ = 2 * rows_ + 2 * k;  // one frame per step and a stack per episode start, with room to spare
    frames_.resize(static_cast<std::size_t>(options.num_envs) * frame_cap_ * frame_bytes_);
    frames_written_.assign(options.num_envs, 0);
    last_next_.assign(options.num_envs, -1);
    obs_pos_.assign(slots, -1);
    next_pos_.assign(slots, -1);
  } else {
    obs_.resize(slots * obs_bytes_);
    next_obs_.resize(slots * obs_bytes_);
  }
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
  written_.assign(options.num_envs, 0);
}

void Replay::enter_new(std::int64_t slot) {
  if (tree_) tree_->set(slot, std::pow(max_priority_, options_.alpha));
}

std::int64_t Replay::fullest() const { return std::min(*std::max_element(written_.begin(), written_.end()), rows_); }

std::int64_t Replay::size() const {
  std::int64_t n = 0;
  for (int e = 0; e < options_.num_envs; ++e) n += filled(e);
  return n;
}

void Replay::add(ConstArrayView obs, ConstArrayView actions, const Batch& r, int first_env,
                 std::span<const float> priorities) {
  if (first_env < 0 || first_env + r.size > options_.num_envs)
    throw std::out_of_range("Replay::add: env columns out of range");
  const int n = options_.num_envs;
  for (std::int64_t i = 0; i < r.size; ++i) {
    const int e = first_env + static_cast<int>(i);
    const std::int64_t slot = position(e) * n + e;
    const bool done = r.terminated[i] || r.truncated[i];
    const std::byte* next = static_cast<const std::byte*>(done ? r.final_obs.data : r.obs.data) + i * obs_bytes_;
    store_obs(e, slot, static_cast<const std::byte*>(obs.data) + i * obs_bytes_, next, done);
    std::memcpy(actions_.data() + slot * act_bytes_, static_cast<const std::byte*>(actions.data) + i * act_bytes_, act_bytes_);
    rewards_[slot] = r.rewards[i];
    terminated_[slot] = r.terminated[i];
    truncated_[slot] = r.truncated[i];
    if (tree_ && !priorities.empty()) set_priority(slot, priorities[i]);
    else enter_new(slot);
    ++written_[e];
  }
}

void Replay::add(ConstArrayView obs, ConstArrayView actions, std::span<const float> rewards, ConstArrayView next_obs,
                 std::span<const std::uint8_t> terminated, std::span<const std::uint8_t> truncated) {
  const int n = options_.num_envs;
  for (int e = 0; e < n; ++e) {
    const std::int64_t slot = position(e) * n + e;
    store_obs(e, slot, static_cast<const std::byte*>(obs.data) + e * obs_bytes_,
              static_cast<const std::byte*>(next_obs.data) + e * obs_bytes_, terminated[e] || truncated[e]);
    std::memcpy(actions_.data() + slot * act_bytes_, static_cast<const std::byte*>(actions.data) + e * act_bytes_, act_bytes_);
    rewards_[slot] = rewards[e];
    terminated_[slot] = terminated[e];
    truncated_[slot] = truncated[e];
    enter_new(slot);
    ++written_[e];
  }
}

void Replay::cut(int first_env, int n) {
  for (int e = first_env; e < first_env + n && e < options_.num_envs; ++e) {
    if (written_[e] > 0) truncated_[((written_[e] - 1) % rows_) * options_.num_envs + e] = 1;
    if (deduplicated()) last_next_[e] = -1;
  }
}

std::int64_t Replay::observation_bytes() const {
  return static_cast<std::int64_t>(deduplicated() ? frames_.size() : obs_.size() + next_obs_.size());
}

const std::byte* Replay::frame_at(int e, std::int64_t position) const {
  return frames_.data() + (static_cast<std::size_t>(e) * frame_cap_ + position % frame_cap_) * frame_bytes_;
}

std::int64_t Replay::append_frames(int e, const std::byte* frames, int count) {
  for (int j = 0; j < count; ++j) {
    std::byte* dst = frames_.data() + (static_cast<std::size_t>(e) * frame_cap_ + frames_written_[e] % frame_cap_) * frame_bytes_;
    std::memcpy(dst, frames + j * frame_bytes_, frame_bytes_);
    ++frames_written_[e];
  }
  return frames_written_[e] - 1;
}

bool Replay::ring_holds(int e, std::int64_t newest, const std::byte* stack, int count) const {
  if (newest < 0 || newest - count + 1 < std::max<std::int64_t>(0, frames_written_[e] - frame_cap_)) return false;
  for (int j = 0; j < count; ++j)
    if (std::memcmp(frame_at(e, newest - count + 1 + j), stack + j * frame_bytes_, frame_bytes_) != 0) return false;
  return true;
}

void Replay::store_obs(int e, std::int64_t slot, const std::byte* obs, const std::byte* next, bool done) {
  if (!deduplicated()) {
    std::memcpy(obs_.data() + slot * obs_bytes_, obs, obs_bytes_);
    std::memcpy(next_obs_.data() + slot * obs_bytes_, next, obs_bytes_);
    return;
  }
  const int k = options_.frame_stack;
  // This observation continues the column's last next observation (the usual case), or it starts anew.
  obs_pos_[slot] = ring_holds(e, last_next_[e], obs, k) ? last_next_[e] : append_frames(e, obs, k);
  // The next observation shifts in one frame after this one's; if it does not, all of it is kept.
  next_pos_[slot] = ring_holds(e, obs_pos_[slot], next, k - 1) ? append_frames(e, next + (k - 1) * frame_bytes_, 1)
                                                               : append_frames(e, next, k);
  last_next_[e] = done ? -1 : next_pos_[slot];
}

void Replay::load_obs(std::int64_t slot, bool next, std::byte* dst) const {
  if (!deduplicated()) {
    std::memcpy(dst, (next ? next_obs_ : obs_).data() + slot * obs_bytes_, obs_bytes_);
    return;
  }
  const int e = static_cast<int>(slot % options_.num_envs), k = options_.frame_stack;
  const std::int64_t newest = next ? next_pos_[slot] : obs_pos_[slot];
  for (int j = 0; j < k; ++j) std::memcpy(dst + j * frame_bytes_, frame_at(e, newest - k + 1 + j), frame_bytes_);
}

bool Replay::slot_valid(std::int64_t slot) const {
  if (!deduplicated()) return true;
  const int e = static_cast<int>(slot % options_.num_envs);
  return obs_pos_[slot] - options_.frame_stack + 1 >= std::max<std::int64_t>(0, frames_written_[e] - frame_cap_);
}

void Replay::gather(std::int64_t t, int e, std::int64_t b) {
  const int n = options_.num_envs;
  // Steps stored from row t up to the newest one of column e.
  const std::int64_t pos = position(e);
  std::int64_t available = written_[e] >= rows_ ? (pos - t + rows_) % rows_ : pos - t;
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
  load_obs(first, false, b_obs_.data() + b * obs_bytes_);
  std::memcpy(b_actions_.data() + b * act_bytes_, actions_.data() + first * act_bytes_, act_bytes_);
  load_obs(last, true, b_next_obs_.data() + b * obs_bytes_);
  b_returns_[b] = static_cast<float>(ret);
  b_discounts_[b] = terminal ? 0.0f : static_cast<float>(gamma_pow_[m]);
}

const ReplaySample& Replay::sample(Rng& rng, double beta) {
  const std::int64_t rows = fullest();
  if (rows == 0) throw std::logic_error("Replay::sample on an empty replay");
  const int n = options_.num_envs;
  if (!tree_) {
    for (std::int64_t b = 0; b < options_.batch_size; ++b) {
      std::int64_t t;
      int e;
      do {  // columns written unevenly (async actors): draw again where column e has no row t yet
        t = static_cast<std::int64_t>(rng.below(rows));
        e = static_cast<int>(rng.below(n));
      } while (t >= filled(e) || !slot_valid(t * n + e));
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
    std::int64_t i = tree_->find(mass);
    if (!slot_valid(i)) {  // its frames were overwritten (frame rings only, and only if stacks rarely continue)
      tree_->set(i, 0.0);
      i = tree_->find(std::min(rng.uniform() * tree_->total(), std::nextafter(tree_->total(), 0.0)));
    }
    gather(i / n, static_cast<int>(i % n), b);
    b_indices_[b] = i;
    b_weights_[b] = static_cast<float>(std::pow(count * tree_->get(i) / total, -beta) / max_weight);
  }
  return sample_;
}

void Replay::set_priority(std::int64_t slot, float td_error) {
  const double p = std::abs(static_cast<double>(td_error)) + options_.priority_eps;
  max_priority_ = std::max(max_priority_, p);
  tree_->set(slot, std::pow(p, options_.alpha));
}

void Replay::update_priorities(std::span<const std::int64_t> indices, std::span<const float> td_errors) {
  if (!tree_) return;
  for (std::size_t k = 0; k < indices.size(); ++k) set_priority(indices[k], td_errors[k]);
}

void Replay::save(std::ostream& out) const {
  // Level columns keep the format of one position and a full flag; uneven
  // ones (async) write -1 and then every column's count.
  const bool level = std::adjacent_find(written_.begin(), written_.end(), std::not_equal_to<>()) == written_.end();
  if (level) {
    io::write_pod(out, position(0));
    io::write_pod(out, written_[0] >= rows_);
  } else {
    io::write_pod(out, std::int64_t{-1});
    io::write_vector(out, written_);
  }
  const std::int64_t used = fullest() * options_.num_envs;
  if (deduplicated()) {  // the frame rings and where each transition's frames are
    io::write_vector(out, frames_written_);
    io::write_vector(out, last_next_);
    out.write(reinterpret_cast<const char*>(frames_.data()), static_cast<std::streamsize>(frames_.size()));
    out.write(reinterpret_cast<const char*>(obs_pos_.data()), used * sizeof(std::int64_t));
    out.write(reinterpret_cast<const char*>(next_pos_.data()), used * sizeof(std::int64_t));
  } else {
    out.write(reinterpret_cast<const char*>(obs_.data()), used * obs_bytes_);
    out.write(reinterpret_cast<const char*>(next_obs_.data()), used * obs_bytes_);
  }
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
  const auto pos = io::read_pod<std::int64_t>(in);
  if (pos == -1) {
    const auto w = io::read_vector<std::int64_t>(in);
    if (w.size() != written_.size()) throw std::runtime_error("replay data was written for another number of envs");
    written_ = w;
  } else {
    const bool full = io::read_pod<bool>(in);
    if (pos < 0 || pos >= rows_) throw std::runtime_error("replay data does not fit this replay's capacity");
    written_.assign(written_.size(), full ? rows_ + pos : pos);
  }
  const std::int64_t used = fullest() * options_.num_envs;
  auto read = [&](void* p, std::int64_t bytes) {
    if (!in.read(static_cast<char*>(p), bytes)) throw std::runtime_error("checkpoint data ends early (replay)");
  };
  if (deduplicated()) {
    const auto fw = io::read_vector<std::int64_t>(in), ln = io::read_vector<std::int64_t>(in);
    if (fw.size() != frames_written_.size() || ln.size() != last_next_.size())
      throw std::runtime_error("replay data was written for another number of envs");
    frames_written_ = fw;
    last_next_ = ln;
    read(frames_.data(), static_cast<std::int64_t>(frames_.size()));
    read(obs_pos_.data(), used * static_cast<std::int64_t>(sizeof(std::int64_t)));
    read(next_pos_.data(), used * static_cast<std::int64_t>(sizeof(std::int64_t)));
  } else {
    read(obs_.data(), used * obs_bytes_);
    read(next_obs_.data(), used * obs_bytes_);
  }
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
