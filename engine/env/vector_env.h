// pavlov::VectorEnv: N copies of one registered env, stepped together in the
// calling thread or a pool of threads, writing structure-of-arrays buffers.
//
//   pavlov::VectorEnv venv("CartPole-v1", {.num_envs = 1024, .threads = 2, .seed = 7});
//   const auto& b = venv.reset();                 // b.obs: [1024, 4] float32
//   std::vector<std::int64_t> actions(1024, 1);
//   const auto& s = venv.step(pavlov::ConstArrayView(std::span(actions)));
//   // s.rewards [1024] float32, s.terminated / s.truncated [1024] uint8, ...
//
// Buffers. Every array of a Batch is contiguous, row i belonging to env
// env_ids[i]; they are allocated once, so a tensor can wrap them without a
// copy. They stay valid until the next call that steps or resets.
//
// Seeding. Env i of a reset with seed s is seeded with derive_seed(s, i)
// (rng.h). The first reset without a seed uses the config's seed; later resets
// without one continue each env's stream. The results of env i depend only on
// its seed and actions: one thread, T threads and the asynchronous mode agree
// exactly.
//
// Autoreset (Gymnasium 1.0's modes):
// - kNextStep (default): the step that ends an episode returns its last
//   observation with terminated/truncated set; the next step of that env
//   ignores its action, resets it, and returns the first observation with
//   reward 0 and both flags 0.
// - kSameStep: the step that ends an episode resets the env at once; `obs`
//   holds the new episode's first observation.
// - kDisabled: an env whose episode ended must be reset with reset(mask)
//   before it is stepped again; stepping it is an EnvError.
// In every mode the ending step's last observation is also copied into
// `final_obs` (valid on rows where terminated or truncated is 1), so a learner
// can bootstrap a truncated episode from it, and the finished episode's return
// and length are written to `episode_return` / `episode_length` on that row.
//
// Asynchronous batches (EnvPool's model). With batch_size M < N, send(actions,
// env_ids) hands actions to some envs and returns at once; recv() returns the
// first M envs that finish, in order of completion, with their ids. Start with
// async_reset(), which queues a reset of every env, then alternate recv() and
// send() of the envs just received. step() and reset() are the synchronous
// special case (all N envs, rows in env order) and need batch_size = N.
//
// Steps allocate nothing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <iosfwd>
#include <exception>
#include <memory>
#include <new>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/env/env.h"
#include "engine/env/options.h"
#include "engine/env/worker_pool.h"

namespace pavlov {

enum class AutoresetMode : std::uint8_t { kNextStep, kSameStep, kDisabled };

struct VectorEnvConfig {
  int num_envs = 1;
  // Threads that step envs. 0: min(num_envs, hardware threads). In the
  // synchronous mode the calling thread is one of them (1: no extra thread).
  int threads = 0;
  // Envs returned by recv(); 0 means num_envs.
  int batch_size = 0;
  AutoresetMode autoreset = AutoresetMode::kNextStep;
  std::uint64_t seed = 0;
  OptionMap env_options;  // the env's keyword options
  int frame_stack = 1;    // > 1: each env is a FrameStack of that many frames (frame_stack.h)
};

// Views of one batch of results; `size` rows.
struct Batch {
  std::int64_t size = 0;
  ArrayView obs;                          // [size, obs numel]
  std::span<float> rewards;               // [size]
  std::span<std::uint8_t> terminated;     // [size] 0 or 1
  std::span<std::uint8_t> truncated;      // [size] 0 or 1
  ArrayView final_obs;                    // [size, obs numel], valid where terminated or truncated
  std::span<float> episode_return;        // [size], valid where terminated or truncated
  std::span<std::int32_t> episode_length; // [size], valid where terminated or truncated
  std::span<std::int32_t> env_ids;        // [size]
};

class VectorEnv {
 public:
  VectorEnv(std::string_view id, VectorEnvConfig config);
  ~VectorEnv();
  VectorEnv(const VectorEnv&) = delete;
  VectorEnv& operator=(const VectorEnv&) = delete;

