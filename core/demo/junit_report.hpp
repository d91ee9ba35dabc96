#pragma once
// JUnit XML in the shape pytest writes (--junitxml): <testsuites><testsuite> with counts, one
// <testcase classname name time> per test and a <failure message=...> child for each failure,
// which is what junit_pass_rate and every CI system read.
#include <optional>
#include <string>
#include <vector>

namespace vigil::demo {

struct TestCaseResult {
  std::string classname;
  std::string name;
  double seconds = 0;
  std::optional<std::string> failure;  // the message; none when the test passed
};

// `timestamp` is ISO 8601 (pytest's own attribute), `hostname` goes into the suite as pytest does.
std::string render_junit(const std::string& suite_name, const std::vector<TestCaseResult>& cases,
                         double total_seconds, const std::string& timestamp,
                         const std::string& hostname);

// XML text with &, <, >, " and ' escaped, and control characters XML 1.0 cannot hold replaced.
std::string xml_escape(const std::string& text);

}  // namespace vigil::demo
