#pragma once

#include <cstddef>
#include <vector>

namespace switchboard::testing {

/// The value at quantile `q` (0..1) of `sorted` (ascending): the element at q × (size − 1),
/// rounded down; 0 without values. The tests' load reports and the benchmarks share it.
inline double SortedQuantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

}  // namespace switchboard::testing
