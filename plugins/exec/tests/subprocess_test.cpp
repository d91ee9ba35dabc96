#include <vigil/sdk/subprocess.hpp>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include "process_helpers.hpp"

namespace vigil::sdk {
namespace {

namespace test = vigil::exec::test;

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

ProcessSpec shell(const std::string& command_line) {
  ProcessSpec spec;
  spec.program = "/bin/sh";
  spec.argv = {"sh", "-c", command_line};
  spec.environment = merged_environment({});
  return spec;
}

ProcessOutcome run(const ProcessSpec& spec, std::chrono::milliseconds budget = 20s) {
  return run_process(spec, SteadyClock::now() + budget, [] { return false; });
}

bool is_reaped(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD;
}

TEST(Subprocess, CapturesStdoutAndStderrSeparatelyAndReaps) {
  const auto outcome = run(shell("echo out; echo err >&2; exit 4"));
  EXPECT_EQ(outcome.end, ProcessEnd::Exited);
  EXPECT_EQ(outcome.exit_code, 4);
  EXPECT_EQ(outcome.out.text, "out\n");
  EXPECT_EQ(outcome.err.text, "err\n");
  EXPECT_TRUE(is_reaped(outcome.pid));
}

TEST(Subprocess, StdinIsDevNull) {
  // cat would wait for input until the deadline if stdin were anything else.
  const auto started = SteadyClock::now();
  const auto outcome = run(shell("cat; echo done"), 10s);
  EXPECT_EQ(outcome.end, ProcessEnd::Exited);
  EXPECT_EQ(outcome.out.text, "done\n");
  EXPECT_LT(SteadyClock::now() - started, 5s);
}

TEST(Subprocess, RunsInItsOwnProcessGroup) {
  const auto outcome = run(shell("ps -o pgid= -p $$"));
  EXPECT_EQ(std::stol(outcome.out.text), outcome.pid);
}

TEST(Subprocess, TimeoutKillsTheWholeProcessGroupEvenWhenItIgnoresSigterm) {
  // Shell and background child both ignore SIGTERM, so only the SIGKILL after the grace helps.
  const auto started = SteadyClock::now();
  const auto outcome = run(shell("trap '' TERM; sleep 300 & echo started; sleep 300"), 500ms);
  const auto elapsed = SteadyClock::now() - started;
  EXPECT_EQ(outcome.end, ProcessEnd::TimedOut);
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 500ms + kTerminationGrace + 3s);  // loose: a loaded machine is slow
  EXPECT_TRUE(is_reaped(outcome.pid));
  EXPECT_TRUE(test::group_dies_within(outcome.pid, 5s));
}

TEST(Subprocess, ProcessesLeftBehindAfterExitAreKilled) {
  const auto started = SteadyClock::now();
  const auto outcome = run(shell("sleep 300 & echo leader done"));
  EXPECT_EQ(outcome.end, ProcessEnd::Exited);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out.text, "leader done\n");
  EXPECT_TRUE(outcome.killed_leftovers);
  EXPECT_LT(SteadyClock::now() - started, kExitLinger + 5s);
  EXPECT_TRUE(test::group_dies_within(outcome.pid, 5s));
}

TEST(Subprocess, StopRequestEndsTheRunEarly) {
  const auto started = SteadyClock::now();
  const auto outcome =
      run_process(shell("sleep 300"), SteadyClock::now() + 60s, [] { return true; });
  EXPECT_EQ(outcome.end, ProcessEnd::Cancelled);
  EXPECT_LT(SteadyClock::now() - started, 10s);
  EXPECT_TRUE(is_reaped(outcome.pid));
}

TEST(Subprocess, OutputBeyondTheCapIsDrainedNotKept) {
  ProcessSpec spec = shell("head -c 3000000 /dev/zero; echo oops >&2; exit 0");
  spec.max_stdout = 1000;
  spec.max_stderr = 2;
  const auto outcome = run(spec);
  EXPECT_EQ(outcome.end, ProcessEnd::Exited);  // not blocked on a full pipe until the deadline
  EXPECT_EQ(outcome.out.text.size(), 1000u);
  EXPECT_EQ(outcome.out.total_bytes, 3000000u);
  EXPECT_TRUE(outcome.out.truncated());
  EXPECT_EQ(outcome.err.text, "oo");
  EXPECT_EQ(outcome.err.total_bytes, 5u);
}

TEST(Subprocess, SignalDispositionsOfTheHostAreNotInherited) {
  // With SIGPIPE ignored, `yes` would see EPIPE and complain on stderr; with the default it dies
  // quietly, as it does under any shell.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  const auto outcome = run(shell("yes | head -n 1"));
  std::signal(SIGPIPE, previous);
  EXPECT_EQ(outcome.out.text, "y\n");
  EXPECT_EQ(outcome.err.text, "");
}

TEST(Subprocess, SpawnFailureReportsErrno) {
  ProcessSpec spec;
  spec.program = "/nonexistent/vigil-program";
  spec.argv = {"vigil-program"};
  const auto outcome = run(spec);
  EXPECT_EQ(outcome.end, ProcessEnd::SpawnFailed);
  EXPECT_EQ(outcome.spawn_error, ENOENT);
}

TEST(Subprocess, WorkingDirectoryIsApplied) {
  test::ScratchDir dir;
  ProcessSpec spec = shell("pwd -P");
  spec.cwd = dir.path().string();
  EXPECT_EQ(run(spec).out.text, dir.path().string() + "\n");
}

TEST(Subprocess, MergedEnvironmentOverridesAndAdds) {
  const auto environment = merged_environment({{"PATH", "/vigil/bin"}, {"VIGIL_EXEC_NEW", "a=b"}});
  EXPECT_EQ(find_variable(environment, "PATH"), "/vigil/bin");
  EXPECT_EQ(find_variable(environment, "VIGIL_EXEC_NEW"), "a=b");
  EXPECT_EQ(find_variable(environment, "VIGIL_EXEC_NEW_"), std::nullopt);
  EXPECT_EQ(std::count_if(environment.begin(), environment.end(),
                          [](const std::string& v) { return v.rfind("PATH=", 0) == 0; }),
            1);
}

TEST(Subprocess, FindProgramFollowsExecvp) {
  test::ScratchDir dir;
  dir.script("not_executable", "exit 0", false);
  const std::string scratch = dir.path().string();

  EXPECT_EQ(find_program("sh", "/nonexistent:/bin").path, "/bin/sh");
  EXPECT_EQ(find_program("sh", std::nullopt).path, "/bin/sh");           // execvp's default PATH
  EXPECT_EQ(find_program("./relative/x", "/bin").path, "./relative/x");  // a '/': used as is
  EXPECT_EQ(find_program("vigil-no-such-program", "/bin:/usr/bin").error, ENOENT);
  const auto unexecutable = find_program("not_executable", scratch);
  EXPECT_TRUE(unexecutable.path.empty());
  EXPECT_EQ(unexecutable.error, EACCES);
  // As execvp does, an unexecutable file does not stop the search.
  test::ScratchDir later;
  later.script("not_executable", "exit 0");
  EXPECT_EQ(find_program("not_executable", scratch + ":" + later.path().string()).path,
            (later.path() / "not_executable").string());
}

}  // namespace
}  // namespace vigil::sdk
