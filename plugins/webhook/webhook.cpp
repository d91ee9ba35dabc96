// webhook: sends an event to an HTTP endpoint, either as Slack's incoming-webhook message (a
// plain text, one status line per alert) or as the whole event in JSON for any other receiver.
//
// The URL is a secret: a Slack webhook URL is itself the credential, so messages name only its
// scheme and host ("https://hooks.slack.com/…"), and neither the URL, its path nor a header
// value ever appears in an outcome, even when the receiver echoes them in an error page.
#include <algorithm>
#include <map>
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

enum class Format { Json, Slack };

Format parse_format(const std::string& text) {
  if (text == "json")
    return Format::Json;
  if (text == "slack")
    return Format::Slack;
  throw ConfigError("format", "format is json or slack, not \"" + text + "\"");
}

std::string parse_method(std::string method) {
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  if (method != "POST" && method != "PUT" && method != "PATCH")
    throw ConfigError("method", "method is POST, PUT or PATCH, not \"" + method + "\"");
  return method;
}

// The word a status line starts with, by the event's kind.
std::string kind_word(const std::string& kind) {
  if (kind == "firing")
    return "FIRING";
  if (kind == "resolved")
    return "RESOLVED";
  if (kind == "reminder")
    return "STILL FIRING";
  std::string word = kind;
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  return word;
}

// "[FIRING] error-rate: 2.3% of requests failed (critical)"
std::string status_line(const Event& e) {
  std::string what = e.summary;
  if (what.empty())
    what = !e.rule.empty() ? e.rule : (!e.check.empty() ? e.check : e.kind);
  std::string line = "[" + kind_word(e.kind) + "] " + what;
  if (!e.severity.empty() && e.kind != "resolved")
    line += " (" + e.severity + ")";
  return line;
}

// Slack's incoming webhooks take {"text": ...}; plain lines read the same in any client and
// in the notification preview. A batch is its summary, then one line per alert.
std::string slack_text(const Event& e) {
  std::string text;
  if (e.group.empty()) {
    text = status_line(e);
  } else {
    text = e.summary.empty() ? std::to_string(e.group.size()) + " alerts" : e.summary;
    for (const auto& member : e.group)
      text += "\n" + status_line(member);
  }
  if (!e.deployment.empty())
    text += "\ndeployment: " + e.deployment;
  return text;
}

class Webhook final : public vigil::sdk::Action {
 public:
  explicit Webhook(const Options& options) : format_(parse_format(options.string("format"))) {
    request_.url = options.string("url");
    // The URL itself is secret: the message says what is wrong with it without quoting it.
    if (!vigil::notify::is_http_url(request_.url))
      throw ConfigError("url", "url is not an http:// or https:// URL");
    request_.shown_url = vigil::notify::redact_url(request_.url);
    request_.method = parse_method(options.string("method"));
    if (options.has("headers"))
      request_.headers = options.string_map("headers");
    request_.tls_verify = options.flag("tls_verify");
    request_.ca_file = options.find_string("ca_file");

    secrets_.push_back(request_.url);
    secrets_.push_back(vigil::notify::path_of(request_.url));
    for (const auto& [name, value] : request_.headers)
      secrets_.push_back(value);
  }

  ActionOutcome execute(const Event& event, Context& ctx) override {
    vigil::notify::HttpRequest request = request_;
    if (format_ == Format::Slack)
      request.body = nlohmann::json{{"text", slack_text(event)}}.dump();
    else
      request.body = vigil::notify::event_json(event).dump();
    const vigil::notify::HttpResponse response = vigil::notify::send_once(request, ctx.remaining());
    if (response.answered() && response.status >= 200 && response.status < 300) {
      return ActionOutcome::success(request.method + " " + request.shown_url + ": HTTP " +
                                    std::to_string(response.status));
    }
    return ActionOutcome::failure(
        vigil::notify::scrub(vigil::notify::describe_failure(request, response), secrets_));
  }

 private:
  Format format_;
  vigil::notify::HttpRequest request_;
  std::vector<std::string> secrets_;
};

}  // namespace

VIGIL_PLUGIN("webhook", VIGIL_SDK_VERSION_STRING,
             "Sends alert events to an HTTP endpoint: Slack's incoming webhooks or JSON") {
  using vigil::sdk::OptionType;
  plugin
      .add_action<Webhook>("webhook",
                           "Sends the event to an HTTP endpoint, as a Slack message (format: "
                           "slack) or as the whole event in JSON (format: json); 2xx is success")
      .required("url", OptionType::String,
                "Where to send it (http or https); a Slack webhook URL is itself a credential")
      .secret()
      .optional("method", OptionType::String, "POST", "POST, PUT or PATCH")
      .map("headers", OptionType::String, "Extra request headers, e.g. Authorization")
      .secret()
      .optional("format", OptionType::String, "json",
                "json (every field of the event) or slack ({\"text\": ...}, a line per alert)")
      .optional("tls_verify", OptionType::Bool, "true", "Verify the server's certificate and name")
      .optional("ca_file", OptionType::String, {}, "CA bundle (PEM) to verify the server with");
}
