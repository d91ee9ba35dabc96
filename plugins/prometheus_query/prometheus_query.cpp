// prometheus_query: an instant PromQL query against a Prometheus server's HTTP API
// (GET /api/v1/query), its scalar or each element of its vector a metric. This is how a fleet
// that keeps its SLOs in a central Prometheus lets vigil judge them with thresholds.
#include <curl/curl.h>
#include <curl_on_demand.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <vigil/sdk/sdk.hpp>

#include "query_response.hpp"

namespace {

using vigil::sdk::ConfigError;
using vigil::sdk::Context;
using vigil::sdk::Options;
using vigil::sdk::Result;

// An instant query's answer is small; a server that sends more is not answering one.
constexpr std::size_t kMaxResponseBytes = std::size_t{8} << 20;

struct Transfer {
  std::string body;
  const Context* ctx = nullptr;
  bool too_large = false;
  bool stopped = false;
};

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  if (t->body.size() + len > kMaxResponseBytes) {
    t->too_large = true;
    return 0;
  }
  t->body.append(data, len);
  return len;
}

int poll_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->ctx->stop_requested()) {
    t->stopped = true;
    return 1;
  }
  return 0;
}

class PrometheusQueryCheck final : public vigil::sdk::Check {
 public:
  explicit PrometheusQueryCheck(const Options& options)
      : server_(options.string("url")),
        timeout_(options.duration("timeout")),
        tls_verify_(options.flag("tls_verify")) {
    if (server_.rfind("http://", 0) != 0 && server_.rfind("https://", 0) != 0) {
      throw ConfigError("url", "url must start with http:// or https://, got \"" + server_ + "\"");
    }
    while (!server_.empty() && server_.back() == '/')
      server_.pop_back();
    rules_.query = options.string("query");
    if (rules_.query.empty())
      throw ConfigError("query", "query is empty");
    rules_.metric_name = options.string("metric_name");
    if (rules_.metric_name.empty())
      throw ConfigError("metric_name", "metric_name is empty");
    rules_.empty_ok = options.flag("empty_ok");
    if (options.has("headers")) {
      for (const auto& [name, value] : options.string_map("headers"))
        headers_.push_back(name + ": " + value);
    }
  }

  Result run(Context& ctx) override {
    CurlEasy curl;
    if (curl.handle == nullptr) {
      const std::string why = vigil::curl_on_demand::load_error();
      return Result::unknown("cannot start an http client (" +
                             (why.empty() ? std::string("curl_easy_init failed") : why) + ")");
    }
    char* escaped =
        curl_easy_escape(curl.handle, rules_.query.c_str(), static_cast<int>(rules_.query.size()));
    const std::string endpoint = server_ + "/api/v1/query";
    const std::string url = endpoint + "?query=" + (escaped != nullptr ? escaped : "");
    curl_free(escaped);

    auto timeout = std::min(timeout_, ctx.remaining());
    if (timeout.count() <= 0)
      timeout = std::chrono::milliseconds{1};
    Transfer t;
    t.ctx = &ctx;
    char error_text[CURL_ERROR_SIZE] = {0};
    curl.headers = curl_slist_append(curl.headers, "Accept: application/json");
    for (const auto& h : headers_)
      curl.headers = curl_slist_append(curl.headers, h.c_str());
    CURL* h = curl.handle;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, curl.headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil/" VIGIL_SDK_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    if (!tls_verify_) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &poll_stop);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    const CURLcode rc = curl_easy_perform(h);
    if (t.too_large) {
      return Result::unknown(endpoint + ": response larger than " +
                             std::to_string(kMaxResponseBytes >> 20) + " MiB");
    }
    if (t.stopped)
      return Result::unknown("stopped while querying " + endpoint);
    if (rc != CURLE_OK) {
      return Result::unknown(endpoint + ": " +
                             (error_text[0] != '\0' ? error_text : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    Result r = vigil::prometheus_query::result_from_response(status, t.body, rules_);
    r.detail("query " + rules_.query + " on " + server_);
    return r;
  }

 private:
  struct CurlEasy {
    CURL* handle = curl_easy_init();
    curl_slist* headers = nullptr;
    CurlEasy() = default;
    CurlEasy(const CurlEasy&) = delete;
    CurlEasy& operator=(const CurlEasy&) = delete;
    ~CurlEasy() {
      curl_slist_free_all(headers);
      if (handle != nullptr)
        curl_easy_cleanup(handle);
    }
  };

  std::string server_;
  std::chrono::milliseconds timeout_;
  bool tls_verify_ = true;
  std::vector<std::string> headers_;
  vigil::prometheus_query::ResponseRules rules_;
};

}  // namespace

VIGIL_PLUGIN("prometheus_query", VIGIL_SDK_VERSION_STRING,
             "An instant PromQL query against a Prometheus server") {
  using vigil::sdk::OptionType;
  plugin
      .add_check<PrometheusQueryCheck>(
          "prometheus_query",
          "An instant PromQL query; the scalar or each vector element is a metric with its labels")
      .required("url", OptionType::String,
                "The Prometheus server (http or https), e.g. http://127.0.0.1:9090")
      .required("query", OptionType::String, "PromQL expression evaluated at the time of the run")
      .optional("timeout", OptionType::Duration, "10s", "Limit for the whole HTTP request")
      .optional("metric_name", OptionType::String, "value",
                "Name of the metric each result becomes (the query's labels stay as labels)")
      .optional("empty_ok", OptionType::Bool, "false",
                "An empty vector is OK with no metrics instead of UNKNOWN")
      .map("headers", OptionType::String, "HTTP headers to send, e.g. Authorization: Bearer ...")
      .secret()
      .optional("tls_verify", OptionType::Bool, "true",
                "Verify the server's TLS certificate and host name");
}
