#include "engine/env/vector_env.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "engine/env/env_error.h"
#include "engine/env/frame_stack.h"
#include "engine/env/registry.h"
#include "engine/env/rng.h"
#include "engine/io/binary.h"

namespace pavlov {

struct VectorEnv::Slot {
  bool needs_reset = false;  // kNextStep: the last step ended the episode
  double episode_return = 0.0;
  std::int32_t episode_length = 0;
  bool pending_reset = false;  // async: the next job is a reset
  std::optional<std::uint64_t> reset_seed;
};

VectorEnv::VectorEnv(std::string_view id, VectorEnvConfig config)
    : num_envs_(config.num_envs),
      batch_size_(config.batch_size == 0 ? config.num_envs : config.batch_size),
      autoreset_(config.autoreset),
      config_seed_(config.seed) {
  if (num_envs_ < 1) throw EnvError(std::string(id) + ": num_envs must be >= 1, got " + std::to_string(num_envs_));
  if (batch_size_ < 1 || batch_size_ > num_envs_)
    throw EnvError(std::string(id) + ": batch_size must lie in [1, num_envs = " + std::to_string(num_envs_) +
                   "], got " + std::to_string(batch_size_));
  const int hw = std::max(1u, std::thread::hardware_concurrency());
  threads_ = config.threads == 0 ? std::min(num_envs_, hw) : config.threads;
  if (threads_ < 1 || threads_ > num_envs_)
    throw EnvError(std::string(id) + ": threads must lie in [1, num_envs = " + std::to_string(num_envs_) +
                   "] (0: one per core), got " + std::to_string(config.threads));

  for (int i = 0; i < num_envs_; ++i) envs_.push_back(stack_frames(make_env(id, config.env_options), config.frame_stack));
  const Space& os = envs_.front()->observation_space();
  const Space& as = envs_.front()->action_space();
  obs_numel_ = os.numel();
  obs_dtype_ = os.dtype();
  act_numel_ = as.numel();
  act_dtype_ = as.dtype();

  // Enough blocks that rows handed to envs in flight never reach the block the
  // caller is reading: at most num_envs results are pending at any time.
  blocks_ = (num_envs_ + batch_size_ - 1) / batch_size_ + 1;
  const std::int64_t total = blocks_ * batch_size_;
  obs_.assign(total * obs_numel_ * dtype_size(obs_dtype_), std::byte{0});
  final_obs_.assign(obs_.size(), std::byte{0});
  rewards_.assign(total, 0.0f);
  episode_return_.assign(total, 0.0f);
  terminated_.assign(total, 0);
  truncated_.assign(total, 0);
  episode_length_.assign(total, 0);
  env_ids_.assign(total, 0);
  slots_.resize(num_envs_);
  pending_actions_.assign(num_envs_ * act_numel_ * dtype_size(act_dtype_), std::byte{0});
  queue_.assign(num_envs_, 0);
  done_in_block_.assign(blocks_, 0);
  in_flight_.assign(num_envs_, 0);
  if (batch_size_ == num_envs_) pool_ = std::make_unique<WorkerPool>(threads_);
}

VectorEnv::~VectorEnv() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : async_threads_) t.join();
}

Batch VectorEnv::rows(std::int64_t first, std::int64_t count) {
  const std::int64_t obs_bytes = obs_numel_ * static_cast<std::int64_t>(dtype_size(obs_dtype_));
  return Batch{count,
               ArrayView(obs_.data() + first * obs_bytes, obs_dtype_, count * obs_numel_),
               {rewards_.data() + first, static_cast<std::size_t>(count)},
               {terminated_.data() + first, static_cast<std::size_t>(count)},
               {truncated_.data() + first, static_cast<std::size_t>(count)},
               ArrayView(final_obs_.data() + first * obs_bytes, obs_dtype_, count * obs_numel_),
               {episode_return_.data() + first, static_cast<std::size_t>(count)},
               {episode_length_.data() + first, static_cast<std::size_t>(count)},
               {env_ids_.data() + first, static_cast<std::size_t>(count)}};
}

void VectorEnv::clear_row(std::int64_t row) {
  rewards_[row] = 0.0f;
  terminated_[row] = truncated_[row] = 0;
  episode_return_[row] = 0.0f;
  episode_length_[row] = 0;
}

