// http_probe: requests one URL, or several concurrently through the curl multi interface, and
// judges each response by its status code, body and JSON content, with the timing of every phase
// and the days left on an https certificate as metrics.
//
// Every failure is CRITICAL with a one-line reason naming the target. The body is kept only up
// to max_body: past it the transfer is aborted, so an endless or huge body costs max_body of
// memory and no more; it is kept at all only when a body check needs it.
//
// A curl easy handle holds its own 16 KiB receive buffer and a few KiB of state, so a check of
// 1,000 targets keeps a handle only while its transfer runs: at most `concurrency` handles live
// at once, and what the judging needs is copied out of each handle when its transfer ends.
#include <regex.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <curl_on_demand.hpp>
#include <vigil/sdk/sdk.hpp>

#include "probe_logic.hpp"

namespace {

using vigil::http_probe::StatusRange;
using vigil::http_probe::TargetOutcome;
using vigil::sdk::ConfigError;
using vigil::sdk::Context;
using vigil::sdk::Options;
using vigil::sdk::Result;
using vigil::sdk::Status;

// A compiled POSIX extended regular expression. POSIX rather than std::regex because
// std::regex recurses per character and overflows the stack on a megabyte body. With REG_NEWLINE
// ^ and $ match at every line, as someone reading a text body expects.
class Pattern {
 public:
  Pattern(const std::string& option, const std::string& text) : text_(text) {
    const int rc = regcomp(&compiled_, text.c_str(), REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
    if (rc != 0) {
      char why[256];
      regerror(rc, &compiled_, why, sizeof why);
      throw ConfigError(option, option + " \"" + text + "\" is not a regular expression: " + why);
    }
  }
  ~Pattern() { regfree(&compiled_); }
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  bool found_in(const std::string& body) const {
    return regexec(&compiled_, body.c_str(), 0, nullptr, 0) == 0;
  }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  regex_t compiled_{};
};

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fs", seconds);
  return text;
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::vector<std::string> probe_targets(const Options& options) {
  const bool has_url = options.has("url");
  const bool has_targets = options.has("targets");
  if (has_url == has_targets)
    throw ConfigError(has_url ? "targets" : "url", "give exactly one of url and targets");
  std::vector<std::string> targets =
      has_url ? std::vector<std::string>{options.string("url")} : options.strings("targets");
  if (targets.empty())
    throw ConfigError("targets", "targets is empty");
  for (const auto& t : targets) {
    if (!starts_with(t, "http://") && !starts_with(t, "https://")) {
      throw ConfigError(has_url ? "url" : "targets",
                        "\"" + t + "\" is not an http:// or https:// URL");
    }
  }
  return targets;
}

long ip_resolve(const Options& options) {
  const std::string family = options.string("ip_family");
  if (family == "any")
    return CURL_IPRESOLVE_WHATEVER;
  if (family == "ipv4")
    return CURL_IPRESOLVE_V4;
  if (family == "ipv6")
    return CURL_IPRESOLVE_V6;
  throw ConfigError("ip_family", "ip_family is any, ipv4 or ipv6, not \"" + family + "\"");
}

// Makes curl_global_init run once, before the first handle, whatever thread gets there first.
// It runs at the first run and not at configuration: that is when libcurl is loaded
// (curl_on_demand), so a configured check that has not run yet maps none of it.
bool init_curl_once() {
  static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
  return initialised == CURLE_OK;
}

struct CurlEasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

// What judging a finished transfer needs, copied out of its handle before the handle goes.
struct Finished {
  curl_off_t dns_us = 0;  // curl's times, cumulative from the start of the transfer
  curl_off_t connect_us = 0;
  curl_off_t tls_us = 0;
  curl_off_t first_byte_us = 0;
  curl_off_t total_us = 0;
  long status = 0;
  long os_errno = 0;
  std::string error_text;
  std::optional<std::time_t> cert_expiry;  // https only: the server certificate's notAfter
};

// One target's transfer: its handle while it runs, the body kept so far and what the write
// callback saw, then what the handle reported.
struct Transfer {
  std::string target;
  std::unique_ptr<CURL, CurlEasyDeleter> handle;
  bool keep_body = false;
  std::string body;
  std::uint64_t body_bytes = 0;
  std::uint64_t max_body = 0;
  bool body_over_limit = false;
  char error_text[CURL_ERROR_SIZE] = {0};
  std::optional<CURLcode> result;
  Finished finished;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::uint64_t room = transfer->max_body - transfer->body_bytes;
  if (bytes > room) {
    if (transfer->keep_body)
      transfer->body.append(data, static_cast<std::size_t>(room));
    transfer->body_bytes += room;
    transfer->body_over_limit = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR: read no more than max_body
  }
  if (transfer->keep_body)
    transfer->body.append(data, bytes);
  transfer->body_bytes += bytes;
  return bytes;
}

std::optional<std::time_t> certificate_expiry(CURL* handle) {
  curl_certinfo* chain = nullptr;
  if (curl_easy_getinfo(handle, CURLINFO_CERTINFO, &chain) != CURLE_OK || chain == nullptr ||
      chain->num_of_certs < 1) {
    return std::nullopt;
  }
  std::optional<std::time_t> expiry;
  for (curl_slist* field = chain->certinfo[0]; field != nullptr; field = field->next) {
    const std::string text = field->data;
    constexpr const char* kExpire = "Expire date:";
    if (starts_with(text, kExpire))
      expiry = vigil::http_probe::parse_certificate_time(text.substr(std::strlen(kExpire)));
  }
  return expiry;
}

// Copies what judging needs out of a finished transfer's handle and lets the handle go.
void finish(Transfer& t, CURLcode code) {
  CURL* h = t.handle.get();
  Finished& f = t.finished;
  curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &f.dns_us);
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &f.connect_us);
  curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &f.tls_us);
  curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &f.first_byte_us);
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &f.total_us);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f.status);
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &f.os_errno);
  f.error_text = t.error_text;
  if (starts_with(t.target, "https://"))
    f.cert_expiry = certificate_expiry(h);
  t.result = code;
  t.handle.reset();
}

