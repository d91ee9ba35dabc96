// The exec plugin end to end: registered through its real entry point, configured with option
// text as `vigil check exec -o ...` would, running the Monitoring Plugins installed on the
// machine and scripts written for each test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <vigil/sdk/testing.hpp>

#include <vigil/sdk/subprocess.hpp>
#include "process_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using Options = std::vector<std::pair<std::string, std::string>>;
using SteadyClock = std::chrono::steady_clock;

const std::string kPluginDir = "/usr/lib/nagios/plugins/";

// `command` given one element per key, as repeated `-o command=...` flags give it.
Options command(std::initializer_list<std::string> argv, Options more = {}) {
  Options options;
  for (const auto& arg : argv) {
    options.emplace_back("command", arg);
  }
  options.insert(options.end(), more.begin(), more.end());
  return options;
}

Result run_check(const Options& options, FakeContext& ctx) {
  LocalPlugin plugin;
  return plugin.check("exec", options)->run(ctx);
}

Result run_check(const Options& options) {
  FakeContext ctx;
  return run_check(options, ctx);
}

std::string details_of(const Result& result) {
  std::string out;
  for (const auto& line : result.details()) {
    out += line + "\n";
  }
  return out;
}

void require_monitoring_plugin(const std::string& name) {
  if (!std::filesystem::exists(kPluginDir + name)) {
    GTEST_SKIP() << kPluginDir << name << " is not installed (monitoring-plugins-basic)";
  }
}

// `df`'s "Used" figure for a mount point, in bytes.
double df_used_bytes(const std::string& mount_point) {
  const std::string command_line = "df -B1 --output=used " + mount_point;
  FILE* df = ::popen(command_line.c_str(), "r");
  if (df == nullptr) {
    return -1;
  }
  char header[64] = {0};
  unsigned long long used = 0;
  const bool parsed = std::fscanf(df, "%63s %llu", header, &used) == 2;
  ::pclose(df);
  return parsed ? static_cast<double>(used) : -1;
}

TEST(ExecCheck, DeclaresItsOptionsUnderTheDocumentedNames) {
  LocalPlugin plugin;
  const auto& info = plugin.info("exec");
  std::set<std::string> names;
  for (const auto& option : info.options) {
    names.insert(option.name);
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"command", "shell", "timeout", "env", "cwd", "max_output"}));
  EXPECT_TRUE(info.find_option("command")->required);
  EXPECT_EQ(info.find_option("timeout")->default_text, "30s");
  EXPECT_EQ(info.find_option("max_output")->default_text, "64KiB");
  EXPECT_EQ(info.find_option("shell")->default_text, "false");
}

TEST(ExecCheck, CheckDummyExitCodesBecomeStatuses) {
  require_monitoring_plugin("check_dummy");
  const std::pair<const char*, Status> cases[] = {
      {"0", Status::Ok}, {"1", Status::Warning}, {"2", Status::Critical}, {"3", Status::Unknown}};
  for (const auto& [code, status] : cases) {
    const Result result = run_check(command({kPluginDir + "check_dummy", code, "all is well"}));
    EXPECT_EQ(result.status(), status) << code;
    EXPECT_EQ(result.summary(), std::string(vigil::sdk::to_string(status)) + ": all is well");
    EXPECT_TRUE(result.metrics().empty());
  }
  EXPECT_EQ(run_check(command({kPluginDir + "check_dummy", "0"})).summary(), "OK");
}

