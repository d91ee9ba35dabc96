#include "probe_logic.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace vigil::http_probe {

namespace {

std::optional<long> parse_code(std::string_view text) {
  if (text.size() != 3)
    return std::nullopt;
  long code = 0;
  for (const char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    code = code * 10 + (c - '0');
  }
  if (code < 100 || code > 599)
    return std::nullopt;
  return code;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The scalar text json_expect compares against: a string's own characters, anything else as
// JSON writes it, so `code: 200` matches 200 and "200" alike and `ok: true` matches true.
std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string())
    return value.get<std::string>();
  return value.dump();
}

// How a reason shows the value found: strings quoted, so "ok" and ok (a bare word the server
// never sends) are told apart, and long values cut.
std::string shown_value(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 80)
    text = text.substr(0, 77) + "...";
  return text;
}

}  // namespace

std::vector<StatusRange> parse_expect_status(const std::vector<std::string>& entries) {
  if (entries.empty())
    throw std::invalid_argument("expect_status is empty; give codes or ranges like 200-299");
  std::vector<StatusRange> ranges;
  for (const auto& raw : entries) {
    const std::string_view entry = trim(raw);
    const auto bad = [&]() {
      return std::invalid_argument("\"" + raw +
                                   "\" is not a status code (100-599), a range like 200-299 or "
                                   "a class like 2xx");
    };
    if (entry.size() == 3 && (entry.substr(1) == "xx" || entry.substr(1) == "XX")) {
      const auto first = parse_code(std::string(1, entry[0]) + "00");
      if (!first)
        throw bad();
      ranges.push_back({*first, *first + 99});
      continue;
    }
    const auto dash = entry.find('-');
    if (dash == std::string_view::npos) {
      const auto code = parse_code(entry);
      if (!code)
        throw bad();
      ranges.push_back({*code, *code});
      continue;
    }
    const auto low = parse_code(trim(entry.substr(0, dash)));
    const auto high = parse_code(trim(entry.substr(dash + 1)));
    if (!low || !high)
      throw bad();
    if (*low > *high)
      throw std::invalid_argument("\"" + raw + "\" is an empty range: its start is past its end");
    ranges.push_back({*low, *high});
  }
  return ranges;
}

bool status_expected(const std::vector<StatusRange>& ranges, long status) noexcept {
  for (const auto& r : ranges) {
    if (status >= r.low && status <= r.high)
      return true;
  }
  return false;
}

std::string describe_expect_status(const std::vector<StatusRange>& ranges) {
  std::string text;
  for (const auto& r : ranges) {
    if (!text.empty())
      text += ", ";
    text += std::to_string(r.low);
    if (r.high != r.low)
      text += "-" + std::to_string(r.high);
  }
  return text;
}

JsonPath parse_json_path(std::string_view text) {
  const std::string whole(text);
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("json path \"" + whole + "\": " + why);
  };
  if (text.empty())
    throw bad("empty");
  JsonPath path;
  std::size_t i = 0;
  bool expect_key = true;  // at the start and after '.'
  while (i < text.size()) {
    if (text[i] == '[') {
      const auto close = text.find(']', i);
      if (close == std::string_view::npos)
        throw bad("'[' without ']'");
      const std::string_view digits = text.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9)
        throw bad("an index is 1 to 9 digits");
      std::size_t index = 0;
      for (const char c : digits) {
        if (c < '0' || c > '9')
          throw bad("index \"" + std::string(digits) + "\" is not a number");
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      if (expect_key && !path.empty())
        throw bad("'.' before '['");
      path.emplace_back(index);
      i = close + 1;
      expect_key = false;
      if (i < text.size() && text[i] != '.' && text[i] != '[')
        throw bad("expected '.' or '[' after ']'");
      continue;
    }
    if (text[i] == '.') {
      if (expect_key)
        throw bad("empty key");
      expect_key = true;
      ++i;
      continue;
    }
    if (!expect_key)
      throw bad("expected '.' or '['");
    std::size_t end = i;
    while (end < text.size() && text[end] != '.' && text[end] != '[')
      ++end;
    path.emplace_back(std::string(text.substr(i, end - i)));
    expect_key = false;
    i = end;
  }
  if (expect_key)
    throw bad("ends with '.'");
  return path;
}

