#pragma once
// Reads an exposition page from a file or an http(s) URL straight into an exposition::Parser, a
// chunk at a time, so no plugin ever holds a whole /metrics page in memory.
//
// URLs need libcurl: a plugin that wants them defines VIGIL_SDK_SCRAPE_WITH_CURL and links
// CURL::libcurl. Without it, PageSource::from_options refuses a `url` at configuration time
// instead of failing on every run.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/sdk/context.hpp"
#include "vigil/sdk/exposition.hpp"
#include "vigil/sdk/options.hpp"
#include "vigil/sdk/version.hpp"

#if defined(VIGIL_SDK_SCRAPE_WITH_CURL)
#include <curl/curl.h>
#endif

namespace vigil::sdk::exposition {

inline constexpr bool scrape_supports_url() noexcept {
#if defined(VIGIL_SDK_SCRAPE_WITH_CURL)
  return true;
#else
  return false;
#endif
}

// Where a page comes from: exactly one of a URL or a file.
struct PageSource {
  std::string url;
  std::string file;

  const std::string& where() const noexcept { return url.empty() ? file : url; }

  // From the options `url` and `file`; throws ConfigError unless exactly one is usable.
  static PageSource from_options(const Options& options) {
    PageSource s;
    s.url = options.find_string("url").value_or("");
    s.file = options.find_string("file").value_or("");
    if (!s.url.empty() && !s.file.empty()) {
      throw ConfigError("url", "set url or file, not both");
    }
    if (s.url.empty() && s.file.empty()) {
      throw ConfigError("url", "set url (a /metrics endpoint) or file (a saved page)");
    }
    if (!s.url.empty()) {
      if (!scrape_supports_url()) {
        throw ConfigError("url", "url needs the http client, not built yet; use file");
      }
      if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0) {
        throw ConfigError("url", "url must start with http:// or https://, got \"" + s.url + "\"");
      }
    }
    return s;
  }
};

struct ScrapeOutcome {
  bool ok = false;
  // One line when !ok: why the page could not be read, or the parser's "line N: reason".
  std::string error;
  bool malformed = false;  // the page was read but is not a valid exposition page
  std::uint64_t bytes = 0;
};

namespace detail {

inline ScrapeOutcome finish_scrape(Parser& parser, ScrapeOutcome out) {
  if (!parser.finish()) {
    out.malformed = true;
    out.error = parser.error()->message();
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace detail

// Reads a file in 64 KiB chunks. `ctx`, when given, is polled between chunks for cancellation.
inline ScrapeOutcome scrape_file(const std::string& path, Parser& parser,
                                 const Context* ctx = nullptr) {
  ScrapeOutcome out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error = "cannot open " + path + ": " + std::strerror(errno);
    return out;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  constexpr std::size_t kChunk = std::size_t{64} << 10;
  const std::unique_ptr<char[]> buffer(new char[kChunk]);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.get(), kChunk);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      out.error = "cannot read " + path + ": " + std::strerror(errno);
      return out;
    }
    if (n == 0)
      break;
    out.bytes += static_cast<std::uint64_t>(n);
    if (!parser.feed(std::string_view(buffer.get(), static_cast<std::size_t>(n)))) {
      out.malformed = true;
      out.error = parser.error()->message();
      return out;
    }
    if (ctx != nullptr && ctx->stop_requested()) {
      out.error = "stopped while reading " + path;
      return out;
    }
  }
  return detail::finish_scrape(parser, std::move(out));
}

#if defined(VIGIL_SDK_SCRAPE_WITH_CURL)

namespace detail {

struct CurlTransfer {
  Parser* parser = nullptr;
  CURL* curl = nullptr;
  const Context* ctx = nullptr;
  std::uint64_t bytes = 0;
  long status = 0;
  bool status_refused = false;
  bool malformed = false;
  bool stopped = false;
};

inline std::size_t curl_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<CurlTransfer*>(user);
  const std::size_t len = size * count;
  if (t->status == 0) {
    // Checked before the first byte reaches the parser: an error page is not a metrics page.
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->status);
    if (t->status < 200 || t->status > 299) {
      t->status_refused = true;
      return 0;
    }
  }
  t->bytes += len;
  if (!t->parser->feed(std::string_view(data, len))) {
    t->malformed = true;
    return 0;
  }
  return len;
}

inline int curl_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<CurlTransfer*>(user);
  if (t->ctx != nullptr && t->ctx->stop_requested()) {
    t->stopped = true;
    return 1;
  }
  return 0;
}

struct CurlHandle {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandle() {
    if (headers != nullptr)
      curl_slist_free_all(headers);
    if (curl != nullptr)
      curl_easy_cleanup(curl);
  }
};

}  // namespace detail

