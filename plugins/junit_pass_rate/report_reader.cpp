#include "report_reader.hpp"

#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace vigil::junit_pass_rate {

namespace {

// Thrown inside the reader only; read() turns it into a ReportDefect.
class Defect : public std::runtime_error {
 public:
  Defect(std::uint64_t offset, const std::string& reason)
      : std::runtime_error(reason), offset_(offset) {}
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  std::uint64_t offset_;
};

constexpr unsigned char kSpace = 1;
constexpr unsigned char kNameStart = 2;
constexpr unsigned char kName = 4;

// A table rather than comparisons: the name and whitespace loops are the tokenizer's hot path.
constexpr std::array<unsigned char, 256> kCharClass = [] {
  std::array<unsigned char, 256> table{};
  for (unsigned char c : {' ', '\t', '\n', '\r'})
    table[c] = kSpace;
  for (int c = 0; c < 256; ++c) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter || c == '_' || c == ':' || c >= 0x80)
      table[c] = kNameStart | kName;
    if ((c >= '0' && c <= '9') || c == '-' || c == '.')
      table[c] = kName;
  }
  return table;
}();

bool has_class(char c, unsigned char character_class) noexcept {
  return (kCharClass[static_cast<unsigned char>(c)] & character_class) != 0;
}

const char* skip_spaces(const char* s, const char* stop) noexcept {
  while (s < stop && has_class(*s, kSpace))
    ++s;
  return s;
}

const char* skip_name(const char* s, const char* stop) noexcept {
  while (s < stop && has_class(*s, kName))
    ++s;
  return s;
}

// Attribute values are most of a report's tag bytes.
const char* find_quote(const char* s, const char* stop, char quote) noexcept {
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(quote);
  while (stop - s >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, wanted));
    if (mask != 0)
      return s + __builtin_ctz(static_cast<unsigned>(mask));
    s += 16;
  }
  for (; s < stop; ++s) {
    if (*s == quote)
      return s;
  }
  return nullptr;
#else
  return static_cast<const char*>(std::memchr(s, quote, static_cast<std::size_t>(stop - s)));
#endif
}

std::string at_byte(std::uint64_t offset) {
  return "byte " + std::to_string(offset);
}

