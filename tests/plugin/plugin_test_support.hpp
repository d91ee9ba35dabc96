#pragma once
// Per-test plugin directories. Fixtures are copied into a fresh directory with mode 0755 so
// that trust checks see the same modes whatever the umask of the build was.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/plugin/plugin_catalog.hpp"

namespace vigil::test {

inline const std::filesystem::path kFixtureDir = VIGIL_TEST_PLUGIN_DIR;
inline const std::filesystem::path kBuildPluginDir = VIGIL_BUILD_PLUGIN_DIR;

// Every directory handed out lives until the test program exits. A library that cannot be
// unloaded (one with STB_GNU_UNIQUE symbols, like anything using std::to_string) stays mapped
// after its catalog is gone; if its file were deleted, a later copy could get the same inode and
// dlopen would hand back the stale library instead of loading the new file.
class ScratchDirectories : public ::testing::Environment {
 public:
  static std::filesystem::path make() {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "vigil-plugin-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    std::filesystem::permissions(pattern, std::filesystem::perms(0755));
    created().emplace_back(pattern);
    return pattern;
  }
  void TearDown() override {
    std::error_code ec;
    for (const auto& dir : created())
      std::filesystem::remove_all(dir, ec);
  }

 private:
  static std::vector<std::filesystem::path>& created() {
    static std::vector<std::filesystem::path> dirs;
    return dirs;
  }
};

// A library to copy into a scratch directory: a fixture, a real plugin, or any file under
// another name ({source, "vigil_other.so"}).
struct PluginFile {
  std::filesystem::path source;
  std::string name;  // file name in the scratch directory; the source's when empty
};

inline PluginFile fixture(const std::string& name) {
  return {kFixtureDir / name, {}};
}
inline PluginFile real_plugin(const std::string& name) {
  return {kBuildPluginDir / name, {}};
}

inline std::filesystem::path copy_plugin(const PluginFile& plugin,
                                         const std::filesystem::path& dir) {
  const auto target = dir / (plugin.name.empty() ? plugin.source.filename().string() : plugin.name);
  std::filesystem::copy_file(plugin.source, target,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(target, std::filesystem::perms(0755));
  return target;
}

// A fresh 0755 directory holding 0755 copies of `plugins`.
inline std::filesystem::path plugin_dir(const std::vector<PluginFile>& plugins) {
  const auto dir = ScratchDirectories::make();
  for (const auto& p : plugins)
    copy_plugin(p, dir);
  return dir;
}

inline std::string all_problems(const core::PluginCatalog& catalog) {
  std::string text;
  for (const auto& p : catalog.problems())
    text += p.to_string() + "\n";
  return text;
}

}  // namespace vigil::test
