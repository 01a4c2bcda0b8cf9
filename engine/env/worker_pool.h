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