std::string element(std::string_view name) {
  return "<" + std::string(name) + ">";
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

ReportReader::ReportReader(ReaderSizes sizes) : sizes_(sizes) {
  sizes_.read_window_bytes = std::max<std::size_t>(sizes_.read_window_bytes, 1);
}

std::optional<ReportDefect> ReportReader::read(int fd, Tally& tally) {
  reset(fd, tally);
  try {
    read_encoding();
    scan();
    finish();
    return std::nullopt;
  } catch (const Defect& defect) {
    return ReportDefect{defect.offset(), defect.what()};
  }
}

void ReportReader::reset(int fd, Tally& tally) {
  fd_ = fd;
  eof_ = false;
  if (window_.size() != sizes_.read_window_bytes) {
    window_.assign(sizes_.read_window_bytes, '\0');
    window_.shrink_to_fit();
  }
  filled_ = 0;
  window_offset_ = 0;
  pos_ = 0;
  part_ = Part::Prolog;
  open_.clear();
  open_names_.clear();
  testcase_depth_ = 0;
  testcase_evidence_ = {};
  testcase_start_tag_.clear();
  encoding_ = pugi::encoding_utf8;
  tally_ = &tally;
}

bool ReportReader::fill_from(std::uint64_t keep_from) {
  if (eof_)
    return false;
  const auto dropped = static_cast<std::size_t>(keep_from - window_offset_);
  if (dropped > 0) {
    std::memmove(window_.data(), window_.data() + dropped, filled_ - dropped);
    filled_ -= dropped;
    window_offset_ = keep_from;
  }
  // Only a single token larger than the window (a huge tag) makes it grow.
  if (filled_ == window_.size())
    window_.resize(window_.size() * 2);
  for (;;) {
    const ssize_t got = ::read(fd_, window_.data() + filled_, window_.size() - filled_);
    if (got > 0) {
      filled_ += static_cast<std::size_t>(got);
      return true;
    }
    if (got == 0) {
      eof_ = true;
      return false;
    }
    if (errno != EINTR) {
      throw Defect(window_end(), std::string("read failed: ") + std::strerror(errno));
    }
  }
}

bool ReportReader::ensure(std::uint64_t from, std::size_t count) {
  while (window_end() - from < count) {
    if (!fill_from(pos_))
      return false;
  }
  return true;
}

bool ReportReader::looking_at(std::string_view text) {
  return ensure(pos_, text.size()) && std::memcmp(at(pos_), text.data(), text.size()) == 0;
}

void ReportReader::read_encoding() {
  ensure(0, 4);
  const auto first = [&](std::size_t i) {
    return filled_ > i ? static_cast<unsigned char>(window_[i]) : 0x100u;
  };
  if (first(0) == 0xEF && first(1) == 0xBB && first(2) == 0xBF) {
    pos_ = 3;
  } else if ((first(0) == 0xFE && first(1) == 0xFF) || (first(0) == 0xFF && first(1) == 0xFE) ||
             (first(0) == 0 && first(1) == '<') || (first(0) == '<' && first(1) == 0)) {
    throw Defect(0,
                 "UTF-16 or UTF-32 encoded; only UTF-8 and Latin-1 reports are read "
                 "(convert it with iconv -t UTF-8)");
  }
  if (!looking_at("<?xml") || !ensure(pos_, 6) || !has_class(*at(pos_ + 5), kSpace))
    return;
  // The declaration is short: keep it whole in the window to read its encoding. scan() skips
  // it afterwards like any processing instruction.
  std::string_view declaration;
  for (;;) {
    const std::string_view window(at(pos_), window_end() - pos_);
    const auto found = window.find("?>");
    if (found != std::string_view::npos) {
      declaration = window.substr(0, found);
      break;
    }
    if (!fill_from(pos_))
      throw Defect(window_end(), "the file ends inside the XML declaration");
  }
  const auto key = declaration.find("encoding");
  if (key == std::string_view::npos)
    return;
  const auto open_quote = declaration.find_first_of("\"'", key);
  if (open_quote == std::string_view::npos)
    return;
  const auto close_quote = declaration.find(declaration[open_quote], open_quote + 1);
  if (close_quote == std::string_view::npos)
    return;
  const std::string name =
      lowercase(declaration.substr(open_quote + 1, close_quote - open_quote - 1));
  if (name == "iso-8859-1" || name == "latin1" || name == "latin-1" || name == "iso8859-1") {
    encoding_ = pugi::encoding_latin1;
  }
}

void ReportReader::scan() {
  for (;;) {
    if (pos_ == window_end() && !fill_from(pos_))
      return;
    const char* p = at(pos_);
    const char* stop = window_stop();
    if (*p != '<') {
      if (part_ == Part::Root) {
        const void* next = std::memchr(p, '<', static_cast<std::size_t>(stop - p));
        pos_ = next != nullptr ? offset_of(static_cast<const char*>(next)) : window_end();
      } else {
        skip_outside_root();
      }
      continue;
    }
    const char* after = nullptr;
    if (stop - p >= 2) {
      if (p[1] == '?' || p[1] == '!') {
        skip_markup();
        continue;
      }
      after = p[1] == '/' ? end_tag(p, stop) : start_tag(p, stop);
    }
    if (after != nullptr) {
      pos_ = offset_of(after);
    } else if (!fill_from(pos_)) {  // pos_ is the tag's '<': the refill keeps the whole tag
      throw Defect(window_end(), "the file ends inside the tag opened at " + at_byte(pos_));
    }
  }
}

void ReportReader::skip_outside_root() {
  const char* p = skip_spaces(at(pos_), window_stop());
  pos_ = offset_of(p);
  if (p == window_stop() || *p == '<')
    return;
  if (part_ == Part::Prolog) {
    throw Defect(pos_, "not XML: text where the root element should start");
  }
  throw Defect(pos_, "text after the root element closed");
}

void ReportReader::skip_markup() {
  const std::uint64_t start = pos_;
  if (*at(pos_ + 1) == '?') {
    if (ensure(pos_, 3) && !has_class(*at(pos_ + 2), kNameStart)) {
      throw Defect(start + 2, "a processing instruction without a target name");
    }
    skip_past(start + 2, "?>", "processing instruction");
  } else if (looking_at("<!--")) {
    skip_past(start + 4, "-->", "comment");
  } else if (looking_at("<![CDATA[")) {
    if (part_ != Part::Root)
      throw Defect(start, "CDATA section outside the root element");
    skip_past(start + 9, "]]>", "CDATA section");
  } else if (looking_at("<!DOCTYPE")) {
    if (part_ != Part::Prolog)
      throw Defect(start, "DOCTYPE after the root element started");
    skip_doctype();
  } else if (!ensure(pos_, 9)) {
    throw Defect(window_end(), "the file ends inside the markup opened at " + at_byte(start));
  } else {
    throw Defect(start, "unknown markup after '<!'");
  }
}

void ReportReader::skip_past(std::uint64_t from, std::string_view terminator,
                             const char* construct) {
  const std::uint64_t opened_at = pos_;
  std::uint64_t search_from = from;
  for (;;) {
    const std::string_view window(at(search_from), window_end() - search_from);
    const auto found = window.find(terminator);
    if (found != std::string_view::npos) {
      pos_ = search_from + found + terminator.size();
      return;
    }
    // What was searched is consumed, except a tail that may hold the start of the terminator.
    search_from = window_end() - std::min(window.size(), terminator.size() - 1);
    pos_ = search_from;
    if (!fill_from(pos_)) {
      throw Defect(window_end(), std::string("the file ends inside a ") + construct +
                                     " opened at " + at_byte(opened_at));
    }
  }
}

void ReportReader::skip_doctype() {
  // <!DOCTYPE name [internal subset]>: a '>' inside the subset or a quoted literal does not end it.
  const std::uint64_t opened_at = pos_;
  char quote = 0;
  int subset_depth = 0;
  pos_ += 9;
  for (;;) {
    for (; pos_ < window_end(); ++pos_) {
      const char c = *at(pos_);
      if (quote != 0) {
        if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++subset_depth;
      } else if (c == ']') {
        --subset_depth;
      } else if (c == '>' && subset_depth <= 0) {
        ++pos_;
        return;
      }
    }
    if (!fill_from(pos_)) {
      throw Defect(window_end(),
                   "the file ends inside the DOCTYPE opened at " + at_byte(opened_at));
    }
  }
}

const char* ReportReader::start_tag(const char* p, const char* stop) {
  if (!has_class(p[1], kNameStart)) {
    throw Defect(offset_of(p + 1),
                 "'<' not followed by an element name (an unescaped '<' in text?)");
  }
  const char* s = skip_name(p + 2, stop);
  if (s == stop)
    return nullptr;
  const std::string_view name(p + 1, static_cast<std::size_t>(s - p - 1));
  const bool opens_testcase = testcase_depth_ == 0 && name == "testcase";
  OutcomeEvidence evidence;
  bool self_closing = false;
  for (;;) {
    // Fast paths for the usual shape, name="value" separated by one space; the general
    // whitespace loops run only when they are not taken.
    const char* space = s;
    if (s < stop && *s == ' ')
      ++s;
    if (s < stop && has_class(*s, kSpace))
      s = skip_spaces(s, stop);
    if (s == stop)
      return nullptr;
    if (*s == '>') {
      ++s;
      break;
    }
    if (*s == '/') {
      if (s + 1 == stop)
        return nullptr;
      if (s[1] != '>')
        throw Defect(offset_of(s + 1), "expected '>' after '/' in " + element(name));
      self_closing = true;
      s += 2;
      break;
    }
    if (s == space) {
      throw Defect(offset_of(s), "expected whitespace, '>' or '/>' in " + element(name));
    }
    if (!has_class(*s, kNameStart)) {
      throw Defect(offset_of(s), "expected an attribute name in " + element(name));
    }
    const char* attribute = s;
    s = skip_name(s + 1, stop);
    const std::string_view attribute_name(attribute, static_cast<std::size_t>(s - attribute));
    if (s < stop && *s != '=')
      s = skip_spaces(s, stop);
    if (s == stop)
      return nullptr;
    if (*s != '=') {
      throw Defect(offset_of(s), "expected '=' after attribute " + std::string(attribute_name) +
                                     " in " + element(name));
    }
    ++s;
    if (s < stop && *s != '"' && *s != '\'')
      s = skip_spaces(s, stop);
    if (s == stop)
      return nullptr;
    const char quote = *s;
    if (quote != '"' && quote != '\'') {
      throw Defect(offset_of(s), "the value of attribute " + std::string(attribute_name) + " in " +
                                     element(name) + " is not quoted");
    }
    const char* value = s + 1;
    const char* closing_quote = find_quote(value, stop, quote);
    if (closing_quote == nullptr)
      return nullptr;
    if (opens_testcase) {
      evidence.attribute(attribute_name,
                         std::string_view(value, static_cast<std::size_t>(closing_quote - value)));
    }
    s = closing_quote + 1;
  }

  if (part_ == Part::Epilog) {
    throw Defect(offset_of(p), "a second root element " + element(name));
  }
  part_ = Part::Root;
  if (opens_testcase) {
    testcase_evidence_ = evidence;
    if (self_closing) {
      finish_testcase(std::string_view(p, static_cast<std::size_t>(s - p)));
    } else {
      // A refill may drop the start tag from the window before a <failure> child shows up.
      if (!tally_->listing_full())
        testcase_start_tag_.assign(p, s);
      push(name, offset_of(p));
      testcase_depth_ = open_.size();
    }
  } else {
    if (testcase_depth_ != 0 && open_.size() == testcase_depth_) {
      testcase_evidence_.child_element(name);
    }
    if (!self_closing)
      push(name, offset_of(p));
  }
  if (open_.empty())
    part_ = Part::Epilog;  // a self-closing root
  return s;
}

const char* ReportReader::end_tag(const char* p, const char* stop) {
  const char* s = skip_name(p + 2, stop);
  if (s == stop)
    return nullptr;
  const std::string_view name(p + 2, static_cast<std::size_t>(s - p - 2));
  s = skip_spaces(s, stop);
  if (s == stop)
    return nullptr;
  if (*s != '>')
    throw Defect(offset_of(s), "expected '>' to close the end tag </" + std::string(name) + ">");
  if (open_.empty()) {
    throw Defect(offset_of(p), "end tag </" + std::string(name) + "> with no open element");
  }
  if (name != top_name()) {
    throw Defect(offset_of(p + 2), "end tag </" + std::string(name) + "> does not match " +
                                       element(top_name()) + " opened at " +
                                       at_byte(open_.back().offset));
  }
  pop();
  if (open_.size() < testcase_depth_)
    finish_testcase(testcase_start_tag_);
  if (open_.empty())
    part_ = Part::Epilog;
  return s + 1;
}

void ReportReader::finish_testcase(std::string_view start_tag) {
  tally_->add(testcase_evidence_.outcome(), [&] { return testcase_name(start_tag); });
  testcase_depth_ = 0;
  testcase_evidence_ = {};
}

std::string ReportReader::testcase_name(std::string_view start_tag) const {
  // The start tag alone, self-closed, through pugixml: names are decoded exactly as a
  // whole-document parse decodes them.
  std::string tag(start_tag);
  if (tag.size() >= 2 && tag[tag.size() - 2] != '/') {
    tag.back() = '/';
    tag += '>';
  }
  pugi::xml_document document;
  if (!document.load_buffer(tag.data(), tag.size(), pugi::parse_fragment | pugi::parse_escapes,
                            encoding_)) {
    return "(unnamed testcase)";
  }
  return testcase_display_name(document.first_child());
}

void ReportReader::finish() {
  if (part_ == Part::Prolog) {
    throw Defect(window_end(), window_end() == 0 ? "the file is empty" : "no root element");
  }
  if (part_ == Part::Root) {
    throw Defect(window_end(), "the file ends inside " + element(top_name()) + " opened at " +
                                   at_byte(open_.back().offset) + " (truncated?)");
  }
}

std::string_view ReportReader::top_name() const noexcept {
  const std::size_t size = open_.back().name_size;
  return std::string_view(open_names_).substr(open_names_.size() - size, size);
}

void ReportReader::push(std::string_view name, std::uint64_t offset) {
  open_names_.append(name);
  open_.push_back({name.size(), offset});
}

void ReportReader::pop() noexcept {
  open_names_.resize(open_names_.size() - open_.back().name_size);
  open_.pop_back();
}

}  // namespace vigil::junit_pass_rate
