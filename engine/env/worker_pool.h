// pavlov::WorkerPool: fork-join parallelism for stepping batches of envs.
//
// run(fn) calls fn(w) for every worker w in [0, size()) and returns when all
// calls have returned; the calling thread is worker 0, so a pool of size 1
// has no threads at all. Helper threads spin briefly between batches (a batch
// of cheap envs takes microseconds, far less than waking a sleeping thread)
// and then sleep on a futex, so an idle pool costs no CPU.
//
// run() allocates nothing; the first exception thrown by any worker is
// rethrown in the caller once every worker has finished.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pavlov {

class WorkerPool {
 public:
  explicit WorkerPool(int size);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return size_; }

  template <class F>
  void run(F& fn) {
    run_erased(&fn, [](void* f, int w) { (*static_cast<F*>(f))(w); });
  }

  // Calls fn(begin, end) on disjoint ranges that cover [0, n), spread over the
  // workers by guided self-scheduling: each worker takes about remaining /
  // (2 * size()) items at a time, never fewer than `grain`, so the workers
  // finish together even when one core runs slower than the other.
  template <class F>
  void parallel_for(int n, int grain, F& fn) {
    std::atomic<int> next{0};
    auto body = [&](int) {
      int cur = next.load(std::memory_order_relaxed);
      for (;;) {
        int take;
        do {
          const int left = n - cur;
          if (left <= 0) return;
          take = std::min(left, std::max(grain, left / (2 * size_)));
        } while (!next.compare_exchange_weak(cur, cur + take, std::memory_order_relaxed));
        fn(cur, cur + take);
        cur = next.load(std::memory_order_relaxed);
      }
    };
    run(body);
  }

 private:
  using Task = void (*)(void*, int);
  void run_erased(void* ctx, Task task);
  void helper_loop(int w);
  void call(int w) noexcept;

  int size_;
  std::vector<std::thread> helpers_;
  void* ctx_ = nullptr;
  Task task_ = nullptr;
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<int> sleeping_helpers_{0};
  std::atomic<bool> caller_sleeping_{false};
  bool stop_ = false;
  std::mutex error_mu_;
  std::exception_ptr error_;
};

}  // namespace pavlov
