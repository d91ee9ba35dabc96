// The cost of launching an action command: vigil's built-in `command` action (posix_spawn from
// argv, output captured, reaped, deadline enforced) running `/bin/true` N times in a row.
// Prints one line: launches, wall seconds, CPU seconds of this process and its children.
// Run by bench/actions/bench_action_launch.py side by side with Python's subprocess.run.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/actions/command_action.hpp"
#include "vigil/sdk/testing.hpp"

namespace {

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  const std::string program = argc > 2 ? argv[2] : "/bin/true";
  vigil::sdk::Options options;
  options.set("command",
              vigil::sdk::OptionValue(vigil::sdk::ScalarList{vigil::sdk::Scalar(program)}));
  vigil::core::CommandAction action(options);
  vigil::sdk::Event event;
  event.kind = "firing";
  event.rule = "bench";
  vigil::sdk::testing::FakeContext ctx("bench", std::chrono::seconds(10));
  const auto start = std::chrono::steady_clock::now();
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    if (!action.execute(event, ctx).ok)
      ++failures;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("launches=%d failures=%d wall_s=%.6f cpu_s=%.6f\n", n, failures, wall,
              cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN));
  return failures == 0 ? 0 : 1;
}
