// Counts JUnit reports from a whole-document pugixml DOM (default parse options), the peer that
// bench_junit.py times the streaming count against. Usage: junit_dom_count REPORT...
#include <cstdio>

#include "counts_line.hpp"
#include "dom_reference.hpp"

int main(int argc, char** argv) {
  vigil::junit_pass_rate::Tally tally(10);
  for (int i = 1; i < argc; ++i) {
    const auto defect = vigil::junit_pass_rate::tally_whole_document(argv[i], tally);
    if (defect) {
      std::fprintf(stderr, "%s: byte %llu: %s\n", argv[i],
                   static_cast<unsigned long long>(defect->offset), defect->reason.c_str());
      return 1;
    }
  }
  print_counts(tally.counts());
  return 0;
}
