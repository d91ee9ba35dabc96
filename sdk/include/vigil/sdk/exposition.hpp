#pragma once
// A streaming parser for the Prometheus text exposition format 0.0.4, the page behind most
// /metrics endpoints, for every plugin that reads one.
//
// Feed it the page in chunks of any size (straight from a curl write callback or a read() loop);
// it calls a Visitor once per sample and per # HELP / # TYPE line. Memory stays constant apart
// from the longest line: lines that lie wholly inside a chunk are parsed where they lie, only a
// line split across two chunks is copied. Names, label names and values reach the visitor as
// string_views that are valid during the callback only; nothing is allocated per sample once the
// first few lines have sized the reused buffers.
//
// What is accepted follows the Prometheus server's own text parser (model/textparse/promparse):
//   - blanks and tabs may separate tokens anywhere and may lead or trail a line; blank lines and
//     "#" comments are skipped; "# HELP" and "# TYPE" followed by a blank are metadata;
//   - values are Go ParseFloat numbers without hex or underscores: decimals, exponents, NaN,
//     [+-]Inf and [+-]Infinity in any case; timestamps are integer milliseconds, digits only;
//   - label values decode \\, \" and \n; any other escape is kept as written;
// and differs from it where the format's own specification is clearer: label pairs need commas
// (promparse accepts a missing one, by its own comment an accident) and a label name may appear
// only once. A line may end in CRLF.
// OpenMetrics pages are tolerated where that is unambiguous: "# EOF" ends the page (text after it
// is an error), "# UNIT" is a comment, TYPE accepts unknown/gaugehistogram/stateset/info, and an
// exemplar after " # " is checked for syntax and skipped. OpenMetrics' float-second timestamps
// are refused: on a line they cannot be told apart from 0.0.4 milliseconds.
//
// The first malformed line stops the parser with its number and the reason, e.g.
//   line 42: expected '=' after label name "code"
// Samples before that line have already been reported; a caller that must not act on part of a
// rejected page keeps what it collected until finish() returned true.
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace vigil::sdk::exposition {

enum class MetricType : unsigned char {
  Untyped,  // no # TYPE line for the family, or "untyped"
  Counter,
  Gauge,
  Histogram,
  Summary,
  Unknown,  // OpenMetrics' name for untyped
  GaugeHistogram,
  StateSet,
  Info,
};

inline constexpr std::string_view to_string(MetricType t) noexcept {
  switch (t) {
    case MetricType::Untyped:
      return "untyped";
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Summary:
      return "summary";
    case MetricType::Unknown:
      return "unknown";
    case MetricType::GaugeHistogram:
      return "gaugehistogram";
    case MetricType::StateSet:
      return "stateset";
    case MetricType::Info:
      return "info";
  }
  return "untyped";
}

inline std::optional<MetricType> metric_type_from_string(std::string_view s) noexcept {
  if (s == "counter")
    return MetricType::Counter;
  if (s == "gauge")
    return MetricType::Gauge;
  if (s == "histogram")
    return MetricType::Histogram;
  if (s == "summary")
    return MetricType::Summary;
  if (s == "untyped")
    return MetricType::Untyped;
  if (s == "unknown")
    return MetricType::Unknown;
  if (s == "gaugehistogram")
    return MetricType::GaugeHistogram;
  if (s == "stateset")
    return MetricType::StateSet;
  if (s == "info")
    return MetricType::Info;
  return std::nullopt;
}

struct Label {
  std::string_view name;
  std::string_view value;
};

// The labels of one sample, in page order.
class LabelView {
 public:
  LabelView() = default;
  LabelView(const Label* data, std::size_t size) : data_(data), size_(size) {}

  const Label* begin() const noexcept { return data_; }
  const Label* end() const noexcept { return data_ + size_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const Label& operator[](std::size_t i) const noexcept { return data_[i]; }

  const Label* find(std::string_view name) const noexcept {
    for (const Label& l : *this) {
      if (l.name == name)
        return &l;
    }
    return nullptr;
  }
  // The value of a label, "" when the sample has no such label: the same thing to PromQL.
  std::string_view get(std::string_view name) const noexcept {
    const Label* l = find(name);
    return l != nullptr ? l->value : std::string_view{};
  }

 private:
  const Label* data_ = nullptr;
  std::size_t size_ = 0;
};

struct Sample {
  std::string_view name;
  LabelView labels;
  double value = 0;
  std::optional<std::int64_t> timestamp_ms;
  // The family named by the last # TYPE line when this sample belongs to it (name equal, or
  // the family plus _bucket, _sum, _count, _total, _created, _info, _gcount or _gsum); empty
  // and Untyped otherwise.
  std::string_view family;
  MetricType type = MetricType::Untyped;
  std::size_t line = 0;
};

class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual void sample(const Sample& sample) = 0;
  // `text` has its escapes (\\ and \n) decoded.
  virtual void help(std::string_view /*name*/, std::string_view /*text*/, std::size_t /*line*/) {}
  virtual void type(std::string_view /*name*/, MetricType /*type*/, std::size_t /*line*/) {}
};

// A Visitor from a callable taking (const Sample&), for the common case.
template <class OnSample>
class SampleVisitor final : public Visitor {
 public:
  explicit SampleVisitor(OnSample on_sample) : on_sample_(std::move(on_sample)) {}
  void sample(const Sample& s) override { on_sample_(s); }

 private:
  OnSample on_sample_;
};

template <class OnSample>
SampleVisitor<OnSample> on_samples(OnSample on_sample) {
  return SampleVisitor<OnSample>(std::move(on_sample));
}

struct ParseError {
  std::size_t line = 0;
  std::string reason;
  std::string message() const { return "line " + std::to_string(line) + ": " + reason; }
};

namespace detail {

struct CharClasses {
  std::array<bool, 256> metric_start{};
  std::array<bool, 256> metric{};
  std::array<bool, 256> label_start{};
  std::array<bool, 256> label{};
};

inline constexpr CharClasses make_char_classes() {
  CharClasses c{};
  for (int i = 0; i < 256; ++i) {
    const bool alpha = (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') || i == '_';
    const bool digit = i >= '0' && i <= '9';
    c.label_start[i] = alpha;
    c.label[i] = alpha || digit;
    c.metric_start[i] = alpha || i == ':';
    c.metric[i] = alpha || digit || i == ':';
  }
  return c;
}

inline constexpr CharClasses kChars = make_char_classes();

inline unsigned char byte(char c) noexcept {
  return static_cast<unsigned char>(c);
}
inline bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
inline bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

inline const char* skip_blanks(const char* p, const char* end) noexcept {
  while (p < end && is_blank(*p))
    ++p;
  return p;
}
inline const char* skip_token(const char* p, const char* end) noexcept {
  while (p < end && !is_blank(*p))
    ++p;
  return p;
}

inline bool equals_ignoring_case(const char* p, std::size_t n, std::string_view lower) noexcept {
  if (n != lower.size())
    return false;
  for (std::size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i])
      return false;
  }
  return true;
}

// Shows a character in an error message; control bytes as \xNN so one line stays one line.
inline std::string quote_char(char c) {
  if (byte(c) < 0x20 || byte(c) == 0x7f) {
    static const char* const hex = "0123456789abcdef";
    return std::string("'\\x") + hex[byte(c) >> 4] + hex[byte(c) & 15] + "'";
  }
  return std::string("'") + c + "'";
}

inline std::string quote_text(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte(c) < 0x20) {
      out += "\\x";
      out += "0123456789abcdef"[byte(c) >> 4];
      out += "0123456789abcdef"[byte(c) & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > kMax)
    out += "...";
  return out + "\"";
}

}  // namespace detail

