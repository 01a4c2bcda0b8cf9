// pavlov::SumTree: priorities of a prioritized replay (Schaul et al., 2016).
// A complete binary tree over `capacity` leaves keeps, at each node, the sum
// and the minimum of the leaves below it: setting a leaf and finding the leaf
// where a running sum crosses a given mass both take O(log capacity), without
// allocating. Leaves that were never set hold 0 and are never found.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace pavlov {

class SumTree {
 public:
  explicit SumTree(std::int64_t capacity);

  void set(std::int64_t i, double priority);  // priority >= 0
  double get(std::int64_t i) const { return sum_[leaves_ + i]; }
  double total() const { return sum_[1]; }
  // The smallest positive priority set (infinity when none is).
  double min() const { return min_[1]; }
  // The leaf i whose prefix sum range [sum of leaves < i, that + leaf i) holds `mass` (0 <= mass < total()).
  std::int64_t find(double mass) const;
  std::int64_t capacity() const { return capacity_; }

 private:
  std::int64_t capacity_, leaves_;
  std::vector<double> sum_, min_;
};

}  // namespace pavlov
