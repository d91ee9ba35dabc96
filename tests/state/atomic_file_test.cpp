// write_file_atomically: readers see the old file or the new one, never a mix, and a failure
// leaves the old content.
#include "core/state/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/state/state_error.hpp"
#include "tests/state/state_test_support.hpp"

namespace vigil::core {
namespace {

using testing::TempStateDir;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t entries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
    ++n;
  return n;
}

TEST(AtomicFile, WritesReplacesAndLeavesNoTemporaryFiles) {
  TempStateDir dir;
  const auto file = dir.path() / "metrics_snapshot.json";
  write_file_atomically(file, R"({"a":1})");
  EXPECT_EQ(read_all(file), R"({"a":1})");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ::chmod(file.c_str(), 0644);
  write_file_atomically(file, "second");
  EXPECT_EQ(read_all(file), "second");
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // the replaced file's mode is kept
  write_file_atomically(file, "");
  EXPECT_EQ(read_all(file), "");
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(AtomicFile, AReaderNeverSeesAPartialFile) {
  TempStateDir dir;
  const auto file = dir.path() / "snapshot.json";
  const std::string a(256 * 1024, 'a');
  const std::string b(256 * 1024, 'b');
  write_file_atomically(file, a);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i)
      write_file_atomically(file, i % 2 == 0 ? b : a);
    stop = true;
  });
  int reads = 0;
  while (!stop) {
    const std::string seen = read_all(file);
    ASSERT_TRUE(seen == a || seen == b) << "partial file of " << seen.size() << " bytes";
    ++reads;
  }
  writer.join();
  EXPECT_GT(reads, 0);
}

TEST(AtomicFile, AFailedWriteKeepsTheOldContentAndSaysWhy) {
  TempStateDir dir;
  const auto sub = dir.path() / "locked";
  std::filesystem::create_directory(sub);
  const auto file = sub / "snapshot.json";
  write_file_atomically(file, "old");
  ::chmod(sub.c_str(), 0555);
  // root ignores directory permissions, so as root the attempt runs in a child that has
  // dropped to nobody.
  auto attempt = [&]() -> std::string {
    try {
      write_file_atomically(file, "new");
    } catch (const StateError& e) {
      return e.what();
    }
    return "written";
  };
  if (::geteuid() != 0) {
    EXPECT_NE(attempt().find("cannot write " + file.string() + ": creating a temporary file"),
              std::string::npos);
  } else {
    ::chmod(dir.path().c_str(), 0755);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0)
        ::_exit(2);
      ::_exit(attempt().find("cannot write " + file.string()) == 0 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the write as nobody did not fail as expected";
  }
  EXPECT_EQ(read_all(file), "old");
  EXPECT_EQ(entries(sub), 1u);
  ::chmod(sub.c_str(), 0755);
  // The target is a directory: the temporary file is written, the rename fails, the temporary
  // file is removed and the directory is untouched.
  const auto target_dir = sub / "is_a_dir";
  std::filesystem::create_directories(target_dir / "child");
  try {
    write_file_atomically(target_dir, "new");
    FAIL() << "replaced a non-empty directory";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("rename"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_directory(target_dir / "child"));
  EXPECT_EQ(entries(sub), 2u);  // snapshot.json and is_a_dir: no temporary file left
  EXPECT_EQ(read_all(file), "old");
  EXPECT_THROW(write_file_atomically(dir.path() / "missing" / "f.json", "x"), StateError);
}

}  // namespace
}  // namespace vigil::core
