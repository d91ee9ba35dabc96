// The streaming reader against the whole-document pugixml count: same counts and names on every
// fixture at every read-window size (down to one byte, so every token straddles a refill), and
// defects at the right file offset.
#include "report_reader.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dom_reference.hpp"
#include "tally.hpp"
#include "test_files.hpp"

namespace vigil::junit_pass_rate {
namespace {

using testing::fixture;
using testing::read_file;
using testing::ScratchDir;

constexpr std::size_t kListAll = 1000;

struct Counted {
  TestCounts counts;
  std::vector<std::string> listed;
  std::uint64_t unlisted = 0;
  std::optional<ReportDefect> defect;
};

Counted summarize(const Tally& tally, std::optional<ReportDefect> defect) {
  Counted out{tally.counts(), {}, tally.unlisted_failures(), std::move(defect)};
  for (const auto& failing : tally.listed_failures()) {
    out.listed.push_back((failing.outcome == Outcome::Error ? "error " : "failed ") + failing.name);
  }
  return out;
}

Counted stream_count(const std::string& path, std::size_t window = ReaderSizes{}.read_window_bytes,
                     std::size_t max_listed = kListAll) {
  Tally tally(max_listed);
  ReportReader reader(ReaderSizes{window});
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("cannot open " + path);
  auto defect = reader.read(fd, tally);
  ::close(fd);
  return summarize(tally, std::move(defect));
}

// From memory rather than a file: the truncation test reads thousands of documents.
Counted stream_count_text(const std::string& text, std::size_t window) {
  const int fd = ::memfd_create("junit_report", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::lseek(fd, 0, SEEK_SET) != 0) {
    throw std::runtime_error("memfd failed");
  }
  Tally tally(kListAll);
  ReportReader reader(ReaderSizes{window});
  auto defect = reader.read(fd, tally);
  ::close(fd);
  return summarize(tally, std::move(defect));
}

Counted dom_count(const std::string& path, std::size_t max_listed = kListAll) {
  Tally tally(max_listed);
  auto defect = tally_whole_document(path, tally);
  return summarize(tally, std::move(defect));
}

TestCounts counts(std::uint64_t tests, std::uint64_t failed, std::uint64_t errors,
                  std::uint64_t skipped) {
  return {tests, failed, errors, skipped};
}

const std::vector<std::string> kFixtures = {
    "pytest_xunit2.xml", "pytest_xunit1.xml", "gtest.xml",
    "ctest.xml",         "surefire.xml",      "mocha_junit_reporter.xml",
    "jest_junit.xml",    "nested_suites.xml", "zero_tests.xml"};

TEST(ReportReader, CountsEveryToolShape) {
  const std::vector<std::pair<std::string, TestCounts>> expected = {
      {"pytest_xunit2.xml", counts(9, 2, 1, 2)},
      {"pytest_xunit1.xml", counts(9, 2, 1, 2)},
      {"gtest.xml", counts(8, 3, 0, 2)},
      {"ctest.xml", counts(8, 3, 0, 3)},
      {"surefire.xml", counts(6, 2, 1, 1)},
      {"jest_junit.xml", counts(6, 1, 1, 1)},
      {"mocha_junit_reporter.xml", counts(5, 2, 0, 1)},
      {"nested_suites.xml", counts(6, 1, 1, 1)},
      {"zero_tests.xml", counts(0, 0, 0, 0)}};
  for (const auto& [name, want] : expected) {
    const Counted got = stream_count(fixture(name));
    ASSERT_FALSE(got.defect) << name << ": " << got.defect->reason;
    EXPECT_EQ(got.counts, want) << name;
  }
}

TEST(ReportReader, EqualsTheWholeDocumentCountAtEveryWindowSize) {
  for (const auto& name : kFixtures) {
    const Counted dom = dom_count(fixture(name));
    ASSERT_FALSE(dom.defect) << name;
    for (std::size_t window : {1, 2, 3, 5, 8, 13, 64, 1024, 256 * 1024}) {
      const Counted streamed = stream_count(fixture(name), window);
      ASSERT_FALSE(streamed.defect) << name << " window " << window << ": "
                                    << streamed.defect->reason << " at " << streamed.defect->offset;
      EXPECT_EQ(streamed.counts, dom.counts) << name << " window " << window;
      EXPECT_EQ(streamed.listed, dom.listed) << name << " window " << window;
    }
  }
}

TEST(ReportReader, NamesFailingTestsAsWritten) {
  EXPECT_EQ(stream_count(fixture("nested_suites.xml")).listed,
            (std::vector<std::string>{"failed Deep.third & last", "error Outer.after nested"}));
  EXPECT_EQ(stream_count(fixture("pytest_xunit2.xml")).listed,
            (std::vector<std::string>{"failed pytest_sample.test_fails",
                                      "error pytest_sample.test_errors_in_fixture",
                                      "failed pytest_sample.test_param[2]"}));
  EXPECT_EQ(stream_count(fixture("gtest.xml")).listed,
            (std::vector<std::string>{"failed Arithmetic.FailsOnPurpose",
                                      "failed Throwing.ThrowsAnException",
                                      "failed Values/SmallValue.IsBelowTwo/2"}));
}

// A self-closing testcase is named from the window; one with a body from a copy of its start
// tag, since refills drop it from the window long before a late <failure> arrives.
TEST(ReportReader, NamesFailuresWhateverTheWindowStillHolds) {
  EXPECT_EQ(
      stream_count_text(
          R"(<testsuite><testcase classname="a&amp;b" name="c" status="fail"/></testsuite>)", 8)
          .listed,
      std::vector<std::string>{"failed a&b.c"});
  const std::string late_failure =
      R"(<testsuite><testcase classname="k" name="long"><system-out>)" + std::string(10000, '.') +
      "</system-out><failure/></testcase></testsuite>";
  EXPECT_EQ(stream_count_text(late_failure, 64).listed, std::vector<std::string>{"failed k.long"});
}

TEST(ReportReader, ListsOnlyTheFirstFailures) {
  const Counted got = stream_count(fixture("gtest.xml"), 64, 1);
  EXPECT_EQ(got.listed, std::vector<std::string>{"failed Arithmetic.FailsOnPurpose"});
  EXPECT_EQ(got.unlisted, 2u);
  const Counted none = stream_count(fixture("gtest.xml"), 64, 0);
  EXPECT_TRUE(none.listed.empty());
  EXPECT_EQ(none.unlisted, 3u);
}

// A report cut anywhere before its root element closes is a defect at exactly the cut: nothing
// before it was wrong, so the reader must not blame an earlier byte.
TEST(ReportReader, EveryTruncationIsADefectAtTheCut) {
  for (const std::string name : {"nested_suites.xml", "pytest_xunit1.xml", "ctest.xml"}) {
    const std::string text = read_file(fixture(name));
    const std::size_t complete = text.rfind('>') + 1;
    for (std::size_t cut = 0; cut < complete; ++cut) {
      for (std::size_t window : {std::size_t{7}, ReaderSizes{}.read_window_bytes}) {
        const Counted got = stream_count_text(text.substr(0, cut), window);
        ASSERT_TRUE(got.defect) << name << " cut at " << cut;
        EXPECT_EQ(got.defect->offset, cut)
            << name << " cut at " << cut << ": " << got.defect->reason;
      }
    }
    EXPECT_FALSE(stream_count_text(text.substr(0, complete), 7).defect) << name;
  }
}

// Where pugixml also refuses a document, both name the same byte. (For an attribute with no
// '=', pugixml names the byte after the one where '=' was due; the reader names that one, which
// ReportsTheByteWhereEqualsWasDue checks.)
TEST(ReportReader, MalformedTagsAreReportedWherePugixmlReportsThem) {
  ScratchDir dir;
  const std::vector<std::string> documents = {
      R"(<testsuites><testcase name=unquoted/></testsuites>)",
      R"(<testsuites><testcase a="1"b="2"/></testsuites>)",
      R"(<testsuites><testcase a="1"/ ></testsuites>)",
      R"(<testsuites><testsuite><testcase/></testcase></testsuites>)",
      R"(<testsuites><testsuite><1bad/></testsuite></testsuites>)",
      R"(<testsuites><testcase ="x"/></testsuites>)",
      R"(<testsuites><testsuite>a < b</testsuite></testsuites>)",
  };
  for (const auto& document : documents) {
    const std::string path = dir.write("bad.xml", document);
    const Counted streamed = stream_count(path);
    const Counted dom = dom_count(path);
    ASSERT_TRUE(streamed.defect) << document;
    ASSERT_TRUE(dom.defect) << document;
    EXPECT_EQ(streamed.defect->offset, dom.defect->offset)
        << document << "\nstream: " << streamed.defect->reason
        << "\npugixml: " << dom.defect->reason;
  }
}

TEST(ReportReader, ReportsTheByteWhereEqualsWasDue) {
  const Counted got = stream_count_text("<testsuites><testcase a/></testsuites>", 64);
  ASSERT_TRUE(got.defect);
  EXPECT_EQ(got.defect->offset, 23u);
  EXPECT_EQ(got.defect->reason, "expected '=' after attribute a in <testcase>");
}

TEST(ReportReader, DefectOffsetsAreFileOffsetsManyWindowsIn) {
  ScratchDir dir;
  std::string text = "<testsuites><testsuite name=\"big\">\n";
  for (int i = 0; i < 20000; ++i) {
    text +=
        "  <testcase classname=\"big\" name=\"case_" + std::to_string(i) + "\" time=\"0.1\"/>\n";
  }
  const std::size_t broken_at = text.size() + std::string("  <testcase name=").size();
  text += "  <testcase name=oops/>\n</testsuite></testsuites>\n";
  const std::string path = dir.write("late.xml", text);
  for (std::size_t window : {std::size_t{4096}, std::size_t{65536}, std::size_t{1} << 20}) {
    const Counted got = stream_count(path, window);
    ASSERT_TRUE(got.defect);
    EXPECT_EQ(got.defect->offset, broken_at) << "window " << window;
    EXPECT_EQ(got.counts.tests, 20000u);  // everything before the defect was counted
  }
  EXPECT_EQ(dom_count(path).defect->offset, broken_at);
}

TEST(ReportReader, RefusesWhatIsNotOneWellFormedReport) {
  ScratchDir dir;
  struct Case {
    std::string text;
    std::uint64_t offset;
    std::string reason_part;
  };
  const std::vector<Case> cases = {
      {"", 0, "empty"},
      {"\n  \n", 4, "no root element"},
      {std::string("\x89PNG\r\n\x1a\n\0\0", 10), 0, "not XML"},
      {"HTTP/1.1 502 Bad Gateway\r\n", 0, "not XML"},
      {"\xFF\xFE<\0t\0", 0, "UTF-16"},
      {"<testsuites/>\ntrailing", 14, "after the root"},
      {"<testsuites/>\n<testsuites/>", 14, "second root"},
      {"<![CDATA[x]]><testsuites/>", 0, "CDATA"},
      {"<testsuites><!-- never closed </testsuites>", 43, "comment"},
      {"<testsuites></testsuite>", 14, "does not match"},
      {"<testsuites></testsuites></testsuites>", 25, "no open element"},
      {"<testsuites><!bogus></testsuites>", 12, "unknown markup"},
      {"<testsuites><? x?></testsuites>", 14, "processing instruction"},
  };
  for (const auto& c : cases) {
    const Counted got = stream_count(dir.write("bad.xml", c.text));
    ASSERT_TRUE(got.defect) << c.text;
    EXPECT_EQ(got.defect->offset, c.offset) << c.text << ": " << got.defect->reason;
    EXPECT_NE(got.defect->reason.find(c.reason_part), std::string::npos) << got.defect->reason;
  }
}

TEST(ReportReader, ReadsBomLatin1AndALoneTestcase) {
  ScratchDir dir;
  const Counted bom = stream_count(dir.write(
      "bom.xml", "\xEF\xBB\xBF<testsuite><testcase name=\"a\"><failure/></testcase></testsuite>"));
  ASSERT_FALSE(bom.defect) << bom.defect->reason;
  EXPECT_EQ(bom.counts, counts(1, 1, 0, 0));

  const std::string latin1 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
      "<testsuite><testcase classname=\"caf\xE9\" name=\"na\xEFve\"><error/></testcase>"
      "</testsuite>";
  const Counted decoded = stream_count(dir.write("latin1.xml", latin1));
  ASSERT_FALSE(decoded.defect) << decoded.defect->reason;
  EXPECT_EQ(decoded.listed, std::vector<std::string>{"error caf\xC3\xA9.na\xC3\xAFve"});

  const std::string lone = dir.write("lone.xml", "<testcase name=\"alone\" status=\"notrun\"/>");
  EXPECT_EQ(stream_count(lone).counts, counts(1, 0, 0, 1));
  EXPECT_EQ(dom_count(lone).counts, counts(1, 0, 0, 1));
}

TEST(ReportReader, AHugeTagGrowsTheWindow) {
  ScratchDir dir;
  const std::string message(3 << 20, 'x');
  const std::string path =
      dir.write("huge.xml", "<testsuite><testcase name=\"big\"><failure message=\"" + message +
                                "\"/></testcase><testcase name=\"small\"/></testsuite>");
  const Counted got = stream_count(path, 1024);
  ASSERT_FALSE(got.defect) << got.defect->reason;
  EXPECT_EQ(got.counts, counts(2, 1, 0, 0));
}

TEST(ReportReader, OneReaderReadsReportAfterReport) {
  Tally tally(kListAll);
  ReportReader reader(ReaderSizes{512});
  for (const std::string name : {"gtest.xml", "zero_tests.xml", "surefire.xml"}) {
    const int fd = ::open(fixture(name).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_FALSE(reader.read(fd, tally)) << name;
    ::close(fd);
  }
  EXPECT_EQ(tally.counts(), counts(14, 5, 1, 3));
}

}  // namespace
}  // namespace vigil::junit_pass_rate