TEST(ExecCheck, CheckDummyRefusingAStateIsUnknown) {
  require_monitoring_plugin("check_dummy");
  const Result result = run_check(command({kPluginDir + "check_dummy", "7"}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_THAT(result.summary(), StartsWith("UNKNOWN"));
}

TEST(ExecCheck, CheckDiskPerfdataMatchesDf) {
  require_monitoring_plugin("check_disk");
  const Result result =
      run_check(command({kPluginDir + "check_disk", "-w", "1%", "-c", "1%", "-p", "/"}));
  EXPECT_EQ(result.status(), Status::Ok) << result.summary();
  EXPECT_THAT(result.summary(), StartsWith("DISK OK"));
  const auto root = std::find_if(result.metrics().begin(), result.metrics().end(),
                                 [](const auto& m) { return m.name == "/"; });
  ASSERT_NE(root, result.metrics().end()) << details_of(result);
  EXPECT_EQ(root->unit, "B");
  EXPECT_TRUE(root->warn && root->crit && root->min && root->max);
  const double df_used = df_used_bytes("/");
  ASSERT_GT(df_used, 0);
  // Other processes write to the disk between the two readings; a percent is plenty apart.
  EXPECT_NEAR(root->value, df_used, std::max(df_used * 0.01, 256.0 * 1024 * 1024));
  EXPECT_LE(root->value, *root->max);
}

TEST(ExecCheck, CheckLoadGivesAMetricPerAverageWithItsThresholds) {
  require_monitoring_plugin("check_load");
  const Result result =
      run_check(command({kPluginDir + "check_load", "-w", "900,800,700", "-c", "1000,900,800"}));
  EXPECT_EQ(result.status(), Status::Ok) << result.summary();
  ASSERT_EQ(result.metrics().size(), 3u) << details_of(result);
  EXPECT_EQ(result.metrics()[0].name, "load1");
  ASSERT_TRUE(result.metrics()[0].warn.has_value());
  EXPECT_DOUBLE_EQ(result.metrics()[0].warn->end, 900);
  EXPECT_DOUBLE_EQ(result.metrics()[2].crit->end, 800);
}

TEST(ExecCheck, MissingProgramByPath) {
  const Result result = run_check(command({kPluginDir + "check_vigil_does_not_exist"}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), kPluginDir + "check_vigil_does_not_exist: No such file or directory");
}

TEST(ExecCheck, MissingProgramInPath) {
  const Result result = run_check(command({"check_vigil_does_not_exist", "-w", "1"}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), "check_vigil_does_not_exist: command not found in PATH");
}

TEST(ExecCheck, UnexecutableScriptIsPermissionDenied) {
  vigil::exec::test::ScratchDir dir;
  const std::string script = dir.script("check_locked", "echo OK", false);
  const Result result = run_check(command({script}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), script + ": Permission denied");
}

TEST(ExecCheck, TimeoutKillsTheProcessGroupWithinTimeoutPlusGrace) {
  vigil::exec::test::ScratchDir dir;
  // The leader prints its pid (the group id) and then, like its background child, ignores
  // SIGTERM: only the SIGKILL after the grace ends them.
  const std::string script =
      dir.script("check_hangs", "echo $$\ntrap '' TERM\nsleep 300 &\nsleep 300");
  const auto started = SteadyClock::now();
  const Result result = run_check(command({script}, {{"timeout", "1s"}}));
  const auto elapsed = SteadyClock::now() - started;

  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), "check_hangs: timed out after 1s");
  EXPECT_GE(elapsed, 1s);
  EXPECT_LT(elapsed, 1s + vigil::sdk::kTerminationGrace + 3s);  // loose: CI machines are slow

  const auto pid_line = std::find_if(result.details().begin(), result.details().end(),
                                     [](const auto& d) { return d.rfind("stdout: ", 0) == 0; });
  ASSERT_NE(pid_line, result.details().end()) << details_of(result);
  const pid_t group = static_cast<pid_t>(std::stol(pid_line->substr(8)));
  EXPECT_TRUE(vigil::exec::test::group_dies_within(group, 5s));
}

TEST(ExecCheck, ContextDeadlineBoundsTheTimeout) {
  FakeContext ctx("deadline-bound", 1s);
  const auto started = SteadyClock::now();
  const Result result = run_check(command({"sleep", "60"}, {{"timeout", "30s"}}), ctx);
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), "sleep: timed out after 1s (the check's deadline)");
  EXPECT_LT(SteadyClock::now() - started, 1s + vigil::sdk::kTerminationGrace + 3s);
}

TEST(ExecCheck, NoTimeLeftMeansNotStarted) {
  FakeContext ctx("late", 0ms);
  const Result result = run_check(command({"true"}), ctx);
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_THAT(result.summary(), HasSubstr("not started"));
}

TEST(ExecCheck, StopRequestReturnsEarly) {
  FakeContext ctx;
  ctx.request_stop();
  const auto started = SteadyClock::now();
  const Result result = run_check(command({"sleep", "60"}), ctx);
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_THAT(result.summary(), HasSubstr("the host asked the check to stop"));
  EXPECT_LT(SteadyClock::now() - started, vigil::sdk::kTerminationGrace + 3s);
}

