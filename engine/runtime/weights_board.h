// pavlov::WeightsBoard: where the learner publishes versioned policy weights
// and actors pick them up, without either waiting on the other.
//
// publish() fills a buffer that no reader holds (recycled from earlier
// versions, so a steady run allocates nothing) and swaps it in under a
// short lock; readers check version() (one atomic load) and take latest()
// (a shared_ptr copy under the same lock) only when it moved. A reader keeps
// its version alive for as long as it holds the pointer.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace pavlov {

struct Weights {
  std::int64_t version = 0;    // 1, 2, ... (0: nothing published yet)
  std::int64_t env_steps = 0;  // the learner's env steps when published (the policies' schedules follow it)
  std::vector<float> values;
};

class WeightsBoard {
 public:
  // The learner publishes version() + 1; a remote actor republishes the
  // learner's numbers. `fill` writes the values into the buffer it is given.
  template <class Fill>
  void publish(std::int64_t version, std::int64_t env_steps, Fill&& fill) {
    std::shared_ptr<Weights> w;
    for (auto& p : pool_)
      if (p.use_count() == 1 && p != current_) w = p;  // held by the pool alone: no reader has it
    if (!w) w = pool_.emplace_back(std::make_shared<Weights>());
    fill(w->values);
    w->env_steps = env_steps;
    w->version = version;
    {
      std::lock_guard lock(mutex_);
      current_ = w;
    }
    version_.store(version, std::memory_order_release);
  }

  std::int64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const Weights> latest() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<Weights> current_;
  std::vector<std::shared_ptr<Weights>> pool_;  // touched by the publishing thread only
  std::atomic<std::int64_t> version_{0};
};

}  // namespace pavlov
