#include "http_post.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <utility>

#include <curl/curl.h>
#include <curl_on_demand.hpp>

namespace vigil::notify {

namespace {

// curl_global_init is not thread-safe; this runs it once, before the first handle.
bool init_curl_once() {
  static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
  return initialised == CURLE_OK;
}

struct CurlEasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t bytes = size * count;
  // Read on past the limit, keeping nothing: aborting would turn a long error page into a
  // transport failure and hide the status that explains it.
  if (body->size() < kKeptBodyBytes)
    body->append(data, std::min(bytes, kKeptBodyBytes - body->size()));
  return bytes;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i]))
      return false;
  }
  return true;
}

// Where the authority (user:pass@host:port) of a URL starts and ends; npos when no "://".
std::pair<std::size_t, std::size_t> authority_of(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return {std::string::npos, std::string::npos};
  const std::size_t start = scheme_end + 3;
  std::size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos)
    end = url.size();
  return {start, end};
}

}  // namespace

bool is_http_url(const std::string& url) {
  const std::size_t colon = url.find("://");
  if (colon == std::string::npos)
    return false;
  const std::string_view scheme(url.data(), colon);
  return equals_ignoring_case(scheme, "http") || equals_ignoring_case(scheme, "https");
}

std::string without_credentials(const std::string& url) {
  const auto [start, end] = authority_of(url);
  if (start == std::string::npos)
    return url;
  const std::size_t at = url.rfind('@', end == 0 ? 0 : end - 1);
  if (at == std::string::npos || at < start)
    return url;
  return url.substr(0, start) + url.substr(at + 1);
}

std::string redact_url(const std::string& url) {
  const std::string plain = without_credentials(url);
  const auto [start, end] = authority_of(plain);
  if (start == std::string::npos)
    return "<url>";
  if (end >= plain.size())
    return plain;
  return plain.substr(0, end) + "/…";
}

std::string path_of(const std::string& url) {
  const auto [start, end] = authority_of(url);
  if (start == std::string::npos || end >= url.size())
    return {};
  return url.substr(end);
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    // A very short secret ("1", "on") would garble ordinary words and numbers of the message
    // and reveal next to nothing; secrets worth the name are longer.
    if (secret.size() < 6)
      continue;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "<secret>");
      at += 8;
    }
  }
  return text;
}

std::string format_timeout(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  if (ms < 1000)
    return std::to_string(ms) + "ms";
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000.0);
  return text;
}

std::string first_bytes_one_line(std::string_view body, std::size_t limit) {
  std::size_t cut = body.size();
  bool truncated = false;
  if (cut > limit) {
    cut = limit;
    // Back off to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80)
      --cut;
    truncated = true;
  }
  std::string out;
  out.reserve(cut + 4);
  for (std::size_t i = 0; i < cut; ++i) {
    const char c = body[i];
    out += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  if (truncated)
    out += "…";
  return out;
}

std::string describe_transport_failure(int curl_code, long os_errno, std::string_view detail,
                                       std::chrono::milliseconds timeout) {
  const std::string text(detail);
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out after " + format_timeout(timeout);
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED)
        return "connection refused";
      return "cannot connect: " + text;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "DNS failure: " + text;
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "proxy DNS failure: " + text;
    case CURLE_GOT_NOTHING:
      return "the server closed the connection without answering";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      if (os_errno == ECONNRESET)
        return "connection reset by the server";
      return "connection failed mid-request: " + text;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS verify failed: " + text;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed: " + text;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return "bad URL: " + text;
    default:
      return text;
  }
}

HttpResponse send_once(const HttpRequest& request, std::chrono::milliseconds timeout) {
  HttpResponse out;
  if (timeout.count() <= 0) {
    out.failure = "not sent: the action's deadline had passed";
    return out;
  }
  if (!init_curl_once()) {
    const std::string why = vigil::curl_on_demand::load_error();
    out.failure = "cannot start an http client (" +
                  (why.empty() ? std::string("curl_global_init failed") : why) + ")";
    return out;
  }
  std::unique_ptr<CURL, CurlEasyDeleter> handle(curl_easy_init());
  if (!handle) {
    out.failure = "cannot start an http client (curl_easy_init failed)";
    return out;
  }
  CURL* h = handle.get();

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add_header = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr)
      throw std::bad_alloc();
    (void)headers.release();
    headers.reset(grown);
  };
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    has_content_type = has_content_type || equals_ignoring_case(name, "Content-Type");
    add_header(name + ": " + value);
  }
  if (!has_content_type)
    add_header("Content-Type: application/json");
  // curl waits up to a second for "100 Continue" before sending a large body; receivers of
  // notifications do not need the handshake.
  add_header("Expect:");

  char error_text[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, request.tls_verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, request.tls_verify ? 2L : 0L);
  if (request.ca_file)
    curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file->c_str());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &keep_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    const std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    out.failure = describe_transport_failure(code, os_errno, detail, timeout);
    out.body.clear();
    return out;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

std::string describe_failure(const HttpRequest& request, const HttpResponse& response,
                             std::string_view expected) {
  std::string text = request.method + " " + request.shown_url + ": ";
  if (!response.answered())
    return text + response.failure;
  text += "HTTP " + std::to_string(response.status);
  if (!expected.empty())
    text += ", " + std::string(expected);
  const std::string body = first_bytes_one_line(response.body);
  if (!body.empty())
    text += ": " + body;
  return text;
}

}  // namespace vigil::notify