ArrayView VectorEnv::obs_row(std::int64_t row) {
  return ArrayView(obs_.data() + row * obs_numel_ * dtype_size(obs_dtype_), obs_dtype_, obs_numel_);
}

void VectorEnv::reset_row(int env, std::int64_t row, std::optional<std::uint64_t> seed) {
  envs_[env]->reset(obs_row(row), seed);
  slots_[env] = Slot{};
  env_ids_[row] = env;
  clear_row(row);
}

// Everything after a step, whatever the scheduling: results, episode
// statistics, and at an episode's end (end_episode) the final observation and
// the autoreset. Inlined into the stepping loops: for a CartPole, a call here
// cost as much as a tenth of the step. The byte-sized flags are stored last,
// since a store through a uint8_t may alias every member the others read.
[[gnu::always_inline]] inline void VectorEnv::finish_row(int env, std::int64_t row, const StepResult& r) {
  Slot& slot = slots_[env];
  slot.episode_return += r.reward;
  ++slot.episode_length;
  rewards_[row] = static_cast<float>(r.reward);
  env_ids_[row] = env;
  if (r.terminated || r.truncated) [[unlikely]] {
    end_episode(env, row, r);
    return;
  }
  episode_return_[row] = 0.0f;
  episode_length_[row] = 0;
  terminated_[row] = 0;
  truncated_[row] = 0;
}

void VectorEnv::end_episode(int env, std::int64_t row, const StepResult& r) {
  Slot& slot = slots_[env];
  terminated_[row] = r.terminated;
  truncated_[row] = r.truncated;
  const std::size_t bytes = obs_numel_ * dtype_size(obs_dtype_);
  std::memcpy(final_obs_.data() + row * bytes, obs_.data() + row * bytes, bytes);
  episode_return_[row] = static_cast<float>(slot.episode_return);
  episode_length_[row] = slot.episode_length;
  slot.episode_return = 0.0;
  slot.episode_length = 0;
  if (autoreset_ == AutoresetMode::kSameStep) envs_[env]->reset(obs_row(row));
  else if (autoreset_ == AutoresetMode::kNextStep) slot.needs_reset = true;
}

// One env, for the asynchronous mode.
void VectorEnv::work(int env, std::int64_t row, ConstArrayView action, bool reset, std::optional<std::uint64_t> seed) {
  if (reset || slots_[env].needs_reset) {
    reset_row(env, row, seed);
    return;
  }
  finish_row(env, row, envs_[env]->step(action, obs_row(row)));
}

void VectorEnv::check_actions(ConstArrayView actions, std::int64_t n) const {
  if (actions.dtype != act_dtype_ || actions.size != n * act_numel_)
    throw EnvError(id() + ": the actions buffer holds " + std::to_string(actions.size) + " " +
                   std::string(dtype_name(actions.dtype)) + " values; " + std::to_string(n) + " envs of " +
                   action_space().to_string() + " need " + std::to_string(n * act_numel_) + " " +
                   std::string(dtype_name(act_dtype_)) + " values");
}

const Batch& VectorEnv::reset(std::optional<std::uint64_t> seed, std::span<const std::uint8_t> mask) {
  if (!pool_) throw EnvError(id() + ": reset() is synchronous; with batch_size < num_envs use async_reset() and recv()");
  if (!mask.empty() && static_cast<int>(mask.size()) != num_envs_)
    throw EnvError(id() + ": the reset mask needs one entry per env (" + std::to_string(num_envs_) + ")");
  if (!seed && !seeded_) seed = config_seed_;
  if (seed) seeded_ = true;
  auto task = [&](int lo, int hi) {
    for (int i = lo; i < hi; ++i) {
      if (!mask.empty() && !mask[i]) {
        clear_row(i);
        continue;
      }
      reset_row(i, i, seed ? std::optional(derive_seed(*seed, i)) : std::nullopt);
    }
  };
  pool_->parallel_for(num_envs_, grain(), task);
  batch_ = rows(0, num_envs_);
  return batch_;
}

// Envs per work item: up to 32 (cheap envs are stepped in batches), but small
// enough that every thread gets several items when envs are few and costly
// (16 LunarLanders on 2 threads: items of 2, not one item of 16).
int VectorEnv::grain() const { return std::clamp(num_envs_ / (4 * threads_), 1, 32); }