class HttpProbe final : public vigil::sdk::Check {
 public:
  explicit HttpProbe(const Options& options)
      : targets_(probe_targets(options)),
        several_targets_(options.has("targets")),
        method_(options.string("method")),
        headers_(options.has("headers") ? options.string_map("headers")
                                        : std::map<std::string, std::string>{}),
        request_body_(options.find_string("body")),
        timeout_(options.duration("timeout")),
        follow_redirects_(options.flag("follow_redirects")),
        max_redirects_(options.integer("max_redirects")),
        json_expect_(options.has("json_expect") ? options.string_map("json_expect")
                                                : std::map<std::string, std::string>{}),
        tls_verify_(options.flag("tls_verify")),
        ca_file_(options.find_string("ca_file")),
        cert_file_(options.find_string("cert_file")),
        key_file_(options.find_string("key_file")),
        ip_resolve_(ip_resolve(options)),
        max_body_(options.size("max_body")),
        concurrency_(options.integer("concurrency")),
        cert_expiry_warning_(options.duration("cert_expiry_warning")) {
    try {
      expect_status_ = vigil::http_probe::parse_expect_status(options.strings("expect_status"));
    } catch (const std::invalid_argument& e) {
      throw ConfigError("expect_status", e.what());
    }
    expect_status_text_ = vigil::http_probe::describe_expect_status(expect_status_);
    if (method_.empty() || method_.find_first_of(" \t\r\n") != std::string::npos)
      throw ConfigError("method", "method \"" + method_ + "\" is not an HTTP method");
    if (timeout_.count() <= 0)
      throw ConfigError("timeout", "timeout must be above zero");
    if (max_redirects_ < 0)
      throw ConfigError("max_redirects", "max_redirects cannot be negative");
    if (concurrency_ < 1)
      throw ConfigError("concurrency", "concurrency must be at least 1");
    if (max_body_ == 0)
      throw ConfigError("max_body", "max_body must be above zero");
    if (key_file_ && !cert_file_)
      throw ConfigError("key_file", "key_file needs cert_file");
    if (options.has("body_regex"))
      body_regex_.emplace(std::make_unique<Pattern>("body_regex", options.string("body_regex")));
    if (options.has("body_not_regex")) {
      body_not_regex_.emplace(
          std::make_unique<Pattern>("body_not_regex", options.string("body_not_regex")));
    }
    for (const auto& [path, expected] : json_expect_) {
      try {
        vigil::http_probe::parse_json_path(path);
      } catch (const std::invalid_argument& e) {
        throw ConfigError("json_expect", e.what());
      }
    }
    for (const auto& [name, value] : headers_) {
      if (name.empty() || name.find_first_of(": \r\n") != std::string::npos)
        throw ConfigError("headers", "\"" + name + "\" is not a header name");
      if (value.find_first_of("\r\n") != std::string::npos)
        throw ConfigError("headers", "header " + name + " has a line break in its value");
    }
  }

