#include "engine/env/worker_pool.h"

#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PAVLOV_PAUSE() _mm_pause()
#else
#define PAVLOV_PAUSE() std::this_thread::yield()
#endif

namespace pavlov {
namespace {
// About 20-50 microseconds of spinning before a thread goes to sleep.
constexpr int kSpinIterations = 1 << 12;

// One iteration of a spin-wait. Now and then (every 256 pauses, a few
// microseconds) it yields the core: should the thread being waited for share
// this core (the scheduler may put both threads there), spinning alone would
// keep it from running. Yielding more often costs: a sched_yield every 64
// pauses took a third off the 2-thread throughput of 1024 CartPoles.
inline void relax(int spin) {
  if ((spin & 255) == 255) std::this_thread::yield();
  else PAVLOV_PAUSE();
}
}  // namespace

WorkerPool::WorkerPool(int size) : size_(size) {
  if (size < 1) throw std::invalid_argument("WorkerPool: size must be >= 1");
  shares_ = std::make_unique<Share[]>(size);
  for (int w = 1; w < size; ++w) helpers_.emplace_back([this, w] { helper_loop(w); });
}

WorkerPool::~WorkerPool() {
  stop_ = true;
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : helpers_) t.join();
}

void WorkerPool::call(int w) noexcept {
  try {
    task_(ctx_, w);
  } catch (...) {
    std::lock_guard lock(error_mu_);
    if (!error_) error_ = std::current_exception();
  }
}

void WorkerPool::run_erased(void* ctx, Task task) {
  if (size_ == 1) {
    task(ctx, 0);
    return;
  }
  ctx_ = ctx;
  task_ = task;
  remaining_.store(size_ - 1);
  generation_.fetch_add(1);  // publishes ctx_ and task_ (seq_cst)
  if (sleeping_helpers_.load() > 0) generation_.notify_all();
  call(0);
  for (int spin = 0; remaining_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpinIterations) {
      relax(spin);
      continue;
    }
    caller_sleeping_.store(true);
    const int r = remaining_.load();
    if (r != 0) remaining_.wait(r);
    caller_sleeping_.store(false);
  }
  if (error_) {
    std::exception_ptr e;
    std::swap(e, error_);
    std::rethrow_exception(e);
  }
}

void WorkerPool::helper_loop(int w) {
  std::uint32_t seen = 0;  // the generation at construction: a run may start before this thread does
  for (;;) {
    std::uint32_t now;
    for (int spin = 0; (now = generation_.load(std::memory_order_acquire)) == seen; ++spin) {
      if (spin < kSpinIterations) {
        relax(spin);
        continue;
      }
      sleeping_helpers_.fetch_add(1);
      generation_.wait(seen);
      sleeping_helpers_.fetch_sub(1);
    }
    seen = now;
    if (stop_) return;
    call(w);
    if (remaining_.fetch_sub(1) == 1 && caller_sleeping_.load()) remaining_.notify_one();
  }
}

}  // namespace pavlov