const Batch& VectorEnv::step(ConstArrayView actions) {
  if (!pool_) throw EnvError(id() + ": step() is synchronous; with batch_size < num_envs use send() and recv()");
  check_actions(actions, num_envs_);
  const StepArgs args{static_cast<const std::byte*>(actions.data), act_numel_ * dtype_size(act_dtype_),
                      obs_numel_ * dtype_size(obs_dtype_), &action_space()};
  // Each worker steps its own contiguous share of the envs first, then helps
  // with the others' (WorkerPool::parallel_for). Row i is env i whatever
  // thread steps it. step_range gets the arguments by value: see
  // WorkerPool::parallel_for on reading the caller's frame.
  auto task = [this, args](int lo, int hi) { step_range(lo, hi, args); };
  pool_->parallel_for(num_envs_, grain(), task);
  batch_ = rows(0, num_envs_);
  return batch_;
}

// Steps envs [lo, hi) in groups handed to the env class's step_many_impl, so
// that it can interleave (or vectorize) their dynamics. A bad action raises
// its env's error; envs of other groups may have stepped.
void VectorEnv::step_range(int lo, int hi, StepArgs args) {
  constexpr int kGroup = 32;
  // Uninitialised storage: zeroing 32 jobs per call cost more than stepping a
  // CartPole. StepJob is an aggregate (implicit-lifetime), so the bytes may
  // hold them; each used element is written before it is read.
  alignas(StepJob) std::byte job_bytes[sizeof(StepJob) * kGroup];
  auto* jobs = reinterpret_cast<StepJob*>(job_bytes);
  int ids[kGroup];
  for (int i = lo; i < hi;) {
    int n = 0;
    for (; i < hi && n < kGroup; ++i) {
      if (slots_[i].needs_reset) {
        reset_row(i, i, std::nullopt);
        continue;
      }
      // Filled field by field: building the views whole and copying them
      // stalled on store forwarding (GCC 12), a third of this loop's time.
      StepJob& job = *std::construct_at(&jobs[n]);
      job.env = envs_[i].get();
      job.action.data = args.actions + i * args.action_bytes;
      job.action.dtype = act_dtype_;
      job.action.size = act_numel_;
      job.obs.data = obs_.data() + i * args.obs_bytes;
      job.obs.dtype = obs_dtype_;
      job.obs.size = obs_numel_;
      // A bad action: the env it was meant for raises its usual error.
      if (!Env::acceptable_action(*args.action_space, job.action)) [[unlikely]]
        envs_[i]->check_step(job.action, job.obs);
      job.env->check_running();
      ids[n++] = i;
    }
    if (n == 0) continue;
    jobs[0].env->step_many_impl({jobs, static_cast<std::size_t>(n)});
    for (int k = 0; k < n; ++k) finish_row(ids[k], ids[k], jobs[k].env->finish_step(jobs[k].transition));
  }
}

void VectorEnv::save(std::ostream& out) const {
  io::write_pod(out, num_envs_);
  io::write_pod(out, seeded_);
  for (int i = 0; i < num_envs_; ++i) {
    envs_[i]->save(out);
    const Slot& s = slots_[i];
    io::write_pod(out, s.needs_reset);
    io::write_pod(out, s.episode_return);
    io::write_pod(out, s.episode_length);
  }
  const std::size_t bytes = num_envs_ * obs_numel_ * dtype_size(obs_dtype_);
  out.write(reinterpret_cast<const char*>(obs_.data()), static_cast<std::streamsize>(bytes));
}

void VectorEnv::load(std::istream& in) {
  if (io::read_pod<int>(in) != num_envs_) throw EnvError(id() + ": the saved state has another number of envs");
  seeded_ = io::read_pod<bool>(in);
  std::vector<std::byte> scratch(obs_numel_ * dtype_size(obs_dtype_));
  for (int i = 0; i < num_envs_; ++i) {
    envs_[i]->load(in, ArrayView(scratch.data(), obs_dtype_, obs_numel_));
    Slot& s = slots_[i];
    s = Slot{};
    s.needs_reset = io::read_pod<bool>(in);
    s.episode_return = io::read_pod<double>(in);
    s.episode_length = io::read_pod<std::int32_t>(in);
  }
  const std::size_t bytes = num_envs_ * obs_numel_ * dtype_size(obs_dtype_);
  if (!in.read(reinterpret_cast<char*>(obs_.data()), static_cast<std::streamsize>(bytes)))
    throw EnvError(id() + ": the saved state ends early");
  batch_ = rows(0, num_envs_);
}

