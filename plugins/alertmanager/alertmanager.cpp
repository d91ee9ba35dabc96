// alertmanager: posts alerts to Prometheus Alertmanager's API (POST /api/v2/alerts), so vigil's
// alerts are routed, grouped, silenced and inhibited with everything else Alertmanager handles.
//
// A firing alert is posted without endsAt. Alertmanager then keeps it active for its
// resolve_timeout (5m by default) from the last post, so the reminders a rule sends while it
// fires (repeat_interval) are what keep the alert open; a resolved event posts endsAt, which
// resolves it at once. A batch of alerts is one POST with all of them.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <vigil/sdk/sdk.hpp>

#include "event_json.hpp"
#include "http_post.hpp"

namespace {

using vigil::sdk::ActionOutcome;
using vigil::sdk::ConfigError;
using vigil::sdk::Context;
using vigil::sdk::Event;
using vigil::sdk::Options;

std::string base_url(const Options& options) {
  std::string url = options.string("url");
  if (!vigil::notify::is_http_url(url))
    throw ConfigError("url", "url \"" + url + "\" is not an http:// or https:// URL");
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

class Alertmanager final : public vigil::sdk::Action {
 public:
  explicit Alertmanager(const Options& options)
      : generator_url_(options.find_string("generator_url")) {
    request_.url = base_url(options) + "/api/v2/alerts";
    request_.shown_url = vigil::notify::without_credentials(request_.url);
    if (options.has("headers"))
      request_.headers = options.string_map("headers");
    request_.tls_verify = options.flag("tls_verify");
    request_.ca_file = options.find_string("ca_file");
    for (const auto& [name, value] : request_.headers)
      secrets_.push_back(value);
  }

  ActionOutcome execute(const Event& event, Context& ctx) override {
    nlohmann::json alerts = nlohmann::json::array();
    if (event.group.empty()) {
      alerts.push_back(alert(event, ctx));
    } else {
      for (const auto& member : event.group)
        alerts.push_back(alert(member, ctx));
    }
    vigil::notify::HttpRequest request = request_;
    request.body = alerts.dump();
    const vigil::notify::HttpResponse response = vigil::notify::send_once(request, ctx.remaining());
    if (response.answered() && response.status >= 200 && response.status < 300) {
      const std::size_t n = alerts.size();
      return ActionOutcome::success("posted " + std::to_string(n) +
                                    (n == 1 ? " alert" : " alerts") + " to " + request.shown_url);
    }
    return ActionOutcome::failure(
        vigil::notify::scrub(vigil::notify::describe_failure(request, response), secrets_));
  }

 private:
  // One postable alert. Its labels are its identity in Alertmanager (the fingerprint is a hash
  // of them), so they are the same for every post of one alert: alertname is the rule, severity
  // the rule's, and the rule's own labels; the summary goes to the annotations.
  nlohmann::json alert(const Event& e, const Context& ctx) const {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [name, value] : e.labels)
      labels[name] = value;
    if (!labels.contains("alertname"))
      labels["alertname"] = !e.rule.empty() ? e.rule : "vigil_" + e.kind;
    if (!labels.contains("severity") && !e.severity.empty())
      labels["severity"] = e.severity;

    nlohmann::json annotations = nlohmann::json::object();
    for (const auto& [name, value] : e.annotations)
      annotations[name] = value;
    if (!annotations.contains("summary") && !e.summary.empty())
      annotations["summary"] = e.summary;

    nlohmann::json out = {{"labels", std::move(labels)}, {"annotations", std::move(annotations)}};
    if (!vigil::notify::unset(e.starts_at))
      out["startsAt"] = vigil::notify::rfc3339(e.starts_at);
    if (e.kind == "resolved")
      out["endsAt"] = vigil::notify::rfc3339(e.ends_at.value_or(ctx.now()));
    if (generator_url_)
      out["generatorURL"] = *generator_url_;
    return out;
  }

  std::optional<std::string> generator_url_;
  vigil::notify::HttpRequest request_;
  std::vector<std::string> secrets_;
};

}  // namespace

VIGIL_PLUGIN("alertmanager", VIGIL_SDK_VERSION_STRING,
             "Posts alerts to Prometheus Alertmanager (API v2)") {
  using vigil::sdk::OptionType;
  plugin
      .add_action<Alertmanager>(
          "alertmanager",
          "Posts the alert (a group: all its alerts in one request) to Alertmanager's "
          "/api/v2/alerts; firing without endsAt, resolved with endsAt; 2xx is success")
      .required("url", OptionType::String, "Alertmanager's base URL, e.g. http://127.0.0.1:9093")
      .optional("generator_url", OptionType::String, {},
                "generatorURL of every alert: a link back, e.g. to a dashboard")
      .map("headers", OptionType::String, "Extra request headers, e.g. Authorization")
      .secret()
      .optional("tls_verify", OptionType::Bool, "true", "Verify the server's certificate and name")
      .optional("ca_file", OptionType::String, {}, "CA bundle (PEM) to verify the server with");
}
