#include "core/log/logging.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>

namespace vigil::core {
namespace {

TEST(Redact, ReplacesEverySecretOccurrence) {
  set_log_secrets({"hunter2-token", "s3cr3t"});
  EXPECT_EQ(redact("auth=hunter2-token; again hunter2-token; s3cr3t"), "auth=***; again ***; ***");
  set_log_secrets({});
}

TEST(Redact, ShortValuesAreLeftAlone) {
  set_log_secrets({"no", "5m", "443"});
  EXPECT_EQ(redact("noop every 5m on port 443"), "noop every 5m on port 443");
  set_log_secrets({});
}

TEST(ParseLogLevel, KnownNamesOnly) {
  EXPECT_EQ(parse_log_level("warning"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_FALSE(parse_log_level("loud"));
}

// Logs one line of each level with stderr sent to a fresh file and $JOURNAL_STREAM set to
// `journal_stream` (a function of that file's device and inode), and returns what the file got.
std::string log_to_stderr_file(
    const std::function<std::string(const struct stat&)>& journal_stream) {
  std::string templ = ::testing::TempDir() + "vigil-log-XXXXXX";
  const int fd = mkstemp(templ.data());
  EXPECT_GE(fd, 0);
  struct stat st {};
  EXPECT_EQ(fstat(fd, &st), 0);
  const int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  setenv("JOURNAL_STREAM", journal_stream(st).c_str(), 1);
  configure_logging(LogSettings{});
  logger()->info("checked in");
  logger()->warn("slow");
  logger()->error("down");
  logger()->debug("not at info");
  logger()->flush();
  unsetenv("JOURNAL_STREAM");
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  configure_logging(LogSettings{});
  std::ifstream in(templ);
  std::stringstream text;
  text << in.rdbuf();
  unlink(templ.c_str());
  return text.str();
}

std::string stream_of(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

TEST(JournalLogging, StderrOnTheJournalGetsPrioritiesAndNoTimestamps) {
  const std::string out = log_to_stderr_file(stream_of);
  EXPECT_EQ(out, "<6>[INFO] checked in\n<4>[WARNING] slow\n<3>[ERROR] down\n");
}

TEST(JournalLogging, AnotherStreamKeepsTheSeedFormat) {
  // A child of a systemd service whose stderr went elsewhere inherits $JOURNAL_STREAM.
  const std::string out = log_to_stderr_file([](const struct stat& st) {
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  });
  const std::regex seed(
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\[INFO\\] checked in\n"
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\[WARNING\\] slow\n"
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\[ERROR\\] down\n");
  EXPECT_TRUE(std::regex_match(out, seed)) << out;
}

TEST(JournalLogging, MalformedVariableKeepsTheSeedFormat) {
  const std::string out =
      log_to_stderr_file([](const struct stat& st) { return stream_of(st) + "x"; });
  EXPECT_EQ(out.find("<6>"), std::string::npos) << out;
  EXPECT_NE(out.find("Z [INFO] checked in"), std::string::npos) << out;
}

}  // namespace
}  // namespace vigil::core
