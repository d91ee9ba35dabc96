// Option validation through the plugin's real entry point, as the host resolves config.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <vigil/sdk/testing.hpp>

namespace {

using vigil::sdk::ConfigError;
using vigil::sdk::testing::LocalPlugin;
using Options = std::vector<std::pair<std::string, std::string>>;

// The option a ConfigError names, or "" when the check was created.
std::string refused_option(const Options& options) {
  LocalPlugin plugin;
  try {
    plugin.check("http_probe", options);
  } catch (const ConfigError& e) {
    return e.option().empty() ? "?" : e.option();
  }
  return "";
}

TEST(HttpProbeOptions, DefaultsAreValid) {
  EXPECT_EQ(refused_option({{"url", "http://127.0.0.1/"}}), "");
  EXPECT_EQ(refused_option({{"targets", "[http://a/, https://b/]"}}), "");
  EXPECT_EQ(refused_option({{"url", "https://x/"},
                            {"expect_status", "[200, 301-302, 4xx]"},
                            {"json_expect.database", "ok"},
                            {"json_expect.items[0].state", "up"},
                            {"body_regex", "^ok$"},
                            {"headers.Authorization", "Bearer x"},
                            {"ip_family", "ipv6"},
                            {"method", "POST"},
                            {"body", "{}"}}),
            "");
}

TEST(HttpProbeOptions, ExactlyOneOfUrlAndTargets) {
  EXPECT_NE(refused_option({}), "");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"targets", "[http://b/]"}}), "targets");
}

TEST(HttpProbeOptions, RefusesBadValues) {
  EXPECT_EQ(refused_option({{"url", "ftp://a/"}}), "url");
  EXPECT_EQ(refused_option({{"targets", "[http://a/, b]"}}), "targets");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"expect_status", "[2000]"}}), "expect_status");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"body_regex", "("}}), "body_regex");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"body_not_regex", "[a"}}), "body_not_regex");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"json_expect.a..b", "1"}}), "json_expect");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"ip_family", "ipv5"}}), "ip_family");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"concurrency", "0"}}), "concurrency");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"max_redirects", "-1"}}), "max_redirects");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"timeout", "0"}}), "timeout");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"max_body", "0"}}), "max_body");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"key_file", "/k.pem"}}), "key_file");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"method", "GET X"}}), "method");
  EXPECT_EQ(refused_option({{"url", "http://a/"}, {"headers.Bad Name", "x"}}), "headers");
}

TEST(HttpProbeOptions, HeadersAreSecret) {
  LocalPlugin plugin;
  const auto* headers = plugin.info("http_probe").find_option("headers");
  ASSERT_NE(headers, nullptr);
  EXPECT_TRUE(headers->secret);
}

}  // namespace