TEST(ExecCheck, OutputBeyondMaxOutputIsBounded) {
  vigil::exec::test::ScratchDir dir;
  const std::string script =
      dir.script("check_chatty", "printf 'OK: big | lines=3\\n'\nhead -c 4000000 /dev/zero");
  const Result result = run_check(command({script}, {{"max_output", "1KiB"}}));
  EXPECT_EQ(result.status(), Status::Ok);
  EXPECT_EQ(result.summary(), "OK: big");
  ASSERT_EQ(result.metrics().size(), 1u);
  EXPECT_EQ(result.metrics()[0].value, 3);
  EXPECT_THAT(result.details(),
              Contains("output cut at max_output (1KiB): the program wrote 4000018 bytes"));
  for (const auto& line : result.details()) {
    EXPECT_LT(line.size(), 200u);
  }
}

TEST(ExecCheck, FirstLineLongerThanMaxOutputKeepsTheSummaryButNotItsPerfdata) {
  const Result result =
      run_check(command({"echo", "OK: a long line | value=123456"}, {{"max_output", "20B"}}));
  EXPECT_EQ(result.status(), Status::Ok);
  EXPECT_EQ(result.summary(), "OK: a long line");
  EXPECT_TRUE(result.metrics().empty());  // "value=1234" would have been a wrong number
  EXPECT_THAT(details_of(result), HasSubstr("perfdata not read"));
}

