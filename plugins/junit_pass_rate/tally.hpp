#pragma once
// What a JUnit report says about its tests, counted from <testcase> elements rather than from the
// totals on <testsuite> (tools disagree about those, and hand-merged reports get them wrong).
// The streaming reader and the whole-document DOM count feed the same OutcomeEvidence and the
// same Tally, so the two agree by construction.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

namespace vigil::junit_pass_rate {

enum class Outcome { Passed, Failed, Error, Skipped };

// How one <testcase> ended, from its child elements and attributes: a <failure> child (or CTest's
// status="fail") outranks an <error>, which outranks <skipped> (or GoogleTest's status="notrun" /
// result="skipped" / result="suppressed", CTest's status="notrun" / "disabled"); anything else
// passed. Surefire's <flakyFailure>, <rerunFailure> and friends are not failures: the test passed
// on a rerun, or a <failure> is there as well.
class OutcomeEvidence {
 public:
  void child_element(std::string_view name) noexcept;
  void attribute(std::string_view name, std::string_view value) noexcept;
  Outcome outcome() const noexcept;

 private:
  bool failure_ = false;
  bool error_ = false;
  bool skipped_ = false;
};

Outcome classify_testcase(pugi::xml_node testcase);

// "classname.name" of a testcase, with control characters blanked and the length capped, fit for
// one line of a check's details.
std::string testcase_display_name(pugi::xml_node testcase);

struct TestCounts {
  std::uint64_t tests = 0;
  std::uint64_t failed = 0;
  std::uint64_t errors = 0;
  std::uint64_t skipped = 0;

  std::uint64_t passed() const noexcept { return tests - failed - errors - skipped; }
  friend bool operator==(const TestCounts&, const TestCounts&) = default;
};

struct FailingTest {
  Outcome outcome = Outcome::Failed;  // Failed or Error
  std::string name;                   // "classname.name"
};

// Counts testcases and remembers the names of the first few failing ones.
class Tally {
 public:
  explicit Tally(std::size_t max_failures_listed) : max_failures_listed_(max_failures_listed) {}

  // True once no further failing test will be named, so a caller can stop keeping what it would
  // take to name one.
  bool listing_full() const noexcept { return listed_.size() >= max_failures_listed_; }

  // `name_of()` is called only for a failing test that will be listed.
  template <class NameOf>
  void add(Outcome outcome, NameOf&& name_of) {
    ++counts_.tests;
    switch (outcome) {
      case Outcome::Passed:
        return;
      case Outcome::Skipped:
        ++counts_.skipped;
        return;
      case Outcome::Failed:
        ++counts_.failed;
        break;
      case Outcome::Error:
        ++counts_.errors;
        break;
    }
    if (listing_full()) {
      ++unlisted_;
    } else {
      listed_.push_back({outcome, std::forward<NameOf>(name_of)()});
    }
  }

  // Adds every <testcase> in the DOM subtree at `root` (root included). Testcases do not nest,
  // so the walk does not look inside one; it is iterative, so no nesting depth can overflow the
  // stack.
  void add_testcases_under(pugi::xml_node root);

  const TestCounts& counts() const noexcept { return counts_; }
  const std::vector<FailingTest>& listed_failures() const noexcept { return listed_; }
  std::uint64_t unlisted_failures() const noexcept { return unlisted_; }

 private:
  std::size_t max_failures_listed_;
  TestCounts counts_;
  std::vector<FailingTest> listed_;
  std::uint64_t unlisted_ = 0;
};

}  // namespace vigil::junit_pass_rate
