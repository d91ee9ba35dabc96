#pragma once
// The one output line both drivers print, so bench_junit.py compares them as text.
#include <cstdio>

#include "tally.hpp"

inline void print_counts(const vigil::junit_pass_rate::TestCounts& counts) {
  std::printf("tests=%llu passed=%llu failures=%llu errors=%llu skipped=%llu\n",
              static_cast<unsigned long long>(counts.tests),
              static_cast<unsigned long long>(counts.passed()),
              static_cast<unsigned long long>(counts.failed),
              static_cast<unsigned long long>(counts.errors),
              static_cast<unsigned long long>(counts.skipped));
}