std::optional<std::string> json_expect_mismatch(std::string_view body,
                                                const std::map<std::string, std::string>& expect) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's text starts "[json.exception.parse_error.101] parse error at line 1..."
    std::string what = e.what();
    const auto start = what.find("] ");
    if (start != std::string::npos)
      what = what.substr(start + 2);
    return "invalid JSON: " + what;
  }
  for (const auto& [path_text, expected] : expect) {
    const JsonPath path = parse_json_path(path_text);
    const nlohmann::json* node = &document;
    bool found = true;
    for (const auto& step : path) {
      if (const auto* key = std::get_if<std::string>(&step)) {
        if (!node->is_object() || !node->contains(*key)) {
          found = false;
          break;
        }
        node = &(*node)[*key];
      } else {
        const std::size_t index = std::get<std::size_t>(step);
        if (!node->is_array() || index >= node->size()) {
          found = false;
          break;
        }
        node = &(*node)[index];
      }
    }
    if (!found)
      return "json " + path_text + ": missing, expected \"" + expected + "\"";
    if (scalar_text(*node) != expected) {
      return "json " + path_text + ": got " + shown_value(*node) + ", expected \"" + expected +
             "\"";
    }
  }
  return std::nullopt;
}

std::optional<std::time_t> parse_certificate_time(std::string_view text) {
  const std::string copy(trim(text));
  std::tm parts{};
  const char* end = strptime(copy.c_str(), "%b %d %H:%M:%S %Y", &parts);
  if (end == nullptr)
    return std::nullopt;
  const std::string_view zone = trim(end);
  if (!zone.empty() && zone != "GMT" && zone != "UTC")
    return std::nullopt;
  return timegm(&parts);
}

std::string describe_transfer_failure(CURLcode code, long os_errno, const std::string& detail,
                                      std::int64_t max_redirects) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "DNS failure: " + detail;
    case CURLE_COULDNT_CONNECT: {
      if (os_errno == ECONNREFUSED)
        return "connection refused";
      return "cannot connect: " + detail;
    }
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout: " + detail;
    case CURLE_TOO_MANY_REDIRECTS:
      return "redirect loop or too many redirects (more than " + std::to_string(max_redirects) +
             ")";
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SEND_ERROR:
      return "connection reset mid-response: " + detail;
    case CURLE_GOT_NOTHING:
      return "connection closed without a response";
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
      // curl reports a reply without an HTTP status line as HTTP/0.9, which it refuses.
      return "not an HTTP response (garbage from the server): " + detail;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return "TLS verify failed: " + detail;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed: " + detail;
    case CURLE_SSL_CERTPROBLEM:
      return "client certificate problem: " + detail;
    default:
      return detail;
  }
}

sdk::Status worst_status(const std::vector<TargetOutcome>& outcomes) noexcept {
  sdk::Status status = sdk::Status::Ok;
  for (const auto& o : outcomes)
    status = sdk::worst(status, o.status);
  return status;
}

std::string build_summary(const std::vector<TargetOutcome>& outcomes, bool several_targets,
                          const std::string& ok_text) {
  if (!several_targets) {
    if (outcomes.empty())
      return "no target";
    const auto& only = outcomes.front();
    return only.reason.empty() ? ok_text : only.target + ": " + only.reason;
  }
  std::size_t up = 0;
  std::string down;
  std::string warned;
  for (const auto& o : outcomes) {
    if (o.status != sdk::Status::Critical && o.status != sdk::Status::Unknown)
      ++up;
    if (o.reason.empty())
      continue;
    std::string& list = o.status == sdk::Status::Warning ? warned : down;
    list += (list.empty() ? "" : ", ") + o.target + " (" + o.reason + ")";
  }
  std::string summary = std::to_string(up) + "/" + std::to_string(outcomes.size()) + " targets up";
  if (!down.empty())
    summary += "; down: " + down;
  if (!warned.empty())
    summary += "; warning: " + warned;
  return summary;
}

}  // namespace vigil::http_probe
