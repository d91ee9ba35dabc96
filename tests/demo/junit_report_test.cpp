#include "core/demo/junit_report.hpp"

#include <gtest/gtest.h>

namespace vigil::demo {
namespace {

TEST(JunitReport, CountsFailuresAndEscapesMessages) {
  const std::vector<TestCaseResult> cases = {
      {"tests.health", "test_ok", 0.0012, std::nullopt},
      {"tests.health", "test_p95", 0.5, std::string("p95 <600 ms> & \"slow\"")},
  };
  const std::string xml = render_junit("demo-health", cases, 0.51, "2026-01-02T03:04:05", "box");
  EXPECT_NE(xml.find("<testsuites>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"demo-health\" errors=\"0\" failures=\"1\" skipped=\"0\" "
                     "tests=\"2\" time=\"0.510\" timestamp=\"2026-01-02T03:04:05\" "
                     "hostname=\"box\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"tests.health\" name=\"test_ok\" time=\"0.001\" />"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure message=\"p95 &lt;600 ms&gt; &amp; &quot;slow&quot;\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("</testsuites>"), std::string::npos);
}

TEST(JunitReport, ControlCharactersCannotBreakTheXml) {
  EXPECT_EQ(xml_escape(std::string("a\x01"
                                   "b\nc")),
            "a?b&#10;c");
}

}  // namespace
}  // namespace vigil::demo
