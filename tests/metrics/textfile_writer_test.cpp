// The textfile: replaced whole, readable by node_exporter's user, errors with the path.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/metrics/textfile_writer.hpp"

namespace vigil::core {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-textfile-XXXXXX";
    path_ = ::mkdtemp(templ.data());
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

TEST(TextfileWriter, ReplacesTheFileWholeAndLeavesNothingElse) {
  TempDir dir;
  const TextfileWriter writer(dir.path() / "vigil.prom");
  writer.write("a 1\n");
  writer.write("b 2\n");
  EXPECT_EQ(slurp(dir.path() / "vigil.prom"), "b 2\n");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1u) << "a temporary file was left behind";
}

TEST(TextfileWriter, ANewFileIsWorldReadableAndAnOperatorsModeIsKept) {
  TempDir dir;
  const fs::path file = dir.path() / "vigil.prom";
  const mode_t old_umask = ::umask(077);
  TextfileWriter(file).write("a 1\n");
  ::umask(old_umask);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  TextfileWriter(file).write("a 2\n");
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(TextfileWriter, AMissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const fs::path file = dir.path() / "no-such-dir" / "vigil.prom";
  try {
    TextfileWriter(file).write("a 1\n");
    FAIL() << "wrote into a missing directory";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(file.parent_path().string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vigil::core