TEST(ExecCheck, DeathBySignalIsUnknown) {
  vigil::exec::test::ScratchDir dir;
  const std::string script = dir.script("check_crashes", "ulimit -c 0\nkill -SEGV $$");
  const Result result = run_check(command({script}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_THAT(result.summary(), StartsWith("check_crashes: killed by signal 11"));
}

TEST(ExecCheck, ExitCodeOutsidePluginStatesIsUnknown) {
  vigil::exec::test::ScratchDir dir;
  const std::string script =
      dir.script("check_odd", "echo 'OK: looks fine'\necho 'boom' >&2\nexit 7");
  const Result result = run_check(command({script}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), "check_odd: exited with status 7, which is not a plugin state (0-3)");
  EXPECT_THAT(result.details(), Contains("stdout: OK: looks fine"));
  EXPECT_THAT(result.details(), Contains("stderr: boom"));
}

TEST(ExecCheck, ShellRunsAPipeline) {
  const Result result =
      run_check({{"command", "printf 'a\\nb\\nc\\n' | wc -l | sed 's/.*/OK: & lines | lines=&/'"},
                 {"shell", "true"}});
  EXPECT_EQ(result.status(), Status::Ok) << result.summary() << details_of(result);
  EXPECT_EQ(result.summary(), "OK: 3 lines");
  ASSERT_EQ(result.metrics().size(), 1u);
  EXPECT_EQ(result.metrics()[0].name, "lines");
  EXPECT_EQ(result.metrics()[0].value, 3);
}

TEST(ExecCheck, ShellExitStatusIsThePluginState) {
  const Result result =
      run_check({{"command", "echo 'WARNING: from sh' | cat; exit 1"}, {"shell", "yes"}});
  EXPECT_EQ(result.status(), Status::Warning);
  EXPECT_EQ(result.summary(), "WARNING: from sh");
}

TEST(ExecCheck, EnvAndCwdAreHonoured) {
  vigil::exec::test::ScratchDir dir;
  dir.script("check_env_cwd",
             "[ -n \"$PATH\" ] || exit 3\nprintf 'OK: %s in %s\\n' \"$VIGIL_EXEC_GREETING\" "
             "\"$(pwd -P)\"");
  // A relative program resolves against cwd, as it would after `cd cwd`.
  const Result result = run_check(command(
      {"./check_env_cwd"}, {{"env.VIGIL_EXEC_GREETING", "hello"}, {"cwd", dir.path().string()}}));
  EXPECT_EQ(result.status(), Status::Ok) << result.summary();
  EXPECT_EQ(result.summary(), "OK: hello in " + dir.path().string());
}

TEST(ExecCheck, PathFromEnvIsTheOneSearched) {
  vigil::exec::test::ScratchDir dir;
  dir.script("check_vigil_probe", "echo 'OK: found on PATH'");
  const Result result = run_check(
      command({"check_vigil_probe"}, {{"env.PATH", dir.path().string() + ":/usr/bin:/bin"}}));
  EXPECT_EQ(result.status(), Status::Ok) << result.summary();
  EXPECT_EQ(result.summary(), "OK: found on PATH");
}

TEST(ExecCheck, MissingCwdIsUnknown) {
  const Result result = run_check(command({"true"}, {{"cwd", "/nonexistent/vigil-cwd"}}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), "cwd /nonexistent/vigil-cwd: No such file or directory");
}

TEST(ExecCheck, LongOutputAndPerfdataFromLaterLines) {
  vigil::exec::test::ScratchDir dir;
  const std::string script = dir.script("check_guidelines", R"(cat <<'EOF'
DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968
/ 15272 MB (77%);
/boot 68 MB (69%);
/var/log 819 MB (84%); | /boot=68MB;88;93;0;98
/var/log=818MB;970;975;0;980
EOF)");
  const Result result = run_check(command({script}));
  EXPECT_EQ(result.status(), Status::Ok);
  EXPECT_EQ(result.summary(), "DISK OK - free space: / 3326 MB (56%);");
  EXPECT_THAT(result.details(), ::testing::ElementsAre("/ 15272 MB (77%);", "/boot 68 MB (69%);",
                                                       "/var/log 819 MB (84%);"));
  ASSERT_EQ(result.metrics().size(), 3u);
  EXPECT_EQ(result.metrics()[2].name, "/var/log");
  EXPECT_EQ(result.metrics()[2].unit, "MB");
  EXPECT_EQ(result.metrics()[2].value, 818);
}

TEST(ExecCheck, UndeterminedAndMalformedPerfdataBecomeDetails) {
  const Result result = run_check(command({"echo", "OK: partial | a=U b=2ms c=x 'd e'=4%"}));
  EXPECT_EQ(result.status(), Status::Ok);
  ASSERT_EQ(result.metrics().size(), 2u);
  EXPECT_EQ(result.metrics()[0].name, "b");
  EXPECT_EQ(result.metrics()[1].name, "d e");
  EXPECT_THAT(details_of(result),
              AllOf(HasSubstr("'a': value undetermined"), HasSubstr("\"c=x\" skipped")));
}

TEST(ExecCheck, StderrExplainsASilentFailure) {
  vigil::exec::test::ScratchDir dir;
  const std::string script =
      dir.script("check_usage", "echo 'check_usage: -H is required' >&2\nexit 3");
  const Result result = run_check(command({script}));
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_EQ(result.summary(), "check_usage: -H is required");
}

TEST(ExecCheck, NoOutputAtAllIsSaid) {
  const Result result = run_check(command({"true"}));
  EXPECT_EQ(result.status(), Status::Ok);
  EXPECT_EQ(result.summary(), "true printed no output");
}

TEST(ExecCheck, ABackgroundProcessDoesNotHoldTheResultHostage) {
  vigil::exec::test::ScratchDir dir;
  const std::string script = dir.script("check_spawns", "sleep 300 &\necho 'OK: spawned'");
  const auto started = SteadyClock::now();
  const Result result = run_check(command({script}));
  EXPECT_EQ(result.status(), Status::Ok);
  EXPECT_EQ(result.summary(), "OK: spawned");
  EXPECT_THAT(details_of(result), HasSubstr("were killed"));
  EXPECT_LT(SteadyClock::now() - started, vigil::sdk::kExitLinger + 5s);
}

TEST(ExecCheck, RejectsOptionsThatCannotWork) {
  LocalPlugin plugin;
  EXPECT_THROW(plugin.check("exec", {}), std::runtime_error);  // command is required
  EXPECT_THROW(plugin.check("exec", {{"command", "[]"}}), vigil::sdk::ConfigError);
  EXPECT_THROW(plugin.check("exec", {{"command", "echo"}, {"command", "hi"}, {"shell", "true"}}),
               vigil::sdk::ConfigError);
  EXPECT_THROW(plugin.check("exec", command({"true"}, {{"timeout", "0"}})),
               vigil::sdk::ConfigError);
  EXPECT_THROW(plugin.check("exec", command({"true"}, {{"max_output", "0"}})),
               vigil::sdk::ConfigError);
  EXPECT_THROW(plugin.check("exec", command({"true"}, {{"cwd", ""}})), vigil::sdk::ConfigError);
  EXPECT_THROW(plugin.check("exec", command({"true"}, {{"env.A=B", "x"}})),
               vigil::sdk::ConfigError);
  EXPECT_THROW(plugin.check("exec", command({"true"}, {{"timeout", "soon"}})), std::runtime_error);
  EXPECT_NO_THROW(plugin.check("exec", command({"true"}, {{"env.A", "1"}, {"cwd", "/"}})));
}

}  // namespace