// --- asynchronous mode -------------------------------------------------------

void VectorEnv::start_async_threads() {
  if (!async_threads_.empty()) return;
  for (int t = 0; t < threads_; ++t) async_threads_.emplace_back([this] { async_loop(); });
}

void VectorEnv::enqueue(int env) {  // mu_ held
  queue_[(queue_head_ + queue_size_) % num_envs_] = env;
  ++queue_size_;
  in_flight_[env] = 1;
  ++in_flight_count_;
}

void VectorEnv::async_reset(std::optional<std::uint64_t> seed) {
  start_async_threads();
  if (!seed && !seeded_) seed = config_seed_;
  if (seed) seeded_ = true;
  {
    std::lock_guard lock(mu_);
    for (int i = 0; i < num_envs_; ++i)
      if (in_flight_[i]) throw EnvError(id() + ": async_reset() while env " + std::to_string(i) + " is in flight; recv() it first");
    for (int i = 0; i < num_envs_; ++i) {
      slots_[i].pending_reset = true;
      slots_[i].reset_seed = seed ? std::optional(derive_seed(*seed, i)) : std::nullopt;
      enqueue(i);
    }
  }
  work_cv_.notify_all();
}

void VectorEnv::send(ConstArrayView actions, std::span<const std::int32_t> env_ids) {
  start_async_threads();
  check_actions(actions, static_cast<std::int64_t>(env_ids.size()));
  const std::size_t act_bytes = act_numel_ * dtype_size(act_dtype_);
  {
    std::lock_guard lock(mu_);
    for (std::size_t k = 0; k < env_ids.size(); ++k) {
      const std::int32_t e = env_ids[k];
      if (e < 0 || e >= num_envs_) throw EnvError(id() + ": send() to env " + std::to_string(e) + ", which does not exist");
      if (in_flight_[e]) throw EnvError(id() + ": send() to env " + std::to_string(e) + ", which has not been received yet");
    }
    for (std::size_t k = 0; k < env_ids.size(); ++k) {
      std::memcpy(pending_actions_.data() + env_ids[k] * act_bytes,
                  static_cast<const std::byte*>(actions.data) + k * act_bytes, act_bytes);
      enqueue(env_ids[k]);
    }
  }
  work_cv_.notify_all();
}

void VectorEnv::async_loop() {
  const std::size_t act_bytes = act_numel_ * dtype_size(act_dtype_);
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || queue_size_ > 0; });
    if (stopping_) return;
    const int env = queue_[queue_head_];
    queue_head_ = (queue_head_ + 1) % num_envs_;
    --queue_size_;
    const std::int64_t ticket = next_row_++;
    const std::int64_t block = (ticket / batch_size_) % blocks_;
    const std::int64_t row = block * batch_size_ + ticket % batch_size_;
    Slot& slot = slots_[env];
    const bool reset = slot.pending_reset;
    const auto seed = slot.reset_seed;
    slot.pending_reset = false;
    lock.unlock();
    try {
      work(env, row, ConstArrayView(pending_actions_.data() + env * act_bytes, act_dtype_, act_numel_), reset, seed);
    } catch (...) {
      lock.lock();
      if (!async_error_) async_error_ = std::current_exception();
      lock.unlock();
    }
    lock.lock();
    if (++done_in_block_[block] == batch_size_) done_cv_.notify_all();
  }
}

void VectorEnv::rethrow_async_error() {  // mu_ held
  if (!async_error_) return;
  std::exception_ptr e;
  std::swap(e, async_error_);
  std::rethrow_exception(e);
}

const Batch& VectorEnv::recv() {
  std::unique_lock lock(mu_);
  const std::int64_t block = received_blocks_ % blocks_;
  if (in_flight_count_ < batch_size_)
    throw EnvError(id() + ": recv() would wait forever: fewer than batch_size = " + std::to_string(batch_size_) +
                   " envs are in flight; send() to more envs first");
  done_cv_.wait(lock, [&] { return done_in_block_[block] == batch_size_ || async_error_; });
  rethrow_async_error();
  done_in_block_[block] = 0;
  ++received_blocks_;
  batch_ = rows(block * batch_size_, batch_size_);
  for (std::int32_t e : batch_.env_ids) in_flight_[e] = 0;
  in_flight_count_ -= batch_size_;
  return batch_;
}

}  // namespace pavlov
