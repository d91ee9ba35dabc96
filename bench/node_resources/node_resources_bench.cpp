// CPU time of one node_resources check inside a long-running process, as the daemon runs it:
// the plugin linked in and driven through LocalPlugin (the host's own noexcept entry points),
// many runs, CPU from getrusage. Prints one line of JSON for bench_node_resources.py.
//
// The runs are 12 ms apart: /proc/stat counts in 10 ms ticks, and a run that finds the counters
// where the previous run left them takes a fresh 200 ms CPU window, which the daemon, running a
// check every minute, never does. Sleeping costs no CPU, so the figure is the check's own.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <vigil/sdk/testing.hpp>

namespace {

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 500;
  vigil::sdk::testing::LocalPlugin plugin;
  vigil::sdk::testing::FakeContext ctx;
  auto check = plugin.check("node_resources", {});
  check->run(ctx);  // the first run waits for its two CPU readings; the daemon's later runs don't
  int ok = 0;
  double cpu = 0;
  double wall = 0;
  for (int i = 0; i < iterations; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(12));
    const double cpu_before = cpu_seconds();
    const auto wall_before = std::chrono::steady_clock::now();
    ok += check->run(ctx).status() == vigil::sdk::Status::Ok ? 1 : 0;
    cpu += cpu_seconds() - cpu_before;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  }
  std::printf(
      "{\"iterations\": %d, \"ok\": %d, \"cpu_us_per_check\": %.2f, \"wall_us_per_check\": "
      "%.2f}\n",
      iterations, ok, cpu / iterations * 1e6, wall / iterations * 1e6);
  return ok == iterations ? 0 : 1;
}