  Result run(Context& ctx) override {
    if (!init_curl_once()) {
      const std::string why = vigil::curl_on_demand::load_error();
      return Result::unknown("cannot start an http client (" +
                             (why.empty() ? std::string("curl_global_init failed") : why) + ")");
    }
    const auto budget = std::min(timeout_, ctx.remaining());
    if (budget.count() <= 0)
      return Result::unknown("no time left before the check's deadline");

    std::unique_ptr<curl_slist, SlistDeleter> header_list;
    for (const auto& [name, value] : headers_) {
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      curl_slist* grown = curl_slist_append(header_list.get(), line.c_str());
      if (grown == nullptr)
        return Result::unknown("out of memory building the request headers");
      (void)header_list.release();
      header_list.reset(grown);
    }

    const bool keep_body = body_regex_ || body_not_regex_ || !json_expect_.empty();
    std::deque<Transfer> transfers;  // a deque: the handles point at their Transfer
    for (const auto& target : targets_) {
      Transfer& t = transfers.emplace_back();
      t.target = target;
      t.max_body = max_body_;
      t.keep_body = keep_body;
    }

    std::unique_ptr<CURLM, CurlMultiDeleter> multi(curl_multi_init());
    if (!multi)
      return Result::unknown("cannot start an http client (curl_multi_init failed)");
    if (!run_transfers(multi.get(), transfers, header_list.get(), budget, ctx))
      return Result::unknown("cannot start an http client (curl_easy_init failed)");

    std::vector<TargetOutcome> outcomes;
    Result result = Result::ok("");
    for (auto& t : transfers)
      outcomes.push_back(judge(t, ctx, result));
    std::size_t up = 0;
    for (const auto& o : outcomes) {
      if (o.status == Status::Ok || o.status == Status::Warning)
        ++up;
    }
    if (several_targets_) {
      result.metric("targets_up", static_cast<double>(up));
      result.metric("targets_total", static_cast<double>(outcomes.size()));
    }
    std::string ok_text;
    if (!several_targets_ && !transfers.empty()) {
      const Finished& f = transfers.front().finished;
      ok_text = "HTTP " + std::to_string(f.status) + " in " +
                format_seconds(static_cast<double>(f.total_us) / 1e6);
    }
    const std::string summary =
        vigil::http_probe::build_summary(outcomes, several_targets_, ok_text);
    result.escalate(vigil::http_probe::worst_status(outcomes), summary);
    for (const auto& o : outcomes) {
      if (several_targets_ && !o.reason.empty())
        result.detail(o.target + ": " + o.reason);
    }
    return result;
  }

