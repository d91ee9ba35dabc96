#pragma once
// The parts of http_probe that are pure functions of their input: expect_status ranges, JSON path
// evaluation, certificate dates and the summary over several targets. Kept apart from the curl
// code so they are unit-tested without a network.
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <curl/curl.h>
#include <vigil/sdk/status.hpp>

namespace vigil::http_probe {

// One entry of expect_status: a single code is a range of one.
struct StatusRange {
  long low = 0;
  long high = 0;
};

// "200", "200-299", "2xx"; throws std::invalid_argument naming the bad entry.
std::vector<StatusRange> parse_expect_status(const std::vector<std::string>& entries);
bool status_expected(const std::vector<StatusRange>& ranges, long status) noexcept;
// "200-299", "200, 301-302": how the reason line names what was expected.
std::string describe_expect_status(const std::vector<StatusRange>& ranges);

// a.b[0].c: an object key or an array index per step.
using JsonPathStep = std::variant<std::string, std::size_t>;
using JsonPath = std::vector<JsonPathStep>;

// Throws std::invalid_argument for an empty path, an empty key or a malformed index.
JsonPath parse_json_path(std::string_view text);

// Checks every path of json_expect against the body. nullopt when all match, otherwise the
// reason: `json database: got "failing", expected "ok"`, `json a.b: missing`, or
// `invalid JSON: ...`. Values compare as JSON scalar text: a string by its characters, a
// number, true, false or null as JSON writes them.
std::optional<std::string> json_expect_mismatch(std::string_view body,
                                                const std::map<std::string, std::string>& expect);

// "Nov 29 05:00:00 2027 GMT" as OpenSSL prints a certificate's notAfter (curl's CERTINFO
// "Expire date"); nullopt when it is not in that form.
std::optional<std::time_t> parse_certificate_time(std::string_view text);

// The one-line reason for a transfer curl could not complete: "connection refused", "timeout:
// ...", "not an HTTP response (garbage from the server): ...". detail is curl's error text.
std::string describe_transfer_failure(CURLcode code, long os_errno, const std::string& detail,
                                      std::int64_t max_redirects);

// What one target came to, for the summary.
struct TargetOutcome {
  std::string target;
  sdk::Status status = sdk::Status::Ok;
  std::string reason;  // empty when up
};

// One target: its reason, or "HTTP 200 in 0.012s" given as ok_text. Several: "3/3 targets up",
// or "1/3 targets up; down: URL (reason), ..." with the warnings after them.
std::string build_summary(const std::vector<TargetOutcome>& outcomes, bool several_targets,
                          const std::string& ok_text);
sdk::Status worst_status(const std::vector<TargetOutcome>& outcomes) noexcept;

}  // namespace vigil::http_probe
