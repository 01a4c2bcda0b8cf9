#include "engine/replay/sum_tree.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pavlov {

SumTree::SumTree(std::int64_t capacity) : capacity_(capacity), leaves_(1) {
  if (capacity < 1) throw std::invalid_argument("SumTree: capacity must be >= 1, got " + std::to_string(capacity));
  while (leaves_ < capacity) leaves_ *= 2;
  sum_.assign(2 * leaves_, 0.0);
  min_.assign(2 * leaves_, std::numeric_limits<double>::infinity());
}

void SumTree::set(std::int64_t i, double priority) {
  std::int64_t node = leaves_ + i;
  sum_[node] = priority;
  min_[node] = priority > 0 ? priority : std::numeric_limits<double>::infinity();
  for (node /= 2; node >= 1; node /= 2) {
    sum_[node] = sum_[2 * node] + sum_[2 * node + 1];
    min_[node] = std::min(min_[2 * node], min_[2 * node + 1]);
  }
}

std::int64_t SumTree::find(double mass) const {
  std::int64_t node = 1;
  while (node < leaves_) {
    const std::int64_t left = 2 * node;
    // Go right only into mass that a positive right subtree holds (rounding can leave mass
    // a hair past the left sum when the right side is empty).
    if (mass < sum_[left] || sum_[left + 1] <= 0) {
      node = left;
    } else {
      mass -= sum_[left];
      node = left + 1;
    }
  }
  return std::min(node - leaves_, capacity_ - 1);
}

}  // namespace pavlov
