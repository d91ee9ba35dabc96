#pragma once
// Counts the testcases of one JUnit XML report in one pass over the file, in bounded memory.
//
// A whole-document DOM of a 200 MB report costs about 330 MB, and page faults on that fresh
// memory cost more than the parse. Handing each <testsuite> (or each batch of tags) to pugixml
// keeps memory small but parses every tag twice, once to find where a span ends and once in
// pugixml; measured on the benchmark report that is only about twice as fast as the DOM. So the
// reader is one tokenizer: read() into a fixed window, skip text with memchr, and parse each tag
// completely (name, attributes, quoting) as it goes, with a stack of open element names for
// nesting. A <testcase> is classified from its attributes and the names of its child elements by
// the same OutcomeEvidence a DOM count uses; nothing else is kept.
//
// It checks what pugixml checks to the extent that matters for counting: tag syntax, attribute
// syntax (name, '=', a quoted value, whitespace between attributes), matching end tags, a single
// root element, unterminated comments, CDATA and processing instructions, and truncation. It
// does not decode character references in attribute values: status="notrun" is compared as
// written. pugixml still decodes the name of each failing test that is listed, so names read as
// a whole-document parse would give them.
//
// Memory is the read window plus the open-element stack, however the testcases are arranged:
// many suites, nested suites, or one huge <testsuite> (CTest and pytest write that). A single
// tag larger than the window grows it to fit.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "tally.hpp"

namespace vigil::junit_pass_rate {

struct ReportDefect {
  std::uint64_t offset = 0;  // byte offset in the file
  std::string reason;
};

struct ReaderSizes {
  // Small enough to stay in L2 between read() and the scan; tests shrink it to a few bytes to
  // put every token across a refill.
  std::size_t read_window_bytes = std::size_t{256} << 10;
};

class ReportReader {
 public:
  explicit ReportReader(ReaderSizes sizes = {});

  // Reads the report on `fd` from its current position to its end, adding every <testcase> to
  // `tally`. Returns the first defect; the tally then holds the testcases read before it.
  std::optional<ReportDefect> read(int fd, Tally& tally);

 private:
  enum class Part { Prolog, Root, Epilog };
  struct OpenElement {
    std::size_t name_size;
    std::uint64_t offset;
  };

  void reset(int fd, Tally& tally);
  void scan();
  void finish();

  // The window holds file bytes [window_offset_, window_offset_ + filled_). Positions are file
  // offsets, so a refill that moves the window invalidates none of them.
  bool fill_from(std::uint64_t keep_from);
  bool ensure(std::uint64_t from, std::size_t count);
  std::uint64_t window_end() const noexcept { return window_offset_ + filled_; }
  const char* at(std::uint64_t offset) const noexcept {
    return window_.data() + (offset - window_offset_);
  }
  const char* window_stop() const noexcept { return window_.data() + filled_; }
  std::uint64_t offset_of(const char* p) const noexcept {
    return window_offset_ + static_cast<std::uint64_t>(p - window_.data());
  }
  bool looking_at(std::string_view text);

  void read_encoding();
  void skip_outside_root();
  void skip_markup();
  void skip_past(std::uint64_t from, std::string_view terminator, const char* construct);
  void skip_doctype();
  // Each parses the tag starting at p, returning one past its '>', or nullptr when the tag runs
  // past `stop` (the caller refills and calls again).
  const char* start_tag(const char* p, const char* stop);
  const char* end_tag(const char* p, const char* stop);

  // `start_tag` is the testcase's start tag, used to name it if it failed and is listed.
  void finish_testcase(std::string_view start_tag);
  std::string testcase_name(std::string_view start_tag) const;

  std::string_view top_name() const noexcept;
  void push(std::string_view name, std::uint64_t offset);
  void pop() noexcept;

  ReaderSizes sizes_;

  int fd_ = -1;
  bool eof_ = false;
  std::vector<char> window_;
  std::size_t filled_ = 0;
  std::uint64_t window_offset_ = 0;
  std::uint64_t pos_ = 0;  // next byte to scan

  Part part_ = Part::Prolog;
  std::vector<OpenElement> open_;
  std::string open_names_;  // the names of open_, concatenated

  std::size_t testcase_depth_ = 0;  // open_.size() inside the open <testcase>; 0 when none is
  OutcomeEvidence testcase_evidence_;
  // The open testcase's start tag, copied only while failing tests are still being listed.
  std::string testcase_start_tag_;
  pugi::xml_encoding encoding_ = pugi::encoding_utf8;
  Tally* tally_ = nullptr;
};

}  // namespace vigil::junit_pass_rate
