// WorkerPool::parallel_for: every item exactly once, whoever takes it.
#include "engine/env/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

TEST_CASE("worker pool: parallel_for covers every item exactly once, also when workers steal") {
  for (int workers : {1, 2, 3, 5}) {
    pavlov::WorkerPool pool(workers);
    for (int n : {0, 1, 7, 64, 1000, 1031}) {
      for (int grain : {1, 7, 32}) {
        std::vector<std::atomic<int>> hits(n);
        std::atomic<int> calls{0};
        // Uneven costs: the first worker's items are slow, so the others steal from its share.
        auto fn = [&](int lo, int hi) {
          REQUIRE(lo < hi);
          REQUIRE(hi - lo <= grain);
          ++calls;
          for (int i = lo; i < hi; ++i) {
            ++hits[i];
            if (i < n / workers) std::this_thread::yield();
          }
        };
        pool.parallel_for(n, grain, fn);
        INFO("workers " << workers << ", n " << n << ", grain " << grain);
        for (int i = 0; i < n; ++i) REQUIRE(hits[i].load() == 1);
        CHECK(calls.load() >= (n + grain - 1) / grain);
      }
    }
  }
}

TEST_CASE("worker pool: an exception in one worker reaches the caller after every worker is done") {
  pavlov::WorkerPool pool(3);
  std::atomic<int> done{0};
  auto fn = [&](int lo, int hi) {
    if (lo == 0) throw std::runtime_error("item 0 failed");
    done += hi - lo;
  };
  CHECK_THROWS_WITH(pool.parallel_for(300, 10, fn), "item 0 failed");
  // The pool is usable afterwards.
  std::atomic<int> sum{0};
  auto count = [&](int lo, int hi) { sum += hi - lo; };
  pool.parallel_for(300, 10, count);
  CHECK(sum.load() == 300);
}