// Parses a sample value, an le or a quantile label as Prometheus does (Go's strconv.ParseFloat
// without hex floats or underscores). Out of range is an error, as in Go; underflow is not.
inline std::optional<double> parse_float(std::string_view text) noexcept {
  const char* p = text.data();
  const char* const end = p + text.size();
  if (p == end)
    return std::nullopt;
  bool negative = false;
  const bool has_sign = *p == '+' || *p == '-';
  if (has_sign) {
    negative = *p == '-';
    if (++p == end)
      return std::nullopt;
  }
  const auto n = static_cast<std::size_t>(end - p);
  if (*p == 'i' || *p == 'I') {
    if (detail::equals_ignoring_case(p, n, "inf") ||
        detail::equals_ignoring_case(p, n, "infinity")) {
      return negative ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity();
    }
    return std::nullopt;
  }
  if (*p == 'n' || *p == 'N') {
    // Go has no signed NaN.
    if (!has_sign && detail::equals_ignoring_case(p, n, "nan")) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    return std::nullopt;
  }
  if (!detail::is_digit(*p) && *p != '.')
    return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(p, end, v, std::chars_format::general);
  if (r.ptr != end)
    return std::nullopt;
  if (r.ec == std::errc::result_out_of_range) {
    // from_chars does not say which way it went; strtod does. Rare enough to copy.
    const std::string copy(p, end);
    v = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(v))
      return std::nullopt;
  } else if (r.ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -v : v;
}

