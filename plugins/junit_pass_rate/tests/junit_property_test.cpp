// The benchmark generator's reports at a few sizes and seeds: the streaming count equals both the
// generator's own true counts (its sidecar JSON) and a whole-document pugixml count, at several
// read-window sizes, with the same failing tests named.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dom_reference.hpp"
#include "report_reader.hpp"
#include "tally.hpp"
#include "test_files.hpp"

namespace vigil::junit_pass_rate {
namespace {

using testing::ScratchDir;

std::uint64_t sidecar_number(const std::string& json, const std::string& key) {
  std::smatch match;
  if (!std::regex_search(json, match, std::regex("\"" + key + "\": *([0-9]+)"))) {
    throw std::runtime_error("no \"" + key + "\" in the sidecar");
  }
  return std::stoull(match[1].str());
}

std::vector<std::string> names(const Tally& tally) {
  std::vector<std::string> out;
  for (const auto& failing : tally.listed_failures())
    out.push_back(failing.name);
  return out;
}

TEST(JunitProperty, StreamingCountEqualsTrueCountsAndTheDomCount) {
  const std::string python = JUNIT_PYTHON3;
  const std::string generator = JUNIT_GENERATOR;
  if (python.empty() || ::access(generator.c_str(), R_OK) != 0) {
    GTEST_SKIP() << "needs python3 and " << generator;
  }
  ScratchDir dir;
  const std::string report = dir.file("generated.xml");
  for (const std::string size_mb : {"0.02", "0.1", "0.6"}) {
    for (const std::string seed : {"1", "7", "20261101"}) {
      const std::string command = "'" + python + "' '" + generator + "' --size-mb " + size_mb +
                                  " --seed " + seed + " -o '" + report + "' > /dev/null";
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
      const std::string sidecar = testing::read_file(report + ".json");
      const TestCounts truth{sidecar_number(sidecar, "tests"), sidecar_number(sidecar, "failures"),
                             sidecar_number(sidecar, "errors"), sidecar_number(sidecar, "skipped")};
      ASSERT_EQ(truth.passed(), sidecar_number(sidecar, "passed"));

      Tally dom(50);
      ASSERT_FALSE(tally_whole_document(report, dom));
      EXPECT_EQ(dom.counts(), truth) << size_mb << " MiB, seed " << seed;

      for (std::size_t window :
           {std::size_t{61}, std::size_t{4096}, ReaderSizes{}.read_window_bytes}) {
        Tally streamed(50);
        ReportReader reader(ReaderSizes{window});
        const int fd = ::open(report.c_str(), O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        const auto defect = reader.read(fd, streamed);
        ::close(fd);
        ASSERT_FALSE(defect) << defect->reason << " at " << defect->offset;
        EXPECT_EQ(streamed.counts(), truth)
            << size_mb << " MiB, seed " << seed << ", window " << window;
        EXPECT_EQ(names(streamed), names(dom)) << size_mb << " MiB, seed " << seed;
        EXPECT_EQ(streamed.unlisted_failures(), dom.unlisted_failures());
      }
    }
  }
}

}  // namespace
}  // namespace vigil::junit_pass_rate