// GETs a URL, asking for the 0.0.4 text format (gzip allowed), following up to 5 redirects
// within http and https. The timeout covers the whole transfer; with a context, the check's
// remaining time caps it and a stop request aborts it.
inline ScrapeOutcome scrape_url(const std::string& url, std::chrono::milliseconds timeout,
                                Parser& parser, const Context* ctx = nullptr) {
  ScrapeOutcome out;
  detail::CurlHandle h;
  if (h.curl == nullptr) {
    out.error = "cannot start an http client (curl_easy_init failed)";
    return out;
  }
  if (ctx != nullptr && ctx->remaining() < timeout)
    timeout = ctx->remaining();
  if (timeout.count() <= 0)
    timeout = std::chrono::milliseconds{1};
  detail::CurlTransfer t;
  t.parser = &parser;
  t.curl = h.curl;
  t.ctx = ctx;
  char error_text[CURL_ERROR_SIZE] = {0};
  h.headers = curl_slist_append(h.headers, "Accept: text/plain;version=0.0.4;q=1.0,*/*;q=0.1");
  curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.headers);
  curl_easy_setopt(h.curl, CURLOPT_USERAGENT, "vigil/" VIGIL_SDK_VERSION_STRING);
  curl_easy_setopt(h.curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h.curl, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(h.curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt(h.curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, &detail::curl_write);
  curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h.curl, CURLOPT_XFERINFOFUNCTION, &detail::curl_progress);
  curl_easy_setopt(h.curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h.curl, CURLOPT_NOPROGRESS, 0L);
  const CURLcode rc = curl_easy_perform(h.curl);
  out.bytes = t.bytes;
  if (t.malformed) {
    out.malformed = true;
    out.error = parser.error()->message();
    return out;
  }
  if (t.status == 0)
    curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &t.status);
  if (t.status_refused || (rc == CURLE_OK && (t.status < 200 || t.status > 299))) {
    out.error = "HTTP " + std::to_string(t.status) + " from " + url;
    return out;
  }
  if (t.stopped) {
    out.error = "stopped while reading " + url;
    return out;
  }
  if (rc != CURLE_OK) {
    out.error = url + ": " + (error_text[0] != '\0' ? error_text : curl_easy_strerror(rc));
    return out;
  }
  return detail::finish_scrape(parser, std::move(out));
}

#endif  // VIGIL_SDK_SCRAPE_WITH_CURL

// A selector from a map option of label matchers in the short form (see
// LabelMatcher::from_shorthand): {code: "~2..", method: "GET", path: "!/health"}. Throws
// ConfigError naming the option for a bad label name or regular expression.
inline SeriesSelector selector_from_options(const Options& options, std::string_view key) {
  std::vector<LabelMatcher> matchers;
  if (!options.has(key))
    return SeriesSelector{};
  const std::string option(key);
  for (const auto& [name, text] : options.string_map(key)) {
    bool valid = !name.empty() && detail::kChars.label_start[detail::byte(name[0])];
    for (const char c : name)
      valid = valid && detail::kChars.label[detail::byte(c)];
    if (!valid) {
      throw ConfigError(option, option + ": \"" + name + "\" is not a label name");
    }
    try {
      matchers.push_back(LabelMatcher::from_shorthand(name, text));
    } catch (const std::regex_error& e) {
      throw ConfigError(option, option + "." + name + ": \"" + text +
                                    "\" is not a regular expression (" + e.what() + ")");
    }
  }
  return SeriesSelector(std::move(matchers));
}

// --- between two scrapes: what a check keeps in its state store to measure increases ------

// A counter's increase between two readings. A decrease means the process restarted and the
// counter began again from zero, so the current value is the increase, as PromQL's increase()
// takes it.
inline double counter_increase(double previous, double current) noexcept {
  return current >= previous ? current - previous : current;
}

// Shortest text that reads back as the same double ("0.1", "1e+300", "inf", "nan"), for state
// values that parse_float reads back.
inline std::string format_number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// FNV-1a: a stable hash of a check's selection, stored with its state so that a state written
// for another metric or selector is not mistaken for this one's previous scrape.
inline std::uint64_t fingerprint(std::string_view text) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

inline ScrapeOutcome scrape(const PageSource& source, std::chrono::milliseconds timeout,
                            Parser& parser, const Context* ctx = nullptr) {
  if (!source.file.empty())
    return scrape_file(source.file, parser, ctx);
#if defined(VIGIL_SDK_SCRAPE_WITH_CURL)
  return scrape_url(source.url, timeout, parser, ctx);
#else
  (void)timeout;
  ScrapeOutcome out;
  out.error = "url needs the http client, not built yet";
  return out;
#endif
}

}  // namespace vigil::sdk::exposition