class Parser {
 public:
  // A line longer than this is an error rather than a reason to grow without bound: a page whose
  // lines run to megabytes is not an exposition page.
  static constexpr std::size_t kDefaultMaxLineBytes = std::size_t{1} << 20;

  explicit Parser(Visitor& visitor, std::size_t max_line_bytes = kDefaultMaxLineBytes)
      : visitor_(&visitor), max_line_bytes_(max_line_bytes) {}

  // Parses every complete line in `chunk` and keeps the incomplete tail for the next call.
  // Returns false once the page is known to be malformed; later calls do nothing.
  bool feed(std::string_view chunk) {
    if (failed_)
      return false;
    if (chunk.empty())
      return true;
    const char* p = chunk.data();
    const char* const end = p + chunk.size();
    if (!pending_.empty()) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', chunk.size()));
      const char* stop = nl != nullptr ? nl : end;
      if (pending_.size() + static_cast<std::size_t>(stop - p) > max_line_bytes_) {
        return fail_too_long();
      }
      pending_.append(p, stop);
      if (nl == nullptr)
        return true;
      parse_line(pending_.data(), pending_.data() + pending_.size());
      pending_.clear();
      if (failed_)
        return false;
      p = nl + 1;
    }
    while (p < end) {
      const auto* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (nl == nullptr) {
        if (static_cast<std::size_t>(end - p) > max_line_bytes_)
          return fail_too_long();
        pending_.assign(p, end);
        break;
      }
      parse_line(p, nl);
      if (failed_)
        return false;
      p = nl + 1;
    }
    return true;
  }

  // Parses a last line that had no newline. Returns true when the whole page was well formed.
  bool finish() {
    if (failed_)
      return false;
    if (!pending_.empty()) {
      parse_line(pending_.data(), pending_.data() + pending_.size());
      pending_.clear();
    }
    return !failed_;
  }

  bool failed() const noexcept { return failed_; }
  const ParseError* error() const noexcept { return failed_ ? &error_ : nullptr; }
  std::size_t lines() const noexcept { return line_; }
  std::size_t samples() const noexcept { return samples_; }
  bool saw_eof_marker() const noexcept { return after_eof_; }

 private:
  bool fail(std::string reason) {
    failed_ = true;
    error_.line = line_;
    error_.reason = std::move(reason);
    return false;
  }
  bool fail_too_long() {
    line_ += 1;
    return fail("line longer than " + std::to_string(max_line_bytes_) +
                " bytes: not an exposition page?");
  }

  void parse_line(const char* p, const char* end) {
    ++line_;
    if (end > p && end[-1] == '\r')
      --end;  // pages written on Windows
    if (scratch_.size() < static_cast<std::size_t>(end - p)) {
      // Decoded text is never longer than its line, so views into scratch_ stay valid for the
      // whole line once it has this size.
      scratch_.resize(static_cast<std::size_t>(end - p));
    }
    scratch_used_ = 0;
    p = detail::skip_blanks(p, end);
    if (after_eof_) {
      if (p != end)
        fail("text after \"# EOF\"");
      return;
    }
    if (p == end)
      return;
    if (*p == '#') {
      parse_comment(p + 1, end);
    } else {
      parse_sample(p, end);
    }
  }

  void parse_comment(const char* p, const char* end) {
    // "#" not followed by a blank is always a plain comment, as in Prometheus's lexer.
    if (p == end || !detail::is_blank(*p))
      return;
    const char* word = detail::skip_blanks(p, end);
    const char* word_end = detail::skip_token(word, end);
    const std::string_view keyword(word, static_cast<std::size_t>(word_end - word));
    if (keyword == "EOF" && word_end == end && word == p + 1) {
      after_eof_ = true;
      return;
    }
    const bool help = keyword == "HELP";
    if ((!help && keyword != "TYPE") || word_end == end)
      return;  // a comment after all
    const char* name = detail::skip_blanks(word_end, end);
    const char* name_end = name;
    if (name_end < end && detail::kChars.metric_start[detail::byte(*name_end)]) {
      while (name_end < end && detail::kChars.metric[detail::byte(*name_end)])
        ++name_end;
    }
    const std::string_view keyword_text = help ? "HELP" : "TYPE";
    if (name_end == name) {
      if (name == end) {
        fail("expected a metric name after # " + std::string(keyword_text));
      } else {
        fail("expected a metric name after # " + std::string(keyword_text) + ", got " +
             detail::quote_char(*name));
      }
      return;
    }
    const std::string_view metric(name, static_cast<std::size_t>(name_end - name));
    if (name_end < end && !detail::is_blank(*name_end)) {
      fail("unexpected " + detail::quote_char(*name_end) + " after metric name " +
           detail::quote_text(metric) + " in # " + std::string(keyword_text));
      return;
    }
    // The text is everything after the one blank that ends the name.
    const char* text = name_end < end ? name_end + 1 : end;
    if (help) {
      visitor_->help(metric, decode_help(text, end), line_);
      return;
    }
    const std::string_view type_text(text, static_cast<std::size_t>(end - text));
    const auto type = metric_type_from_string(type_text);
    if (!type) {
      fail("invalid metric type " + detail::quote_text(type_text) + " for " +
           detail::quote_text(metric) + " (counter, gauge, histogram, summary or untyped)");
      return;
    }
    family_.assign(metric.data(), metric.size());
    family_type_ = *type;
    visitor_->type(metric, *type, line_);
  }

  void parse_sample(const char* p, const char* end) {
    if (!detail::kChars.metric_start[detail::byte(*p)]) {
      fail("expected a metric name, got " + detail::quote_char(*p));
      return;
    }
    const char* name_end = p + 1;
    while (name_end < end && detail::kChars.metric[detail::byte(*name_end)])
      ++name_end;
    const std::string_view name(p, static_cast<std::size_t>(name_end - p));
    const char* q = detail::skip_blanks(name_end, end);
    labels_.clear();
    if (q < end && *q == '{') {
      q = parse_labels(q + 1, end, labels_);
      if (q == nullptr)
        return;
      q = detail::skip_blanks(q, end);
    } else if (q == name_end && q < end) {
      fail("unexpected " + detail::quote_char(*q) + " after metric name " +
           detail::quote_text(name));
      return;
    }
    if (q == end) {
      fail("expected a value after " + detail::quote_text(name));
      return;
    }
    const char* value_end = detail::skip_token(q, end);
    const std::string_view value_text(q, static_cast<std::size_t>(value_end - q));
    const auto value = parse_float(value_text);
    if (!value) {
      fail("invalid value " + detail::quote_text(value_text) + " for " + detail::quote_text(name));
      return;
    }
    Sample s;
    s.name = name;
    s.value = *value;
    s.line = line_;
    q = detail::skip_blanks(value_end, end);
    if (q < end && *q != '#') {
      const char* ts_end = detail::skip_token(q, end);
      const auto ts = parse_timestamp(q, ts_end);
      if (!ts)
        return;
      s.timestamp_ms = *ts;
      q = detail::skip_blanks(ts_end, end);
    }
    if (q < end) {
      if (*q != '#') {
        fail("unexpected text " +
             detail::quote_text(std::string_view(q, static_cast<std::size_t>(end - q))) +
             " after the timestamp");
        return;
      }
      if (!skip_exemplar(q + 1, end))
        return;
    }
    s.labels = LabelView(labels_.data(), labels_.size());
    if (belongs_to_family(name)) {
      s.family = family_;
      s.type = family_type_;
    }
    ++samples_;
    visitor_->sample(s);
  }

  // Parses `name="value", ...}` from just after the brace; returns just after the closing brace,
  // or nullptr after fail().
  const char* parse_labels(const char* q, const char* end, std::vector<Label>& out) {
    q = detail::skip_blanks(q, end);
    if (q < end && *q == '}')
      return q + 1;
    for (;;) {
      if (q == end) {
        fail("expected a label name or '}'");
        return nullptr;
      }
      if (!detail::kChars.label_start[detail::byte(*q)]) {
        fail("expected a label name, got " + detail::quote_char(*q));
        return nullptr;
      }
      const char* name_end = q + 1;
      while (name_end < end && detail::kChars.label[detail::byte(*name_end)])
        ++name_end;
      const std::string_view label(q, static_cast<std::size_t>(name_end - q));
      q = detail::skip_blanks(name_end, end);
      if (q == end || *q != '=') {
        fail("expected '=' after label name " + detail::quote_text(label));
        return nullptr;
      }
      q = detail::skip_blanks(q + 1, end);
      if (q == end || *q != '"') {
        fail("expected '\"' to open the value of label " + detail::quote_text(label));
        return nullptr;
      }
      const char* value = q + 1;
      const auto* quote =
          static_cast<const char*>(std::memchr(value, '"', static_cast<std::size_t>(end - value)));
      if (quote == nullptr) {
        fail("unterminated value of label " + detail::quote_text(label));
        return nullptr;
      }
      std::string_view decoded;
      if (std::memchr(value, '\\', static_cast<std::size_t>(quote - value)) == nullptr) {
        decoded = std::string_view(value, static_cast<std::size_t>(quote - value));
      } else {
        quote = find_closing_quote(value, end);
        if (quote == nullptr) {
          fail("unterminated value of label " + detail::quote_text(label));
          return nullptr;
        }
        decoded = decode_label_value(value, quote);
      }
      for (const Label& seen : out) {
        if (seen.name == label) {
          fail("label " + detail::quote_text(label) + " appears twice");
          return nullptr;
        }
      }
      out.push_back(Label{label, decoded});
      q = detail::skip_blanks(quote + 1, end);
      if (q < end && *q == ',') {
        q = detail::skip_blanks(q + 1, end);
        if (q < end && *q == '}')
          return q + 1;  // the format allows a trailing comma
        continue;
      }
      if (q < end && *q == '}')
        return q + 1;
      fail("expected ',' or '}' after the value of label " + detail::quote_text(label) +
           (q < end ? ", got " + detail::quote_char(*q) : std::string()));
      return nullptr;
    }
  }

  static const char* find_closing_quote(const char* p, const char* end) noexcept {
    while (p < end) {
      if (*p == '\\') {
        p += 2;
      } else if (*p == '"') {
        return p;
      } else {
        ++p;
      }
    }
    return nullptr;
  }

  std::string_view decode_label_value(const char* p, const char* end) {
    char* const out = scratch_.data() + scratch_used_;
    char* w = out;
    while (p < end) {
      if (*p == '\\' && p + 1 < end) {
        const char c = p[1];
        if (c == '\\' || c == '"') {
          *w++ = c;
          p += 2;
          continue;
        }
        if (c == 'n') {
          *w++ = '\n';
          p += 2;
          continue;
        }
      }
      *w++ = *p++;  // Prometheus keeps any other escape as written
    }
    scratch_used_ += static_cast<std::size_t>(w - out);
    return std::string_view(out, static_cast<std::size_t>(w - out));
  }

  std::string_view decode_help(const char* p, const char* end) {
    if (std::memchr(p, '\\', static_cast<std::size_t>(end - p)) == nullptr) {
      return std::string_view(p, static_cast<std::size_t>(end - p));
    }
    char* const out = scratch_.data() + scratch_used_;
    char* w = out;
    while (p < end) {
      if (*p == '\\' && p + 1 < end && (p[1] == '\\' || p[1] == 'n')) {
        *w++ = p[1] == 'n' ? '\n' : '\\';
        p += 2;
      } else {
        *w++ = *p++;
      }
    }
    scratch_used_ += static_cast<std::size_t>(w - out);
    return std::string_view(out, static_cast<std::size_t>(w - out));
  }

  std::optional<std::int64_t> parse_timestamp(const char* p, const char* end) {
    const std::string_view text(p, static_cast<std::size_t>(end - p));
    bool digits_only = !text.empty();
    for (const char c : text)
      digits_only = digits_only && detail::is_digit(c);
    std::int64_t ts = 0;
    const auto r = std::from_chars(p, end, ts);  // refuses what overflows int64
    if (!digits_only || r.ptr != end || r.ec != std::errc()) {
      fail("invalid timestamp " + detail::quote_text(text) +
           ", expected integer milliseconds since the epoch");
      return std::nullopt;
    }
    return ts;
  }

  // OpenMetrics exemplar: '#' blank '{' labels '}' blank value [blank timestamp]. Checked so
  // that a broken line is not half-read, then dropped.
  bool skip_exemplar(const char* q, const char* end) {
    if (q == end || !detail::is_blank(*q))
      return fail("expected \" # {\" to start an exemplar");
    q = detail::skip_blanks(q, end);
    if (q == end || *q != '{')
      return fail("expected '{' to open the exemplar's labels");
    exemplar_labels_.clear();
    q = parse_labels(q + 1, end, exemplar_labels_);
    if (q == nullptr)
      return false;
    if (q < end && !detail::is_blank(*q)) {
      return fail("expected a blank between the exemplar's labels and its value");
    }
    q = detail::skip_blanks(q, end);
    if (q == end)
      return fail("expected a value after the exemplar's labels");
    const char* value_end = detail::skip_token(q, end);
    const std::string_view value(q, static_cast<std::size_t>(value_end - q));
    if (!parse_float(value))
      return fail("invalid exemplar value " + detail::quote_text(value));
    q = detail::skip_blanks(value_end, end);
    if (q == end)
      return true;
    const char* ts_end = detail::skip_token(q, end);
    const std::string_view ts(q, static_cast<std::size_t>(ts_end - q));
    const auto seconds = parse_float(ts);
    if (!seconds || !std::isfinite(*seconds)) {
      return fail("invalid exemplar timestamp " + detail::quote_text(ts));
    }
    if (detail::skip_blanks(ts_end, end) != end) {
      return fail("unexpected text after the exemplar's timestamp");
    }
    return true;
  }

  bool belongs_to_family(std::string_view name) const noexcept {
    if (family_.empty() || name.size() < family_.size() ||
        name.compare(0, family_.size(), family_) != 0) {
      return false;
    }
    const std::string_view suffix = name.substr(family_.size());
    return suffix.empty() || suffix == "_bucket" || suffix == "_sum" || suffix == "_count" ||
           suffix == "_total" || suffix == "_created" || suffix == "_info" || suffix == "_gcount" ||
           suffix == "_gsum";
  }

  Visitor* visitor_;
  std::size_t max_line_bytes_;
  std::string pending_;  // an incomplete line carried between chunks
  std::string scratch_;  // decoded label values and help text of the current line
  std::size_t scratch_used_ = 0;
  std::vector<Label> labels_;
  std::vector<Label> exemplar_labels_;
  std::string family_;
  MetricType family_type_ = MetricType::Untyped;
  std::size_t line_ = 0;
  std::size_t samples_ = 0;
  bool after_eof_ = false;
  bool failed_ = false;
  ParseError error_;
};

