// conf.d/*.yaml drop-ins: merged onto the base in lexical order, before the environment overlay,
// by the overlay's rules. Each test writes its own configuration directory.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/config/config_test_support.hpp"

namespace vigil::core::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;

const char* const kBaseYaml = R"(pipelines:
  - name: web
    defaults: {interval: 5m}
    checks:
      - name: health
        plugin: http_probe
        options: {url: "http://127.0.0.1:8080/health"}
)";

// A configuration directory with vigil.yaml and whatever conf.d/ and environments/ files a
// test writes; removed with everything in it at the end of the test.
class ConfigDir {
 public:
  ConfigDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil-dropin-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    write("vigil.yaml", kBaseYaml);
  }
  ~ConfigDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ConfigDir(const ConfigDir&) = delete;
  ConfigDir& operator=(const ConfigDir&) = delete;

  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << text;
  }
  std::string path(const std::string& relative) const { return (dir_ / relative).string(); }
  ConfigLoadResult load(std::optional<std::string> env = std::nullopt) const {
    return ConfigLoader::load_file(dir_ / "vigil.yaml", options_with({}, std::move(env)));
  }

 private:
  fs::path dir_;
};

const CheckConfig* find_check(const Config& config, const std::string& name) {
  for (const auto& pipeline : config.pipelines) {
    for (const auto& check : pipeline.checks) {
      if (check.name == name)
        return &check;
    }
  }
  return nullptr;
}

TEST(ConfigDropIn, MergedInLexicalOrderAfterTheBase) {
  ConfigDir dir;
  // Written out of order: the directory's order must not matter, the names' must.
  dir.write("conf.d/20-later.yaml", R"(pipelines:
  - name: web
    checks:
      - name: health
        interval: 2m
)");
  dir.write("conf.d/10-first.yaml", R"(pipelines:
  - name: web
    checks:
      - name: health
        interval: 1m
      - name: api
        plugin: http_probe
        options: {url: "http://127.0.0.1:8080/api"}
)");
  auto result = dir.load();
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.sources,
            (std::vector<std::string>{dir.path("vigil.yaml"), dir.path("conf.d/10-first.yaml"),
                                      dir.path("conf.d/20-later.yaml")}));
  const CheckConfig* health = find_check(result.config, "health");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->interval, minutes(2));  // 20-later.yaml wins over 10-first.yaml
  const CheckConfig* api = find_check(result.config, "api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->interval, minutes(5));  // the base's pipeline defaults apply to added checks
}

TEST(ConfigDropIn, TheEnvironmentOverlayComesAfterTheDropIns) {
  ConfigDir dir;
  dir.write("conf.d/50-site.yaml", R"(pipelines:
  - name: web
    checks:
      - name: health
        interval: 1m
      - name: debug
        plugin: http_probe
        options: {url: "http://127.0.0.1:8080/debug"}
)");
  // The overlay may switch off what only a drop-in defines, and has the last word.
  dir.write("environments/production.yaml", R"(pipelines:
  - name: web
    checks:
      - name: health
        interval: 30s
      - name: debug
        enabled: false
)");
  auto result = dir.load("production");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.sources,
            (std::vector<std::string>{dir.path("vigil.yaml"), dir.path("conf.d/50-site.yaml"),
                                      dir.path("environments/production.yaml")}));
  ASSERT_NE(find_check(result.config, "health"), nullptr);
  EXPECT_EQ(find_check(result.config, "health")->interval, std::chrono::seconds(30));
  EXPECT_EQ(find_check(result.config, "debug"), nullptr);
}

TEST(ConfigDropIn, OnlyYamlFilesAreDropIns) {
  ConfigDir dir;
  const std::string broken = "pipelines: [\n";
  dir.write("conf.d/README", broken);
  dir.write("conf.d/10-site.yaml.dpkg-dist", broken);  // left by dpkg on an upgrade
  dir.write("conf.d/10-site.yaml~", broken);           // an editor's backup
  dir.write("conf.d/.10-site.yaml.swp.yaml", broken);  // hidden
  dir.write("conf.d/10-site.yml", broken);
  auto result = dir.load();
  EXPECT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.sources, std::vector<std::string>{dir.path("vigil.yaml")});
}

TEST(ConfigDropIn, ErrorsPointIntoTheDropInFile) {
  ConfigDir dir;
  dir.write("conf.d/10-site.yaml", R"(pipelines:
  - name: web
    checks:
      - name: health
        interval: soon
      - name: helth
        enabled: false
)");
  auto result = dir.load();
  const std::string drop_in = dir.path("conf.d/10-site.yaml");
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_EQ(result.issues[0].to_string(),
            drop_in +
                ":5:19: pipelines[web].checks[health].interval: expected a duration like "
                "250ms, 30s, 5m or 48h, got \"soon\"");
  EXPECT_EQ(result.issues[1].where.to_string(), drop_in + ":6:15");
  EXPECT_NE(result.issues[1].message.find("did you mean 'health'?"), std::string::npos)
      << all_issues(result);
}

TEST(ConfigDropIn, AMalformedDropInIsOneIssueAndStopsTheLoad) {
  ConfigDir dir;
  dir.write("conf.d/10-site.yaml", "pipelines: [\n");
  dir.write("conf.d/20-more.yaml", "pipelines: {\n");
  auto result = dir.load();
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.file, dir.path("conf.d/10-site.yaml"));
  EXPECT_EQ(result.issues[0].where.line, 2);
}

TEST(ConfigDropIn, AnEmptyDropInChangesNothing) {
  ConfigDir dir;
  dir.write("conf.d/10-empty.yaml", "# nothing here yet\n");
  auto result = dir.load();
  ASSERT_TRUE(result.ok()) << all_issues(result);
  ASSERT_NE(find_check(result.config, "health"), nullptr);
  EXPECT_EQ(find_check(result.config, "health")->interval, minutes(5));
}

TEST(ConfigDropIn, ADropInThatIsNotAFileIsNamed) {
  ConfigDir dir;
  fs::create_directories(dir.path("conf.d/10-dir.yaml"));
  auto result = dir.load();
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(
      result.issues[0].to_string(),
      dir.path("conf.d/10-dir.yaml") + ": the drop-in is a directory, not a configuration file");
}

}  // namespace
}  // namespace vigil::core::testing
