// pagerduty: PagerDuty's Events API v2. A firing or reminder event triggers an incident, a
// resolved one resolves it; both carry the alert's fingerprint as dedup_key, so a reminder or a
// retry lands on the incident already open and a resolve closes exactly that one. A batch of
// alerts is one request per alert: the Events API takes one event per request.
//
// The routing key is a secret; it travels only in the request body and is scrubbed from any
// message, also when PagerDuty (or a proxy) echoes the request back in an error.
#include <unistd.h>

#include <map>
#include <set>
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
using vigil::sdk::Status;

// PagerDuty truncates longer summaries itself; cutting here keeps the request small.
constexpr std::size_t kMaxSummaryBytes = 1024;

const std::set<std::string>& pagerduty_severities() {
  static const std::set<std::string> names = {"critical", "error", "warning", "info"};
  return names;
}

std::string this_host() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
    return "vigil";
  return name;
}

std::map<std::string, std::string> severity_map(const Options& options) {
  std::map<std::string, std::string> map = {
      {"critical", "critical"}, {"warning", "warning"}, {"info", "info"}};
  if (!options.has("severity_map"))
    return map;
  for (const auto& [ours, theirs] : options.string_map("severity_map")) {
    if (pagerduty_severities().count(theirs) == 0) {
      throw ConfigError("severity_map", "severity_map." + ours + " is \"" + theirs +
                                            "\"; PagerDuty's severities are critical, error, "
                                            "warning and info");
    }
    map[ours] = theirs;
  }
  return map;
}

std::string cut_utf8(const std::string& text, std::size_t limit) {
  if (text.size() <= limit)
    return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut);
}

class PagerDuty final : public vigil::sdk::Action {
 public:
  explicit PagerDuty(const Options& options)
      : routing_key_(options.string("routing_key")),
        source_(options.has("source") ? options.string("source") : this_host()),
        severities_(severity_map(options)) {
    if (routing_key_.empty())
      throw ConfigError("routing_key", "routing_key is empty");
    request_.url = options.string("url");
    if (!vigil::notify::is_http_url(request_.url))
      throw ConfigError("url", "url \"" + request_.url + "\" is not an http:// or https:// URL");
    request_.shown_url = vigil::notify::without_credentials(request_.url);
    request_.tls_verify = options.flag("tls_verify");
    request_.ca_file = options.find_string("ca_file");
  }

  ActionOutcome execute(const Event& event, Context& ctx) override {
    if (event.group.empty()) {
      std::string why;
      if (!send(event, ctx, why))
        return ActionOutcome::failure(why);
      return ActionOutcome::success(why);
    }
    std::size_t failed = 0;
    std::string first_failure;
    for (const auto& alert : event.group) {
      std::string why;
      if (!send(alert, ctx, why) && failed++ == 0)
        first_failure = why;
    }
    const std::string total = std::to_string(event.group.size());
    if (failed > 0) {
      return ActionOutcome::failure(std::to_string(failed) + " of " + total +
                                    " PagerDuty events failed; first: " + first_failure);
    }
    return ActionOutcome::success("PagerDuty accepted " + total + " events");
  }

 private:
  // Sends one alert's event; `why` gets the outcome's one line either way.
  bool send(const Event& alert, Context& ctx, std::string& why) const {
    const bool resolve = alert.kind == "resolved";
    if (resolve && alert.fingerprint.empty()) {
      why = "a resolved event without a fingerprint names no PagerDuty incident to resolve";
      return false;
    }
    vigil::notify::HttpRequest request = request_;
    request.body = body(alert).dump();
    const vigil::notify::HttpResponse response = vigil::notify::send_once(request, ctx.remaining());
    if (response.answered() && response.status == 202) {
      why = std::string("PagerDuty accepted ") + (resolve ? "resolve" : "trigger") +
            (alert.fingerprint.empty() ? "" : " for " + alert.fingerprint);
      return true;
    }
    why = vigil::notify::scrub(vigil::notify::describe_failure(request, response, "expected 202"),
                               {routing_key_});
    return false;
  }

  nlohmann::json body(const Event& alert) const {
    nlohmann::json out = {{"routing_key", routing_key_}};
    if (alert.kind == "resolved") {
      out["event_action"] = "resolve";
      out["dedup_key"] = alert.fingerprint;
      return out;
    }
    // firing and reminder, and the one-off kinds (rollback, verdict, manual) a person must see.
    out["event_action"] = "trigger";
    if (!alert.fingerprint.empty())
      out["dedup_key"] = alert.fingerprint;
    nlohmann::json payload = {
        {"summary", cut_utf8(summary_of(alert), kMaxSummaryBytes)},
        {"source", source_},
        {"severity", severity_of(alert)},
        {"custom_details",
         {{"labels", nlohmann::json::object()}, {"annotations", nlohmann::json::object()}}},
    };
    if (!vigil::notify::unset(alert.starts_at))
      payload["timestamp"] = vigil::notify::rfc3339(alert.starts_at);
    if (!alert.check.empty())
      payload["component"] = alert.check;
    if (!alert.rule.empty())
      payload["class"] = alert.rule;
    if (!alert.deployment.empty())
      payload["group"] = alert.deployment;
    for (const auto& [name, value] : alert.labels)
      payload["custom_details"]["labels"][name] = value;
    for (const auto& [name, value] : alert.annotations)
      payload["custom_details"]["annotations"][name] = value;
    out["payload"] = std::move(payload);
    out["client"] = "vigil";
    return out;
  }

  static std::string summary_of(const Event& alert) {
    if (!alert.summary.empty())
      return alert.summary;
    return (!alert.rule.empty() ? alert.rule : alert.kind) + " " + alert.kind;
  }

  std::string severity_of(const Event& alert) const {
    if (auto it = severities_.find(alert.severity); it != severities_.end())
      return it->second;
    // No severity, or one the map does not name: the check's status says how bad it is.
    switch (alert.status) {
      case Status::Critical:
        return "critical";
      case Status::Warning:
        return "warning";
      case Status::Unknown:
        return "error";
      case Status::Ok:
        return "info";
    }
    return "error";
  }

  std::string routing_key_;
  std::string source_;
  std::map<std::string, std::string> severities_;
  vigil::notify::HttpRequest request_;
};

}  // namespace

VIGIL_PLUGIN("pagerduty", VIGIL_SDK_VERSION_STRING,
             "Triggers and resolves PagerDuty incidents through the Events API v2") {
  using vigil::sdk::OptionType;
  plugin
      .add_action<PagerDuty>("pagerduty",
                             "Triggers (firing, reminder) and resolves (resolved) a PagerDuty "
                             "incident per alert, deduplicated by the alert's fingerprint; a "
                             "group is one request per alert; 202 is success")
      .required("routing_key", OptionType::String,
                "The integration's routing key (Events API v2 integration key)")
      .secret()
      .optional("url", OptionType::String, "https://events.pagerduty.com/v2/enqueue",
                "Events API v2 enqueue endpoint")
      .optional("source", OptionType::String, {},
                "payload.source: where the problem is (default: this host's name)")
      .map("severity_map", OptionType::String,
           "vigil severity to PagerDuty severity (critical, error, warning, info), over "
           "critical: critical, warning: warning, info: info; any other follows the status")
      .optional("tls_verify", OptionType::Bool, "true", "Verify the server's certificate and name")
      .optional("ca_file", OptionType::String, {}, "CA bundle (PEM) to verify the server with");
}