  const std::string& id() const { return envs_.front()->id(); }
  int num_envs() const { return num_envs_; }
  int batch_size() const { return batch_size_; }
  int threads() const { return threads_; }
  AutoresetMode autoreset() const { return autoreset_; }
  const Space& observation_space() const { return envs_.front()->observation_space(); }
  const Space& action_space() const { return envs_.front()->action_space(); }
  Env& env(int i) { return *envs_.at(i); }

  // Synchronous API (batch_size == num_envs).
  // Resets every env, or with a mask ([num_envs] of 0/1) only the envs marked
  // (their rows; other rows keep their last observation and get 0 rewards/flags).
  const Batch& reset(std::optional<std::uint64_t> seed = std::nullopt, std::span<const std::uint8_t> mask = {});
  // Steps every env; `actions` holds num_envs rows of the action space.
  const Batch& step(ConstArrayView actions);

  // Asynchronous API.
  void async_reset(std::optional<std::uint64_t> seed = std::nullopt);
  // `actions` holds one row per id in `env_ids`; each id must have been received and not sent since.
  void send(ConstArrayView actions, std::span<const std::int32_t> env_ids);
  const Batch& recv();

  // Saves and restores the synchronous state: every env (Env::save), the
  // autoreset bookkeeping, and the last observation of each env (rows 0..N-1).
  void save(std::ostream& out) const;
  void load(std::istream& in);

 private:
  int grain() const;
  struct Slot;  // per-env bookkeeping
  ArrayView obs_row(std::int64_t row);
  void reset_row(int env, std::int64_t row, std::optional<std::uint64_t> seed);
  void finish_row(int env, std::int64_t row, const StepResult& r);
  void end_episode(int env, std::int64_t row, const StepResult& r);
  // What step() hands every worker: the action rows, row sizes in bytes, the action space.
  struct StepArgs {
    const std::byte* actions;
    std::size_t action_bytes, obs_bytes;
    const Space* action_space;
  };
  void step_range(int lo, int hi, StepArgs args);
  void work(int env, std::int64_t row, ConstArrayView action, bool reset, std::optional<std::uint64_t> seed);
  void clear_row(std::int64_t row);
  Batch rows(std::int64_t first, std::int64_t count);
  void check_actions(ConstArrayView actions, std::int64_t rows) const;
  void start_async_threads();
  void async_loop();
  void enqueue(int env);
  void rethrow_async_error();

  int num_envs_, batch_size_, threads_;
  AutoresetMode autoreset_;
  std::uint64_t config_seed_;
  bool seeded_ = false;
  std::vector<std::unique_ptr<Env>> envs_;
  std::int64_t obs_numel_, act_numel_;
  DType obs_dtype_, act_dtype_;

  // Result rows: blocks of batch_size rows, a ring of `blocks_` of them.
  // Every array starts on a cache line, so that threads writing neighbouring
  // shares of rows (512 envs each, say) share no line at the seam.
  template <class T>
  struct LineAligned {
    using value_type = T;
    LineAligned() = default;
    template <class U>
    LineAligned(const LineAligned<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
    bool operator==(const LineAligned&) const = default;
  };
  template <class T>
  using Rows = std::vector<T, LineAligned<T>>;
  std::int64_t blocks_;
  Rows<std::byte> obs_, final_obs_;
  Rows<float> rewards_, episode_return_;
  Rows<std::uint8_t> terminated_, truncated_;
  Rows<std::int32_t> episode_length_, env_ids_;
  Rows<Slot> slots_;
  // Written by step() after every batch: kept off the lines of the members
  // above, which every worker reads throughout the batch.
  alignas(64) Batch batch_;

  alignas(64) std::unique_ptr<WorkerPool> pool_;  // synchronous mode

  // Asynchronous mode.
  std::vector<std::byte> pending_actions_;  // [num_envs, act numel]
  std::vector<std::thread> async_threads_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::vector<std::int32_t> queue_;  // ring of env ids, capacity num_envs
  std::int64_t queue_head_ = 0, queue_size_ = 0;
  std::int64_t next_row_ = 0;          // rows handed out, ever
  std::int64_t received_blocks_ = 0;   // blocks returned by recv, ever
  std::vector<std::int64_t> done_in_block_;
  std::vector<std::uint8_t> in_flight_;  // sent (or reset) and not yet received
  std::int64_t in_flight_count_ = 0;
  bool stopping_ = false;
  std::exception_ptr async_error_;
};

}  // namespace pavlov
