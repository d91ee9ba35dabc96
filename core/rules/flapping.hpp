#pragma once
// Flap detection in Icinga 2's manner (lib/icinga/checkable-flapping.cpp): the share of state
// changes among recent evaluations, recent changes weighing more than old ones, with two
// thresholds so that a rule hovering around one of them does not start and stop flapping on
// every evaluation.
#include <vector>

namespace vigil::core {

// Weighted percentage of pass/fail changes in `history` (oldest first, true = fail), over the
// kHistorySize - 1 = 19 places a change can take between 20 outcomes. Weights rise linearly
// from 0.8 for the oldest place to 1.2 for the newest; as in Nagios the sum is divided by the
// number of places, so a change at every evaluation reads 100 and none reads 0. A history still
// shorter than 20 counts its missing places as "no change", like Icinga's zeroed buffer, so a
// rule cannot flap on its first few evaluations. Only the last 20 outcomes are read.
double flap_percent(const std::vector<bool>& history);

}  // namespace vigil::core
