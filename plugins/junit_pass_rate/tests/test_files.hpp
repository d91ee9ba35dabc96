#pragma once
// Files for the junit_pass_rate tests: fixtures from testdata/ and a scratch directory per test
// that is removed with it.
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace vigil::junit_pass_rate::testing {

inline std::string fixture(const std::string& name) {
  return std::string(JUNIT_TESTDATA_DIR) + "/" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

// Sets a file's modification time, so that staleness is tested without waiting.
inline void set_mtime(const std::string& path, std::chrono::system_clock::time_point when) {
  const auto since_epoch = when.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto nanoseconds =
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds);
  const timespec times[2] = {{seconds.count(), nanoseconds.count()},
                             {seconds.count(), nanoseconds.count()}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
    throw std::runtime_error("utimensat failed on " + path);
  }
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "junit_pass_rate_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const {
    write_file(file(name), content);
    return file(name);
  }
  std::string copy_fixture(const std::string& name, const std::string& as) const {
    return write(as, read_file(fixture(name)));
  }

 private:
  std::string path_;
};

}  // namespace vigil::junit_pass_rate::testing
