// The vigil binary as users and monitoring systems see it: exit codes, output lines, JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cli/process_runner.hpp"

namespace {

using vigil::testing::ChildProcess;
using vigil::testing::run_process;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";
const std::string kFixtures = VIGIL_BINARY_DIR "/test-plugins";

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-cli-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(Cli, VersionNamesTheHostAbi) {
  auto r = run_process({kVigil, "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("vigil " VIGIL_VERSION), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ABI 1"), std::string::npos) << r.out;
}

TEST(Cli, NoVerbIsAUsageError) {
  auto r = run_process({kVigil});
  EXPECT_EQ(r.exit_code, 64);
  auto bad = run_process({kVigil, "frobnicate"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("unknown verb 'frobnicate'"), std::string::npos);
}

TEST(Cli, EveryVerbHasHelp) {
  for (const char* verb :
       {"run", "validate", "check", "plugins", "status", "rollback", "promote", "abort"}) {
    auto r = run_process({kVigil, verb, "--help"});
    EXPECT_EQ(r.exit_code, 0) << verb;
    EXPECT_NE(r.out.find(std::string("usage: vigil ") + verb), std::string::npos) << r.out;
  }
}

TEST(CliCheck, PrintsTheNagiosLineAndExitsWithTheStatus) {
  auto ok = run_process({kVigil, "check", "noop", "-o", "summary=all good", "-o", "value=3"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "OK - all good | value=3\n");

  auto crit = run_process({kVigil, "check", "noop", "-o", "status=CRITICAL"});
  EXPECT_EQ(crit.exit_code, 2);
  EXPECT_EQ(crit.out.rfind("CRITICAL - noop", 0), 0u) << crit.out;
}

TEST(CliCheck, HostThresholdsJudgeThePluginsMetrics) {
  auto warn =
      run_process({kVigil, "check", "noop", "-o", "value=97", "-w", "value<98", "-c", "value<95"});
  EXPECT_EQ(warn.exit_code, 1) << warn.out << warn.err;
  EXPECT_NE(warn.out.find("value 97 < 98 (warning)"), std::string::npos) << warn.out;
  EXPECT_NE(warn.out.find("value=97;98:;95:"), std::string::npos) << warn.out;

  auto crit =
      run_process({kVigil, "check", "noop", "-o", "value=94", "-w", "value<98", "-c", "value<95"});
  EXPECT_EQ(crit.exit_code, 2);

  auto range = run_process({kVigil, "check", "noop", "-o", "value=25", "-c", "value=10:20"});
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_NE(range.out.find("25 outside 10:20"), std::string::npos) << range.out;
}

TEST(CliCheck, JsonFollowsTheDocumentedSchema) {
  auto r = run_process({kVigil, "check", "noop", "-o", "value=0.25", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["check"], "noop");
  EXPECT_EQ(j["plugin"], "noop");
  EXPECT_EQ(j["status"], "OK");
  EXPECT_EQ(j["status_code"], 0);
  EXPECT_EQ(j["summary"], "noop");
  ASSERT_EQ(j["metrics"].size(), 1u);
  EXPECT_EQ(j["metrics"][0]["name"], "value");
  EXPECT_DOUBLE_EQ(j["metrics"][0]["value"].get<double>(), 0.25);
  EXPECT_TRUE(j["metrics"][0]["labels"].is_object());
  EXPECT_TRUE(j["duration_ms"].is_number_integer());
  const std::string ts = j["timestamp"];
  EXPECT_EQ(ts.size(), 20u) << ts;  // 2026-11-29T03:41:33Z
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(CliCheck, BadOptionsAreUnknownWithTheReason) {
  auto unknown = run_process({kVigil, "check", "noop", "-o", "bogus=1"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("unknown option 'bogus'"), std::string::npos) << unknown.err;

  auto type = run_process({kVigil, "check", "noop", "-o", "value=high"});
  EXPECT_EQ(type.exit_code, 3);
  EXPECT_NE(type.err.find("expected a number, got \"high\""), std::string::npos) << type.err;

  auto ctor = run_process({kVigil, "check", "noop", "-o", "status=GREEN"});
  EXPECT_EQ(ctor.exit_code, 3);
  EXPECT_NE(ctor.err.find("option 'status'"), std::string::npos) << ctor.err;

  auto missing = run_process({kVigil, "check", "no_such_type"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no plugin provides check type 'no_such_type'"), std::string::npos);

  auto bad_threshold = run_process({kVigil, "check", "noop", "-w", "value<lots"});
  EXPECT_EQ(bad_threshold.exit_code, 3);
  EXPECT_NE(bad_threshold.err.find("expected a number after '<'"), std::string::npos);
}

TEST(CliCheck, AHangingPluginIsUnknownAtTheTimeout) {
  auto r = run_process({kVigil, "check", "--plugin-dir", kFixtures, "hangs", "--timeout", "300ms"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("UNKNOWN - timed out after 300ms"), std::string::npos) << r.out;
}

TEST(CliCheck, AThrowingPluginIsUnknownWithTheException) {
  auto r = run_process({kVigil, "check", "--plugin-dir", kFixtures, "run_throws"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("UNKNOWN - check failed with an exception"), std::string::npos) << r.out;
}

constexpr const char* kNoopConfig = R"(
pipelines:
  - name: demo
    defaults: {interval: 1m, timeout: 5s}
    checks:
      - name: healthy
        plugin: noop
        options: {value: 99}
        thresholds:
          value: {warning: "< 98", critical: "< 95"}
      - name: degraded
        plugin: noop
        options: {value: 97}
        thresholds:
          value: {warning: "< 98", critical: "< 95"}
)";

TEST(CliRun, OnceRunsEveryCheckAndExitsWithTheWorst) {
  TempDir dir;
  auto config = dir.write("vigil.yaml", kNoopConfig);
  auto r = run_process({kVigil, "run", "--once", "--config", config});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("healthy: OK - noop | value=99;98:;95:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("degraded: WARNING - noop; value 97 < 98 (warning)"), std::string::npos)
      << r.out;
}

TEST(CliRun, OnceJsonIsOneObjectPerLine) {
  TempDir dir;
  auto config = dir.write("vigil.yaml", kNoopConfig);
  auto r = run_process({kVigil, "run", "--once", "--format", "json", "--config", config});
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> results;
  while (std::getline(lines, line))
    results.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(results.size(), 2u) << r.out;
  EXPECT_EQ(results[0]["check"], "healthy");
  EXPECT_EQ(results[0]["pipeline"], "demo");
  EXPECT_EQ(results[1]["status"], "WARNING");
  EXPECT_EQ(results[1]["plugin_status"], "OK");
}

TEST(CliRun, EnvironmentOverlayChangesThresholds) {
  TempDir dir;
  auto config = dir.write("vigil.yaml", kNoopConfig);
  dir.write("environments/dev.yaml", R"(
pipelines:
  - name: demo
    checks:
      - name: degraded
        thresholds:
          value: {warning: "< 90", critical: "< 80"}
)");
  auto r = run_process({kVigil, "run", "--once", "--env", "dev", "--config", config});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto via_env = run_process({kVigil, "run", "--once", "--config", config}, {"VIGIL_ENV=dev"});
  EXPECT_EQ(via_env.exit_code, 0) << via_env.out << via_env.err;
}

TEST(CliValidate, ReportsEveryErrorWithItsLocation) {
  TempDir dir;
  auto config = dir.write("bad.yaml", R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        intervall: 5m
      - name: two
        plugin: noop
        options: {value: lots}
      - name: three
        plugin: nonexistent
)");
  auto r = run_process({kVigil, "validate", "--config", config});
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  EXPECT_NE(r.err.find(config + ":6:9:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("intervall"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(config + ":9:26:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nonexistent"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 errors"), std::string::npos) << r.err;
}

TEST(CliValidate, AConstructorRefusalPointsAtTheOption) {
  TempDir dir;
  auto config = dir.write("ctor.yaml", R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        options:
          status: GREEN
)");
  auto r = run_process({kVigil, "validate", "--config", config});
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  EXPECT_NE(r.err.find(config + ":7:19: pipelines[demo].checks[one].options.status"),
            std::string::npos)
      << r.err;
}

TEST(CliValidate, TheEmbeddedDefaultAndShippedConfigsAreValid) {
  auto r = run_process({kVigil, "validate"}, {"VIGIL_CONFIG="});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("<embedded default>: valid"), std::string::npos) << r.out;
}

TEST(CliRun, SigtermStopsTheDaemonCleanly) {
  TempDir dir;
  auto config = dir.write("vigil.yaml", kNoopConfig);
  ChildProcess child({kVigil, "run", "--config", config, "--state-dir", dir.path().string()});
  ASSERT_TRUE(child.wait_for_stderr("watching 2 checks", std::chrono::seconds(30)));
  child.signal(SIGTERM);
  auto r = child.finish(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("SIGTERM received: stopping"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[INFO] vigil stopped"), std::string::npos) << r.err;
}

TEST(CliRun, SecretsFromTheEnvironmentNeverReachOutput) {
  TempDir dir;
  auto config = dir.write("vigil.yaml", R"(
pipelines:
  - name: demo
    checks:
      - name: secretive
        plugin: noop
        options: {summary: "token=${VIGIL_TEST_TOKEN}"}
)");
  auto r = run_process({kVigil, "run", "--once", "--config", config},
                       {"VIGIL_TEST_TOKEN=hunter2-s3cret"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2-s3cret"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("token=***"), std::string::npos) << r.out;
}

// A secret option given as <option>_file, from systemd's $CREDENTIALS_DIRECTORY: the value
// reaches the plugin and never the output.
TEST(CliRun, SecretsFromCredentialFilesNeverReachOutput) {
  TempDir dir;
  const std::string env_file = dir.write("credentials/exec_env", "TOKEN: hunter2-from-file\n");
  std::filesystem::permissions(env_file, std::filesystem::perms::owner_read);
  auto config = dir.write("vigil.yaml", R"(
pipelines:
  - name: demo
    checks:
      - name: secretive
        plugin: exec
        options: {command: ["echo OK token=$TOKEN"], shell: true, env_file: exec_env}
)");
  auto r = run_process({kVigil, "run", "--once", "--config", config},
                       {"CREDENTIALS_DIRECTORY=" + (dir.path() / "credentials").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2-from-file"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("token=***"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("every local user can read it"), std::string::npos) << r.err;
}

TEST(CliValidate, WarnsOfASecretFileEveryoneCanRead) {
  TempDir dir;
  const std::string env_file = dir.write("exec_env", "TOKEN: hunter2-from-file\n");
  std::filesystem::permissions(
      env_file, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  auto config = dir.write("vigil.yaml", R"(pipelines:
  - name: demo
    checks:
      - name: secretive
        plugin: exec
        options: {command: ["true"], env_file: exec_env}
)");
  auto r = run_process({kVigil, "validate", "--config", config}, {"CREDENTIALS_DIRECTORY="});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(config + ":6:48: pipelines[demo].checks[secretive].options.env_file: " +
                       env_file + " holds a secret and every local user can read it"),
            std::string::npos)
      << r.err;
}

TEST(CliPlugins, ListsAndDescribes) {
  auto list = run_process({kVigil, "plugins"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("noop 1."), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("  check  noop"), std::string::npos) << list.out;
  auto describe = run_process({kVigil, "plugins", "--describe", "noop"});
  EXPECT_EQ(describe.exit_code, 0);
  EXPECT_NE(describe.out.find("status (string), default OK"), std::string::npos) << describe.out;
  auto missing = run_process({kVigil, "plugins", "--describe", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
}

}  // namespace

namespace {

// A plugin directory holding just the given fixture plugins (the fixture directory as a whole
// also holds one that re-registers `noop`).
std::string fixture_dir_with(const TempDir& dir, std::initializer_list<const char*> names) {
  auto plugins = dir.path() / "plugins";
  std::filesystem::create_directories(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  for (const char* name : names) {
    auto target = plugins / (std::string("vigil_") + name + ".so");
    std::filesystem::copy_file(kFixtures + "/vigil_" + name + ".so", target);
    std::filesystem::permissions(target, std::filesystem::perms(0755));
  }
  return plugins.string();
}

TEST(CliRunIsolated, ACrashingPluginIsUnknownAndTheHostCarriesOn) {
  TempDir dir;
  auto plugins = fixture_dir_with(dir, {"crashes"});
  auto config = dir.write("vigil.yaml", R"(
pipelines:
  - name: demo
    defaults: {interval: 1m, timeout: 20s}
    checks:
      - name: crashy
        plugin: crashes
        isolate: true
      - name: judged-in-the-parent
        plugin: noop
        isolate: true
        options: {value: 97}
        thresholds:
          value: {warning: "< 98"}
      - name: in-process
        plugin: noop
)");
  auto r = run_process({kVigil, "run", "--once", "--config", config, "--plugin-dir", plugins});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the worst is the WARNING
  EXPECT_NE(r.out.find("crashy: UNKNOWN - isolated check process crashed: killed by signal 11 "
                       "(Segmentation fault)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("judged-in-the-parent: WARNING - noop; value 97 < 98 (warning) | "
                       "value=97;98:"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("in-process: OK - noop"), std::string::npos) << r.out;
}

TEST(CliRunIsolated, AHungPluginIsKilledAtTheTimeout) {
  TempDir dir;
  auto plugins = fixture_dir_with(dir, {"hangs"});
  auto config = dir.write("vigil.yaml", R"(
pipelines:
  - name: demo
    checks:
      - name: stuck
        plugin: hangs
        isolate: true
        interval: 1m
        timeout: 1s
        options: {ignore_stop: true}
)");
  auto r = run_process({kVigil, "run", "--once", "--config", config, "--plugin-dir", plugins});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("stuck: UNKNOWN - timed out after 1s"), std::string::npos) << r.out;
}

TEST(CliValidate, IsolateMustBeABoolean) {
  TempDir dir;
  auto config = dir.write("vigil.yaml", R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        isolate: sometimes
)");
  auto r = run_process({kVigil, "validate", "--config", config});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find(config + ":6:18: pipelines[demo].checks[one].isolate: expected true or "
                                "false"),
            std::string::npos)
      << r.err;
}

}  // namespace