// Parses a whole page held in memory. Returns the error, if any.
inline std::optional<ParseError> parse(std::string_view page, Visitor& visitor) {
  Parser parser(visitor);
  parser.feed(page);
  if (!parser.finish())
    return *parser.error();
  return std::nullopt;
}

// A PromQL label matcher. A sample without the label has it as "", so code!="500" also matches
// a series with no code label and code="" matches only such series, as in PromQL. Regular
// expressions are ECMAScript (close to RE2 for what selectors use) and, as in PromQL, must match
// the whole value.
class LabelMatcher {
 public:
  enum class Op { Equal, NotEqual, RegexMatch, RegexNoMatch };

  // Throws std::regex_error for a bad expression.
  LabelMatcher(std::string name, Op op, std::string value)
      : name_(std::move(name)), op_(op), value_(std::move(value)) {
    if (op_ == Op::RegexMatch || op_ == Op::RegexNoMatch) {
      regex_ = std::regex(value_, std::regex::ECMAScript | std::regex::optimize);
    }
  }

  // The short form of plugin options: "200" is =, "!500" is !=, "~2.." is =~, "!~5.." is !~,
  // and a leading '=' takes the rest literally ("=~x" matches the value "~x").
  static LabelMatcher from_shorthand(std::string name, std::string_view text) {
    if (text.substr(0, 2) == "!~")
      return {std::move(name), Op::RegexNoMatch, std::string(text.substr(2))};
    if (text.substr(0, 1) == "!")
      return {std::move(name), Op::NotEqual, std::string(text.substr(1))};
    if (text.substr(0, 1) == "~")
      return {std::move(name), Op::RegexMatch, std::string(text.substr(1))};
    if (text.substr(0, 1) == "=")
      return {std::move(name), Op::Equal, std::string(text.substr(1))};
    return {std::move(name), Op::Equal, std::string(text)};
  }

