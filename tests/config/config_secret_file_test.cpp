// `<option>_file: PATH` for secret options: the value read from a file, relative paths from
// $CREDENTIALS_DIRECTORY (systemd's LoadCredential=) or the config's directory, and the errors
// located like every other config error.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/config/config_test_support.hpp"

namespace vigil::core::testing {
namespace {

namespace fs = std::filesystem;

class SecretFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = ::testing::TempDir() + "vigil-secret-XXXXXX";
    dir_ = mkdtemp(templ.data());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const fs::path& name, const std::string& content, fs::perms mode) {
    const fs::path file = dir_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
    fs::permissions(file, mode);
    return file;
  }

  // Loaded as if from <dir>/vigil.yaml, resolved against the fake plugins.
  ConfigLoadResult load_here(std::string_view yaml, Environment env = {}) {
    ConfigLoadResult result =
        ConfigLoader::load_string(yaml, kTestFile, options_with(std::move(env)), dir_);
    static const FakePlugins plugins;
    ConfigLoader::resolve(result, plugins.lookup());
    return result;
  }

  static bool is_secret(const ConfigLoadResult& r, const std::string& value) {
    return std::find(r.config.secrets.begin(), r.config.secrets.end(), value) !=
           r.config.secrets.end();
  }

  fs::path dir_;
};

constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

const CheckConfig& first_check(const ConfigLoadResult& result) {
  return result.config.pipelines.at(0).checks.at(0);
}

