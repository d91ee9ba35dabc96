// latency_histogram's increase mode over two scrapes, in one process: the plugin (linked in,
// driven through the SDK's LocalPlugin exactly as the host drives it) reads PAGE0, then PAGE1,
// keeping its previous scrape in the state store between the runs. `vigil check` cannot show
// this yet: it is one run per process and the host's state store is not durable.
//
// Usage: two_scrapes METRIC PAGE0 PAGE1   (prints the second run's summary)
#include <cstdio>
#include <string>

#include <vigil/sdk/testing.hpp>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s METRIC PAGE0 PAGE1\n", argv[0]);
    return 2;
  }
  vigil::sdk::testing::LocalPlugin plugin;
  vigil::sdk::testing::FakeContext ctx;
  // Two instances with one state store: the state is keyed by metric and labels, not by source.
  auto first = plugin.check("latency_histogram", {{"file", argv[2]}, {"metric", argv[1]}});
  auto second = plugin.check("latency_histogram", {{"file", argv[3]}, {"metric", argv[1]}});
  const auto before = first->run(ctx);
  if (before.summary() != "first scrape, no window yet") {
    std::fprintf(stderr, "first run: %s\n", before.summary().c_str());
    return 1;
  }
  ctx.manual_clock().advance(std::chrono::seconds(15));
  const auto after = second->run(ctx);
  std::printf("%s %s\n", std::string(vigil::sdk::to_string(after.status())).c_str(),
              after.summary().c_str());
  return after.status() == vigil::sdk::Status::Ok ? 0 : 1;
}
