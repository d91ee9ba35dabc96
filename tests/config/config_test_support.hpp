#pragma once
// Shared by the config tests: loading from text with an injected environment, a fake plugin
// schema lookup, and assertions on issues that print every issue when they fail.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "vigil/sdk/plugin.hpp"

namespace vigil::core::testing {

inline const std::string kDataDir = VIGIL_SOURCE_DIR "/tests/config/data";

// The name configs loaded from text get in locations: "test.yaml:3:9".
inline const std::string kTestFile = "test.yaml";

using Environment = std::map<std::string, std::string>;

inline ConfigLoadOptions options_with(Environment env,
                                      std::optional<std::string> overlay = std::nullopt) {
  ConfigLoadOptions opts;
  opts.env = std::move(overlay);
  opts.getenv = [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end())
      return std::nullopt;
    return it->second;
  };
  return opts;
}

inline ConfigLoadResult load(std::string_view yaml, Environment env = {}) {
  return ConfigLoader::load_string(yaml, kTestFile, options_with(std::move(env)));
}

inline std::string all_issues(const ConfigLoadResult& result) {
  std::string out;
  for (const auto& issue : result.issues)
    out += "\n  " + issue.to_string();
  return out.empty() ? std::string("\n  (no issues)") : out;
}

// Hand-built schemas standing in for loaded plugins.
class FakePlugins {
 public:
  FakePlugins() {
    sdk::TypeInfo http;
    http.kind = sdk::PluginKind::Check;
    http.name = "http_probe";
    http.description = "HTTP GET and status check";
    sdk::TypeBuilder(http)
        .required("url", sdk::OptionType::String, "URL to fetch")
        .optional("timeout", sdk::OptionType::Duration, "10s", "Request timeout")
        .list("expected_status", sdk::OptionType::Int, "[200, 204]", "Acceptable status codes")
        .optional("verify_tls", sdk::OptionType::Bool, "true", "Check the certificate")
        .optional("max_body", sdk::OptionType::Size, "1MiB", "Largest body read")
        .optional("retries", sdk::OptionType::Int, "0", "Retries before failing")
        .optional("min_ratio", sdk::OptionType::Double, std::nullopt, "Smallest acceptable ratio")
        .map("headers", sdk::OptionType::String, "Extra request headers")
        .optional("password", sdk::OptionType::String, std::nullopt, "Basic auth password")
        .secret()
        .optional("pin", sdk::OptionType::Int, std::nullopt, "Second factor")
        .secret();
    add(std::move(http));

    sdk::TypeInfo noop;
    noop.name = "noop";
    sdk::TypeBuilder(noop).optional("value", sdk::OptionType::Double, "0", "Metric value");
    add(std::move(noop));

    sdk::TypeInfo broken;
    broken.name = "broken_default";
    sdk::TypeBuilder(broken).optional("wait", sdk::OptionType::Duration, "soon", "Declared badly");
    add(std::move(broken));

    sdk::TypeInfo notify;
    notify.kind = sdk::PluginKind::Action;
    notify.name = "slack_notify";
    add(std::move(notify));

    sdk::TypeInfo webhook;
    webhook.kind = sdk::PluginKind::Action;
    webhook.name = "webhook";
    sdk::TypeBuilder(webhook)
        .required("url", sdk::OptionType::String, "Where to POST")
        .optional("method", sdk::OptionType::String, "POST", "HTTP method")
        .map("headers", sdk::OptionType::String, "Extra request headers")
        .optional("token", sdk::OptionType::String, std::nullopt, "Bearer token")
        .secret();
    add(std::move(webhook));

    // Stands in for the host's built-in action types, served through the same lookup.
    sdk::TypeInfo command;
    command.kind = sdk::PluginKind::Action;
    command.name = "command";
    sdk::TypeBuilder(command)
        .required_list("argv", sdk::OptionType::String, "Program and arguments")
        .optional("cwd", sdk::OptionType::String, std::nullopt, "Working directory");
    add(std::move(command));
  }

  SchemaLookup lookup() const {
    return [this](std::string_view name) -> const sdk::TypeInfo* {
      auto it = types_.find(std::string(name));
      return it == types_.end() ? nullptr : &it->second;
    };
  }

 private:
  void add(sdk::TypeInfo info) {
    std::string name = info.name;
    types_.emplace(std::move(name), std::move(info));
  }
  std::map<std::string, sdk::TypeInfo> types_;
};

inline ConfigLoadResult load_and_resolve(std::string_view yaml, Environment env = {}) {
  ConfigLoadResult result = load(yaml, std::move(env));
  static const FakePlugins plugins;
  ConfigLoader::resolve(result, plugins.lookup());
  return result;
}

// Passes when some issue is at line:column and its message contains `message_part`.
inline ::testing::AssertionResult has_issue(const ConfigLoadResult& result, int line, int column,
                                            std::string_view message_part) {
  for (const auto& issue : result.issues) {
    if (issue.where.line == line && issue.where.column == column &&
        issue.message.find(message_part) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no issue at " << line << ":" << column << " containing \"" << message_part
         << "\"; issues:" << all_issues(result);
}

// Passes when there is exactly one issue, at line:column, with that path and message part.
inline ::testing::AssertionResult has_only_issue(const ConfigLoadResult& result, int line,
                                                 int column, std::string_view path,
                                                 std::string_view message_part) {
  if (result.issues.size() != 1) {
    return ::testing::AssertionFailure() << "expected exactly one issue, got "
                                         << result.issues.size() << ":" << all_issues(result);
  }
  const ConfigIssue& issue = result.issues.front();
  if (issue.where.file != kTestFile || issue.where.line != line || issue.where.column != column ||
      issue.path != path || issue.message.find(message_part) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "expected " << kTestFile << ":" << line << ":" << column << ": " << path << ": ...\""
           << message_part << "\"..., got:" << all_issues(result);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace vigil::core::testing
