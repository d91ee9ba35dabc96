// The built-in command and rollback actions, running real programs.
#include "core/actions/command_action.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vigil/sdk/testing.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

sdk::Options options(std::vector<std::string> command, bool shell = false) {
  sdk::Options o;
  sdk::ScalarList argv;
  for (auto& a : command)
    argv.emplace_back(std::move(a));
  o.set("command", sdk::OptionValue(argv));
  if (shell)
    o.set("shell", sdk::OptionValue(sdk::Scalar(true)));
  return o;
}

sdk::Event rollback_event() {
  sdk::Event e;
  e.kind = "rollback";
  e.rule = "error-rate-critical";
  e.check = "error-rate";
  e.severity = "critical";
  e.summary = "error_rate 2.5 > 1";
  e.deployment = "genesis-2026-11-29";
  return e;
}

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-cmd-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CommandAction, PassesTheEventInItsEnvironmentAndArgvWithoutAShell) {
  TempDir dir;
  const fs::path out = dir.path() / "env.txt";
  // printenv prints exactly the variables asked for; the $(...) argument reaches it unexpanded.
  CommandAction action(
      options({"/bin/sh", "-c",
               "printenv VIGIL_EVENT VIGIL_RULE VIGIL_DEPLOYMENT > \"$1\"; "
               "printf '%s\\n' \"$2\" >> \"$1\"",
               "sh", out.string(), "$(touch " + (dir.path() / "pwned").string() + ")"}));
  sdk::testing::FakeContext ctx("rollback");
  const auto outcome = action.execute(rollback_event(), ctx);
  EXPECT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(slurp(out), "rollback\nerror-rate-critical\ngenesis-2026-11-29\n$(touch " +
                            (dir.path() / "pwned").string() + ")\n");
  EXPECT_FALSE(fs::exists(dir.path() / "pwned"));
}

TEST(CommandAction, AFailingProgramFailsWithItsLastOutputLines) {
  CommandAction action(options(
      {"/bin/sh", "-c", "echo step 1; echo step 2; echo 'kubectl: forbidden' >&2; exit 3"}));
  sdk::testing::FakeContext ctx("rollback");
  const auto outcome = action.execute(rollback_event(), ctx);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "sh exited with status 3: step 1 | step 2 | kubectl: forbidden");
}

TEST(CommandAction, OutputGoesToTheLogLineByLine) {
  CommandAction action(options({"/bin/echo", "restarted genesis-orchestrator"}));
  sdk::testing::FakeContext ctx("restart");
  ASSERT_TRUE(action.execute(rollback_event(), ctx).ok);
  EXPECT_TRUE(ctx.captured().contains("echo: restarted genesis-orchestrator"));
}

TEST(CommandAction, ATimeoutKillsTheProgram) {
  CommandAction action(options({"/bin/sleep", "30"}));
  sdk::testing::FakeContext ctx("rollback", 300ms);
  const auto outcome = action.execute(rollback_event(), ctx);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message.rfind("sleep timed out after", 0), 0u) << outcome.message;
}

TEST(CommandAction, ShellOnlyWhenAskedFor) {
  TempDir dir;
  const fs::path out = dir.path() / "piped.txt";
  CommandAction shell(options({"echo a b c | wc -w > " + out.string()}, /*shell=*/true));
  sdk::testing::FakeContext ctx("x");
  ASSERT_TRUE(shell.execute(rollback_event(), ctx).ok);
  EXPECT_EQ(slurp(out), "3\n");
  // Without shell: true the same text is a program name that does not exist.
  CommandAction argv(options({"echo a b c | wc -w"}));
  const auto outcome = argv.execute(rollback_event(), ctx);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "echo a b c | wc -w: command not found in PATH");
}

TEST(CommandAction, ConfigErrorsNameTheOption) {
  try {
    CommandAction a(options({"a", "b"}, /*shell=*/true));
    FAIL();
  } catch (const sdk::ConfigError& e) {
    EXPECT_EQ(e.option(), "command");
  }
}

TEST(RollbackPolicy, DefaultsAreTheSeedsAndOptionsOverride) {
  const RollbackPolicy d = RollbackPolicy::from(options({"x"}));
  EXPECT_EQ(d.max_per_window, 1);
  EXPECT_EQ(d.verify_within, 15min);
  EXPECT_EQ(d.silence_for, 15min);  // defaults to verify_within
  sdk::Options o = options({"x"});
  o.set("max_per_window", sdk::OptionValue(sdk::Scalar(std::int64_t{2})));
  o.set("verify_within", sdk::OptionValue(sdk::Scalar(std::chrono::milliseconds(90s))));
  const RollbackPolicy p = RollbackPolicy::from(o);
  EXPECT_EQ(p.max_per_window, 2);
  EXPECT_EQ(p.verify_within, 90s);
  EXPECT_EQ(p.silence_for, 90s);
}

}  // namespace
}  // namespace vigil::core
