// `vigil.metrics` in the configuration, and the listen address it takes.
#include <gtest/gtest.h>

#include "core/config/config.hpp"
#include "core/metrics/listen_address.hpp"

namespace vigil::core {
namespace {

ConfigLoadResult load(const std::string& metrics) {
  ConfigLoadOptions options;
  options.getenv = [](std::string_view) { return std::optional<std::string>(); };
  return ConfigLoader::load_string("vigil:\n  metrics: " + metrics +
                                       "\npipelines:\n  - name: p\n    checks:\n"
                                       "      - {name: c, plugin: noop}\n",
                                   "test.yaml", options, "/etc/vigil");
}

std::string issues(const ConfigLoadResult& r) {
  std::string out;
  for (const auto& i : r.issues)
    out += i.to_string() + "\n";
  return out;
}

TEST(ListenAddress, ParsesHostAndPort) {
  std::string error;
  auto a = parse_listen_address("127.0.0.1:28445", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 28445);
  a = parse_listen_address("[::1]:0", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_EQ(a->to_string(), "[::1]:0");
  EXPECT_EQ(parse_listen_address("0.0.0.0:9", &error)->to_string(), "0.0.0.0:9");
}

TEST(ListenAddress, RefusesWhatIsNotAnAddressAndPort) {
  std::string error;
  EXPECT_FALSE(parse_listen_address("28445", &error));
  EXPECT_NE(error.find("expected HOST:PORT"), std::string::npos) << error;
  EXPECT_FALSE(parse_listen_address(":28445", &error));
  EXPECT_NE(error.find("has no address"), std::string::npos) << error;
  EXPECT_FALSE(parse_listen_address("localhost:28445", &error));
  EXPECT_NE(error.find("\"localhost\" is not an IP address"), std::string::npos) << error;
  EXPECT_FALSE(parse_listen_address("::1:28445", &error));
  EXPECT_NE(error.find("needs brackets"), std::string::npos) << error;
  EXPECT_FALSE(parse_listen_address("127.0.0.1:65536", &error));
  EXPECT_NE(error.find("\"65536\" is not a port"), std::string::npos) << error;
  EXPECT_FALSE(parse_listen_address("127.0.0.1:http", &error));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:", &error));
}

TEST(MetricsConfig, DefaultsToLoopbackOnItsOwnPortWithoutATextfile) {
  ConfigLoadOptions options;
  auto r = ConfigLoader::load_string(
      "pipelines:\n  - name: p\n    checks:\n"
      "      - {name: c, plugin: noop}\n",
      "test.yaml", options);
  ASSERT_TRUE(r.ok()) << issues(r);
  ASSERT_TRUE(r.config.global.metrics.listen);
  EXPECT_EQ(r.config.global.metrics.listen->to_string(), "127.0.0.1:28445");
  EXPECT_FALSE(r.config.global.metrics.textfile);
}

TEST(MetricsConfig, ListenAndARelativeTextfile) {
  auto r = load("{listen: \"[::1]:9999\", textfile: textfile/vigil.prom}");
  ASSERT_TRUE(r.ok()) << issues(r);
  EXPECT_EQ(r.config.global.metrics.listen->to_string(), "[::1]:9999");
  EXPECT_EQ(r.config.global.metrics.textfile,
            std::filesystem::path("/etc/vigil/textfile/vigil.prom"));
}

TEST(MetricsConfig, OffTurnsTheEndpointOff) {
  for (const char* off : {"off", "\"off\"", "false"}) {
    auto r = load(std::string("{listen: ") + off + "}");
    ASSERT_TRUE(r.ok()) << issues(r);
    EXPECT_FALSE(r.config.global.metrics.listen) << off;
  }
}

TEST(MetricsConfig, ErrorsSayWhereAndWhat) {
  auto r = load("{listen: \"localhost:1\", textfile: /tmp/vigil.txt, port: 3}");
  ASSERT_EQ(r.issues.size(), 3u) << issues(r);
  const std::string all = issues(r);
  EXPECT_NE(all.find("test.yaml:2:"), std::string::npos) << all;
  EXPECT_NE(all.find("vigil.metrics.listen: \"localhost\" is not an IP address"), std::string::npos)
      << all;
  EXPECT_NE(all.find("vigil.metrics.textfile: node_exporter's textfile collector reads only "
                     "*.prom files"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("vigil.metrics.port: unknown key 'port'"), std::string::npos) << all;
}

}  // namespace
}  // namespace vigil::core
