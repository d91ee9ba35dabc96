#pragma once
// One HTTP request per attempt, for the notification plugins. The host retries, backs off and
// times out around an action; this sends once, within the time the action has left, and turns
// whatever went wrong into one line that names the request but none of its secrets.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::notify {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::string shown_url;  // the URL as messages name it: a secret URL's path is hidden
  std::map<std::string, std::string> headers;
  std::string body;  // sent as application/json unless headers name another Content-Type
  bool tls_verify = true;
  std::optional<std::string> ca_file;
};

struct HttpResponse {
  long status = 0;      // 0 when no response arrived
  std::string body;     // the first kKeptBodyBytes of it
  std::string failure;  // why no response arrived ("connection refused"); empty when one did
  bool answered() const noexcept { return failure.empty(); }
};

inline constexpr std::size_t kKeptBodyBytes = 64 * 1024;

// Sends the request once, giving up after `timeout` (connect included). A timeout of zero or
// less fails at once without sending: the action's deadline has already passed.
HttpResponse send_once(const HttpRequest& request, std::chrono::milliseconds timeout);

// "POST http://127.0.0.1:9093/api/v2/alerts: HTTP 500: <first 200 bytes of the body>", or
// "POST …: connection refused". `expected` ("expected 202"), when given, follows the status.
std::string describe_failure(const HttpRequest& request, const HttpResponse& response,
                             std::string_view expected = {});

// The reason curl gave, in the words an operator reads: "connection refused", "timed out
// after 10s", "DNS failure: …". Pure, so each reason is unit-tested.
std::string describe_transport_failure(int curl_code, long os_errno, std::string_view detail,
                                       std::chrono::milliseconds timeout);

// "10s", "1.5s", "250ms": how long the request was given.
std::string format_timeout(std::chrono::milliseconds timeout);

// The first `limit` bytes of a body on one line: line breaks and tabs become spaces, a UTF-8
// sequence is never cut in half, and a cut is marked with "…".
std::string first_bytes_one_line(std::string_view body, std::size_t limit = 200);

// A URL with its credentials, path and query hidden: "https://hooks.slack.com/…". For URLs
// that are themselves secrets (Slack's incoming webhooks), the host part is what is safe to say.
std::string redact_url(const std::string& url);

// The URL without user:password@, for URLs whose path is not secret.
std::string without_credentials(const std::string& url);

// The path and query of a URL ("/services/T0/B0/XXXX"), empty when there is none.
std::string path_of(const std::string& url);

// `text` with every occurrence of each non-empty secret replaced by "<secret>".
std::string scrub(std::string text, const std::vector<std::string>& secrets);

// True for "http://…" and "https://…" (case-insensitive scheme).
bool is_http_url(const std::string& url);

}  // namespace vigil::notify
