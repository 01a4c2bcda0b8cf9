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
#include <memory>
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

  // Calls fn(begin, end) on disjoint ranges that cover [0, n), `grain` items
  // at a time. Worker w owns the w-th contiguous share of [0, n) and steps it
  // from the front, so an env stays on one core from batch to batch (its
  // state stays in that core's cache); a worker that runs out of its own
  // items takes grains from the back of the others' shares, so the workers
  // still finish together when one core runs slower or the envs cost unequal
  // time, and when one core is steadily slower the same tail envs move, and
  // stay warm on the faster core, instead of different ones every batch.
  template <class F>
  void parallel_for(int n, int grain, F& fn) {
    grain = std::max(grain, 1);
    for (int w = 0; w < size_; ++w)
      shares_[w].range.store(pack(static_cast<std::uint32_t>(std::int64_t{n} * w / size_),
                                  static_cast<std::uint32_t>(std::int64_t{n} * (w + 1) / size_)),
                             std::memory_order_relaxed);
    auto body = [&fn, grain, workers = size_, shares = shares_.get()](int self) {
      // Copied first: this closure lies in the caller's stack frame, next to
      // lines the caller keeps writing while it runs its own items; read there
      // for every grain, they would travel between the cores each time. fn
      // should copy its captures likewise.
      F& f = fn;
      const int g = grain, count = workers;
      Share* const all = shares;
      for (int lo, hi; all[self].take_front(g, lo, hi);) f(lo, hi);
      for (int k = 1; k < count; ++k)
        for (int lo, hi; all[(self + k) % count].take_back(g, lo, hi);) f(lo, hi);
    };
    run(body);
  }

 private:
  using Task = void (*)(void*, int);
  void run_erased(void* ctx, Task task);
  void helper_loop(int w);
  void call(int w) noexcept;

  static std::uint64_t pack(std::uint32_t front, std::uint32_t back) { return std::uint64_t{back} << 32 | front; }

  // One worker's contiguous share of a parallel_for, on its own cache line:
  // the items [front, back) not yet taken, in one word, so that the owner
  // (from the front) and thieves (from the back) claim grains with one
  // compare-and-swap each and never the same item.
  struct alignas(64) Share {
    std::atomic<std::uint64_t> range{0};
    bool take_front(int grain, int& lo, int& hi) {
      std::uint64_t r = range.load(std::memory_order_relaxed);
      for (;;) {
        const std::uint32_t front = static_cast<std::uint32_t>(r), back = static_cast<std::uint32_t>(r >> 32);
        if (front >= back) return false;
        const std::uint32_t next = std::min<std::uint32_t>(front + grain, back);
        if (range.compare_exchange_weak(r, pack(next, back), std::memory_order_relaxed)) {
          lo = static_cast<int>(front), hi = static_cast<int>(next);
          return true;
        }
      }
    }
    bool take_back(int grain, int& lo, int& hi) {
      std::uint64_t r = range.load(std::memory_order_relaxed);
      for (;;) {
        const std::uint32_t front = static_cast<std::uint32_t>(r), back = static_cast<std::uint32_t>(r >> 32);
        if (front >= back) return false;
        const std::uint32_t next = back - std::min<std::uint32_t>(grain, back - front);
        if (range.compare_exchange_weak(r, pack(front, next), std::memory_order_relaxed)) {
          lo = static_cast<int>(next), hi = static_cast<int>(back);
          return true;
        }
      }
    }
  };

  int size_;
  std::unique_ptr<Share[]> shares_;
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