 private:
  void configure(Transfer& t, curl_slist* header_list, std::chrono::milliseconds budget) const {
    CURL* h = t.handle.get();
    curl_easy_setopt(h, CURLOPT_URL, t.target.c_str());
    curl_easy_setopt(h, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil-http-probe/" VIGIL_SDK_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.count()));
    // Each run measures a whole request, DNS and handshake included, as a client arriving
    // fresh would see it; a reused connection would report a connect time of zero.
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, follow_redirects_ ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(max_redirects_));
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(h, CURLOPT_IPRESOLVE, ip_resolve_);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error_text);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    if (header_list != nullptr)
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
    if (method_ == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (method_ != "GET" || request_body_) {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method_.c_str());
    }
    if (request_body_) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request_body_->size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request_body_->c_str());
    }
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls_verify_ ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls_verify_ ? 2L : 0L);
    if (ca_file_)
      curl_easy_setopt(h, CURLOPT_CAINFO, ca_file_->c_str());
    if (cert_file_)
      curl_easy_setopt(h, CURLOPT_SSLCERT, cert_file_->c_str());
    if (key_file_)
      curl_easy_setopt(h, CURLOPT_SSLKEY, key_file_->c_str());
    if (starts_with(t.target, "https://"))
      curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
  }

  // Runs every transfer, at most `concurrency` at a time, until all are done or the host asks
  // the check to stop (each handle's own timeout bounds the wait otherwise). Each transfer gets
  // its handle when it starts and gives it up when it ends. False when no handle could be made.
  bool run_transfers(CURLM* multi, std::deque<Transfer>& transfers, curl_slist* header_list,
                     std::chrono::milliseconds budget, Context& ctx) const {
    std::size_t next = 0;
    std::size_t running_count = 0;
    bool handles_ok = true;
    const auto start_more = [&]() {
      while (next < transfers.size() && running_count < static_cast<std::size_t>(concurrency_)) {
        Transfer& t = transfers[next];
        t.handle.reset(curl_easy_init());
        if (!t.handle) {
          handles_ok = false;
          return;
        }
        configure(t, header_list, budget);
        curl_multi_add_handle(multi, t.handle.get());
        ++next;
        ++running_count;
      }
    };
    start_more();
    while (running_count > 0 && handles_ok) {
      int still_running = 0;
      curl_multi_perform(multi, &still_running);
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg != CURLMSG_DONE)
          continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &t);
        const CURLcode code = message->data.result;
        curl_multi_remove_handle(multi, message->easy_handle);
        finish(*t, code);
        --running_count;
      }
      start_more();
      if (running_count == 0)
        break;
      if (ctx.stop_requested())
        break;
      // Short waits so a stop request is noticed; curl wakes earlier on socket activity.
      curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    for (auto& t : transfers) {
      if (t.handle) {
        curl_multi_remove_handle(multi, t.handle.get());
        t.handle.reset();
      }
    }
    return handles_ok;
  }

  std::string transfer_failure(const Transfer& t, CURLcode code) const {
    const Finished& f = t.finished;
    const std::string detail = !f.error_text.empty() ? f.error_text : curl_easy_strerror(code);
    return vigil::http_probe::describe_transfer_failure(code, f.os_errno, detail, max_redirects_);
  }

  // Judges one finished transfer and adds its metrics.
  TargetOutcome judge(const Transfer& t, Context& ctx, Result& result) const {
    TargetOutcome outcome{t.target, Status::Ok, {}};
    vigil::sdk::Labels labels;
    if (several_targets_)
      labels["target"] = t.target;
    if (!t.result) {
      outcome.status = Status::Unknown;
      outcome.reason = "not finished: the check was asked to stop";
      return outcome;
    }
    const CURLcode code = *t.result;
    const bool aborted_at_max_body = code == CURLE_WRITE_ERROR && t.body_over_limit;

    const Finished& f = t.finished;
    const auto seconds = [](curl_off_t later, curl_off_t earlier) {
      return later > earlier ? static_cast<double>(later - earlier) / 1e6 : 0.0;
    };
    // curl's times are cumulative from the start; each phase is the step from the one before.
    const curl_off_t request_sent_us = f.tls_us > 0 ? f.tls_us : f.connect_us;
    result.metric("duration_seconds", seconds(f.total_us, 0), "s", labels);
    result.metric("dns_seconds", seconds(f.dns_us, 0), "s", labels);
    result.metric("connect_seconds", seconds(f.connect_us, f.dns_us), "s", labels);
    if (starts_with(t.target, "https://"))
      result.metric("tls_seconds", seconds(f.tls_us, f.connect_us), "s", labels);
    result.metric("ttfb_seconds", seconds(f.first_byte_us, request_sent_us), "s", labels);

    if (code != CURLE_OK && !aborted_at_max_body) {
      outcome.status = Status::Critical;
      outcome.reason = transfer_failure(t, code);
      return outcome;
    }

    const long status = f.status;
    result.metric("status_code", static_cast<double>(status), "", labels);
    result.metric("body_bytes", static_cast<double>(t.body_bytes), "B", labels);
    add_certificate_expiry(t, ctx, result, labels, outcome);

    if (!status_expected(status)) {
      outcome.status = Status::Critical;
      outcome.reason = "HTTP " + std::to_string(status) + ", expected " + expect_status_text_;
      return outcome;
    }
    const bool checks_body = body_regex_ || body_not_regex_ || !json_expect_.empty();
    if (checks_body && t.body_over_limit) {
      outcome.status = Status::Critical;
      outcome.reason = "body is larger than max_body (" + std::to_string(max_body_) +
                       " bytes), too large to check";
      return outcome;
    }
    if (body_regex_ && !(*body_regex_)->found_in(t.body)) {
      outcome.status = Status::Critical;
      outcome.reason = "body does not match body_regex \"" + (*body_regex_)->text() + "\"";
      return outcome;
    }
    if (body_not_regex_ && (*body_not_regex_)->found_in(t.body)) {
      outcome.status = Status::Critical;
      outcome.reason = "body matches body_not_regex \"" + (*body_not_regex_)->text() + "\"";
      return outcome;
    }
    if (!json_expect_.empty()) {
      if (auto mismatch = vigil::http_probe::json_expect_mismatch(t.body, json_expect_)) {
        outcome.status = Status::Critical;
        outcome.reason = std::move(*mismatch);
        return outcome;
      }
    }
    return outcome;
  }

  bool status_expected(long status) const {
    return vigil::http_probe::status_expected(expect_status_, status);
  }

  // cert_expiry_days of the server's own certificate (the first of the chain curl reports).
  void add_certificate_expiry(const Transfer& t, Context& ctx, Result& result,
                              const vigil::sdk::Labels& labels, TargetOutcome& outcome) const {
    const auto& expiry = t.finished.cert_expiry;
    if (!expiry)
      return;
    const auto now = std::chrono::system_clock::to_time_t(ctx.now());
    const double days = static_cast<double>(*expiry - now) / 86400.0;
    result.metric("cert_expiry_days", days, "", labels);
    const double warning_days =
        static_cast<double>(cert_expiry_warning_.count()) / (86400.0 * 1000.0);
    if (days < warning_days) {
      outcome.status = Status::Warning;
      outcome.reason =
          days < 0 ? "certificate expired " + std::to_string(-std::lround(days)) + " days ago"
                   : "certificate expires in " +
                         std::to_string(static_cast<long>(std::floor(days))) + " days";
    }
  }

  std::vector<std::string> targets_;
  bool several_targets_ = false;
  std::string method_;
  std::map<std::string, std::string> headers_;
  std::optional<std::string> request_body_;
  std::chrono::milliseconds timeout_;
  bool follow_redirects_ = true;
  std::int64_t max_redirects_ = 5;
  std::vector<StatusRange> expect_status_;
  std::string expect_status_text_;
  std::optional<std::unique_ptr<Pattern>> body_regex_;
  std::optional<std::unique_ptr<Pattern>> body_not_regex_;
  std::map<std::string, std::string> json_expect_;
  bool tls_verify_ = true;
  std::optional<std::string> ca_file_;
  std::optional<std::string> cert_file_;
  std::optional<std::string> key_file_;
  long ip_resolve_ = CURL_IPRESOLVE_WHATEVER;
  std::uint64_t max_body_ = 0;
  std::int64_t concurrency_ = 16;
  std::chrono::milliseconds cert_expiry_warning_;
};

}  // namespace

