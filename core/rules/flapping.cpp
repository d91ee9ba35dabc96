#include "core/rules/flapping.hpp"

#include "core/rules/alert.hpp"

namespace vigil::core {

double flap_percent(const std::vector<bool>& history) {
  constexpr int kPlaces = static_cast<int>(AlertStatus::kHistorySize) - 1;
  constexpr double kOldest = 0.8;
  constexpr double kNewest = 1.2;
  const int n = static_cast<int>(history.size());
  const int first = n > kPlaces + 1 ? n - (kPlaces + 1) : 0;
  double weighted = 0;
  for (int i = first + 1; i < n; ++i) {
    if (history[static_cast<std::size_t>(i)] == history[static_cast<std::size_t>(i - 1)])
      continue;
    // The change into the newest outcome sits in the last place, whatever the history's length.
    const int place = kPlaces - (n - i);
    weighted += kOldest + (kNewest - kOldest) * place / (kPlaces - 1);
  }
  return 100.0 * weighted / kPlaces;
}

}  // namespace vigil::core
