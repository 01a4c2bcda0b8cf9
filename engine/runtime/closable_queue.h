// pavlov::ClosableQueue: a bounded multi-producer, multi-consumer queue that
// can be closed, the hand-over between the async runtime's actors and its
// learner (engine/runtime/async_runner.h).
//
// push() waits while the queue is full (the back-pressure that keeps actors
// from running far ahead of the learner), pop() while it is empty. close()
// wakes every waiting thread: from then on push() refuses (returns false)
// and pop() drains what is left, then returns nothing. Shutdown, the end of
// the budget, Ctrl-C and an error in any thread all go through close(), so
// no thread stays blocked.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace pavlov {

template <class T>
class ClosableQueue {
 public:
  explicit ClosableQueue(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // Waits for room; false (and `item` untouched) once the queue is closed.
  bool push(T&& item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Never waits: false (and `item` untouched) when the queue is full or closed.
  bool try_push(T&& item) {
    std::lock_guard lock(mutex_);
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Waits for an item; nothing once the queue is closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  // Like pop(), but gives up after `timeout` (then returns nothing, closed or not).
  template <class Duration>
  std::optional<T> pop_for(Duration timeout) {
    std::unique_lock lock(mutex_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  std::optional<T> take(std::unique_lock<std::mutex>&) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace pavlov
