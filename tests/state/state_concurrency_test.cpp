// One database, several writers: the daemon's threads, a CLI in another connection or process,
// and a writer killed with SIGKILL mid-loop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "core/state/state_database.hpp"
#include "tests/state/state_test_support.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using testing::raw_query;
using testing::sample_result;
using testing::TempStateDir;

const sdk::TimePoint kT0{std::chrono::seconds{1760801520}};

Silence silence_for(const std::string& check) {
  Silence s;
  s.matchers = {SilenceMatcher::parse("check=" + check)};
  s.starts_at = kT0;
  s.ends_at = kT0 + 1h;
  s.comment = "test";
  s.created_by = "cli";
  return s;
}

TEST(StateConcurrency, DaemonThreadsAndACliConnectionWriteAtTheSameTime) {
  TempStateDir dir;
  auto daemon = StateDatabase::open(dir.path());
  auto cli = StateDatabase::open(dir.path());
  constexpr int kPerThread = 150;
  constexpr int kSilences = 40;
  auto record = [&](const std::string& check) {
    for (int i = 0; i < kPerThread; ++i)
      daemon->record_result(sample_result(check, kT0 + std::chrono::seconds(i)), false);
  };
  std::thread a(record, "api");
  std::thread b(record, "db");
  std::thread c([&] {
    for (int i = 0; i < kSilences; ++i) {
      cli->add_silence(silence_for("api"));
      cli->results(std::nullopt, std::nullopt, std::nullopt, 10);
    }
  });
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(daemon->pending_results(), 0u);
  EXPECT_EQ(cli->results("api", std::nullopt, std::nullopt).size(), std::size_t{kPerThread});
  EXPECT_EQ(cli->results("db", std::nullopt, std::nullopt).size(), std::size_t{kPerThread});
  EXPECT_EQ(daemon->silences(true).size(), std::size_t{kSilences});
}

// busy_timeout at work: a writer that finds the write lock taken waits for it instead of failing
// with SQLITE_BUSY.
TEST(StateConcurrency, AWriterWaitsWhileAnotherConnectionHoldsTheWriteLock) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db->path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::string error;
  std::thread writer([&] {
    try {
      db->add_silence(silence_for("api"));
    } catch (const StateError& e) {
      error = e.what();
    }
  });
  // Long enough that the writer is almost surely waiting; far inside the 5 s busy timeout.
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  writer.join();
  sqlite3_close(other);
  EXPECT_EQ(error, "");
  EXPECT_EQ(db->silences(true).size(), 1u);
}

// A child records results in a loop and reports each index on a pipe only after
// record_result() returned; it is SIGKILLed mid-loop while the parent (a CLI, in another
// process) adds silences. Every reported result must be in the database, which must be intact.
TEST(StateConcurrency, AWriterKilledWithSigkillLosesNothingItReported) {
  TempStateDir dir;
  { auto init = StateDatabase::open(dir.path()); }  // the schema exists before both start
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    try {
      auto db = StateDatabase::open(dir.path());
      for (std::int32_t i = 0;; ++i) {
        db->record_result(sample_result("loop", kT0 + std::chrono::seconds(i)), false);
        if (::write(fds[1], &i, sizeof i) != sizeof i)
          ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(fds[1]);
  auto cli = StateDatabase::open(dir.path());
  std::int32_t last = -1;
  int silences = 0;
  while (last < 400) {
    std::int32_t i = 0;
    ASSERT_EQ(::read(fds[0], &i, sizeof i), static_cast<ssize_t>(sizeof i))
        << "the writer died on its own";
    last = i;
    if (i % 20 == 0) {
      cli->add_silence(silence_for("loop"));
      ++silences;
    }
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  // Indices written before the kill but not yet read still count as reported.
  std::int32_t i = 0;
  while (::read(fds[0], &i, sizeof i) == static_cast<ssize_t>(sizeof i))
    last = i;
  ::close(fds[0]);
  cli.reset();

  auto db = StateDatabase::open(dir.path());
  EXPECT_EQ(raw_query(db->path(), "PRAGMA integrity_check"), "ok");
  auto stored = db->results("loop", std::nullopt, std::nullopt);
  std::set<std::int64_t> seconds;
  for (const auto& r : stored) {
    seconds.insert(
        std::chrono::duration_cast<std::chrono::seconds>(r.result.started - kT0).count());
  }
  for (std::int32_t k = 0; k <= last; ++k)
    ASSERT_TRUE(seconds.count(k) == 1) << "reported result " << k << " is missing";
  // At most the one result committed between its commit and its report is extra.
  EXPECT_LE(stored.size(), static_cast<std::size_t>(last) + 2);
  EXPECT_EQ(db->silences(true).size(), static_cast<std::size_t>(silences));
}

}  // namespace
}  // namespace vigil::core