TEST_F(SecretFiles, ValueComesFromTheFileBesideTheConfig) {
  write("secrets/password", "correct-horse\n", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - name: api
        plugin: http_probe
        options:
          url: http://x
          password_file: secrets/password
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_TRUE(result.warnings.empty());
  const CheckConfig& check = first_check(result);
  EXPECT_EQ(check.options.string("password"), "correct-horse");
  EXPECT_FALSE(check.options.has("password_file"));
  EXPECT_EQ(check.option_locations.at("password").to_string(), "test.yaml:8:26");
  EXPECT_TRUE(is_secret(result, "correct-horse"));
}

TEST_F(SecretFiles, OnlyOneTrailingNewlineIsRemoved) {
  write("password", "line one\nline two\n\n", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - {name: api, plugin: http_probe, options: {url: http://x, password_file: password}}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(first_check(result).options.string("password"), "line one\nline two\n");
}

TEST_F(SecretFiles, RelativePathsComeFromTheCredentialsDirectoryWhenSystemdSetsIt) {
  write("password", "from-the-config-dir", kOwnerOnly);
  const fs::path credentials =
      write("run/credentials/vigil.service/password", "from-load-credential", kOwnerOnly)
          .parent_path();
  write("absolute", "given-by-full-path", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - {name: api, plugin: http_probe, options: {url: http://x, password_file: password}}
      - {name: abs, plugin: http_probe, options: {url: http://x, password_file: )" +
                              (dir_ / "absolute").string() + R"(}}
)",
                          {{"CREDENTIALS_DIRECTORY", credentials.string()}});
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const auto& checks = result.config.pipelines.at(0).checks;
  EXPECT_EQ(checks.at(0).options.string("password"), "from-load-credential");
  EXPECT_EQ(checks.at(1).options.string("password"), "given-by-full-path");
}

TEST_F(SecretFiles, ActionOptionsToo) {
  write("token", "tok-from-file\n", kOwnerOnly);
  auto result = load_here(R"(actions:
  - name: hook
    plugin: webhook
    options: {url: http://127.0.0.1/hook, token_file: token}
pipelines:
  - name: demo
    checks:
      - {name: api, plugin: noop}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.actions.at(0).options.string("token"), "tok-from-file");
  EXPECT_TRUE(is_secret(result, "tok-from-file"));
}

TEST_F(SecretFiles, BothTheOptionAndItsFileIsAnError) {
  write("password", "correct-horse", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - name: api
        plugin: http_probe
        options:
          url: http://x
          password: inline
          password_file: password
)");
  EXPECT_TRUE(has_only_issue(result, 9, 11, "pipelines[demo].checks[api].options.password_file",
                             "give either 'password' or 'password_file', not both"));
}

TEST_F(SecretFiles, MissingAndEmptyFilesAreLocatedErrors) {
  write("empty", "\n", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - {name: a, plugin: http_probe, options: {url: http://x, password_file: nowhere}}
      - {name: b, plugin: http_probe, options: {url: http://x, password_file: empty}}
)");
  ASSERT_EQ(result.issues.size(), 2U) << all_issues(result);
  EXPECT_TRUE(has_issue(
      result, 4, 79, (dir_ / "nowhere").string() + " cannot be read: No such file or directory"));
  EXPECT_TRUE(has_issue(result, 5, 79, (dir_ / "empty").string() + " is empty"));
  EXPECT_EQ(result.issues.at(0).to_string(),
            "test.yaml:4:79: pipelines[demo].checks[a].options.password_file: " +
                (dir_ / "nowhere").string() + " cannot be read: No such file or directory");
}

TEST_F(SecretFiles, ABadValueIsReportedWithoutShowingIt) {
  write("pin", "not-a-number\n", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - {name: a, plugin: http_probe, options: {url: http://x, pin_file: pin}}
)");
  EXPECT_TRUE(has_only_issue(result, 4, 74, "pipelines[demo].checks[a].options.pin_file",
                             "expected an integer, got a value not shown (the option is secret)"));
  EXPECT_EQ(result.issues.at(0).to_string().find("not-a-number"), std::string::npos);
}

TEST_F(SecretFiles, AFileOthersCanReadIsAWarning) {
  write("password", "correct-horse", kOwnerOnly | fs::perms::group_read | fs::perms::others_read);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - {name: a, plugin: http_probe, options: {url: http://x, password_file: password}}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  ASSERT_EQ(result.warnings.size(), 1U);
  EXPECT_EQ(result.warnings[0].where.to_string(), "test.yaml:4:79");
  EXPECT_NE(result.warnings[0].message.find("every local user can read it"), std::string::npos)
      << result.warnings[0].message;
}

TEST_F(SecretFiles, OnlySecretOptionsHaveFiles) {
  write("url", "http://x", kOwnerOnly);
  auto result = load_here(R"(pipelines:
  - name: demo
    checks:
      - {name: a, plugin: http_probe, options: {url_file: url}}
)");
  EXPECT_TRUE(has_issue(result, 4, 49, "unknown option 'url_file'"));
}

TEST_F(SecretFiles, AMapOptionReadsAYamlMap) {
  sdk::TypeInfo type;
  type.kind = sdk::PluginKind::Check;
  type.name = "query";
  sdk::TypeBuilder(type).map("headers", sdk::OptionType::String, "Request headers").secret();
  const SchemaLookup lookup = [&type](std::string_view name) -> const sdk::TypeInfo* {
    return name == "query" ? &type : nullptr;
  };
  write("headers", "Authorization: Bearer abc.def\nX-Org: 7\n", kOwnerOnly);
  write("token", "Bearer abc.def\n", kOwnerOnly);
  ConfigLoadResult result = ConfigLoader::load_string(R"(pipelines:
  - name: demo
    checks:
      - {name: a, plugin: query, options: {headers_file: headers}}
      - {name: b, plugin: query, options: {headers_file: token}}
)",
                                                      kTestFile, options_with({}), dir_);
  ConfigLoader::resolve(result, lookup);
  const auto& checks = result.config.pipelines.at(0).checks;
  EXPECT_EQ(
      checks.at(0).options.string_map("headers"),
      (std::map<std::string, std::string>{{"Authorization", "Bearer abc.def"}, {"X-Org", "7"}}));
  EXPECT_TRUE(is_secret(result, "Bearer abc.def"));
  EXPECT_TRUE(has_only_issue(result, 5, 58, "pipelines[demo].checks[b].options.headers_file",
                             "must hold a YAML map"));
  EXPECT_EQ(result.issues.at(0).message.find("abc.def"), std::string::npos);
}

}  // namespace
}  // namespace vigil::core::testing