VIGIL_PLUGIN("http_probe", VIGIL_SDK_VERSION_STRING,
             "HTTP(S) endpoint checks: status, body, JSON and certificate expiry") {
  using vigil::sdk::OptionType;
  plugin
      .add_check<HttpProbe>("http_probe",
                            "Requests a URL (or several concurrently) and judges the response")
      .optional("url", OptionType::String, {}, "The URL to request (http or https)")
      .list("targets", OptionType::String, {},
            "Several URLs probed concurrently instead of url; metrics carry a target label")
      .optional("method", OptionType::String, "GET", "HTTP method")
      .map("headers", OptionType::String, "Request headers")
      .secret()
      .optional("body", OptionType::String, {}, "Request body")
      .optional("timeout", OptionType::Duration, "10s",
                "Limit for one whole request; the check's deadline caps it")
      .list("expect_status", OptionType::String, "[200-299]",
            "Status codes that count as up: codes, ranges like 200-299 or classes like 2xx")
      .optional("follow_redirects", OptionType::Bool, "true", "Follow 3xx Location headers")
      .optional("max_redirects", OptionType::Int, "5", "Redirects followed before failing")
      .optional("body_regex", OptionType::String, {},
                "POSIX extended regular expression the body must contain")
      .optional("body_not_regex", OptionType::String, {},
                "POSIX extended regular expression the body must not contain")
      .map("json_expect", OptionType::String,
           "JSON path (a.b[0].c) to expected scalar value, e.g. database: ok")
      .optional("tls_verify", OptionType::Bool, "true", "Verify the server's certificate and name")
      .optional("ca_file", OptionType::String, {}, "CA bundle (PEM) to verify the server with")
      .optional("cert_file", OptionType::String, {}, "Client certificate (PEM)")
      .optional("key_file", OptionType::String, {}, "Client certificate's private key (PEM)")
      .optional("ip_family", OptionType::String, "any", "any, ipv4 or ipv6")
      .optional("max_body", OptionType::Size, "1MiB",
                "Bytes of body read at most; the transfer stops there")
      .optional("concurrency", OptionType::Int, "16", "Targets requested at once")
      .optional("cert_expiry_warning", OptionType::Duration, "14d",
                "WARNING when an https certificate expires sooner than this");
}