  bool matches(std::string_view value) const {
    switch (op_) {
      case Op::Equal:
        return value == value_;
      case Op::NotEqual:
        return value != value_;
      case Op::RegexMatch:
        return std::regex_match(value.data(), value.data() + value.size(), regex_);
      case Op::RegexNoMatch:
        return !std::regex_match(value.data(), value.data() + value.size(), regex_);
    }
    return false;
  }
  bool matches(const LabelView& labels) const { return matches(labels.get(name_)); }

  const std::string& name() const noexcept { return name_; }
  Op op() const noexcept { return op_; }
  const std::string& value() const noexcept { return value_; }

  // PromQL text: code=~"2.."
  std::string to_string() const {
    static const char* const ops[] = {"=", "!=", "=~", "!~"};
    std::string out = name_ + ops[static_cast<int>(op_)] + "\"";
    for (const char c : value_) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    return out + "\"";
  }

 private:
  std::string name_;
  Op op_;
  std::string value_;
  std::regex regex_;
};

// All matchers must match (PromQL's {a="x", b=~"y"}).
class SeriesSelector {
 public:
  SeriesSelector() = default;
  explicit SeriesSelector(std::vector<LabelMatcher> matchers) : matchers_(std::move(matchers)) {}

  bool matches(const LabelView& labels) const {
    for (const auto& m : matchers_) {
      if (!m.matches(labels))
        return false;
    }
    return true;
  }
  const std::vector<LabelMatcher>& matchers() const noexcept { return matchers_; }
  bool empty() const noexcept { return matchers_.empty(); }

  // PromQL text: {code=~"2..", method="GET"}, or "" when there are no matchers.
  std::string to_string() const {
    if (matchers_.empty())
      return {};
    std::string out = "{";
    for (std::size_t i = 0; i < matchers_.size(); ++i) {
      if (i > 0)
        out += ", ";
      out += matchers_[i].to_string();
    }
    return out + "}";
  }

 private:
  std::vector<LabelMatcher> matchers_;
};

}  // namespace vigil::sdk::exposition
