#include "core/plugin/library_screen.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/plugin/plugin_test_support.hpp"

namespace vigil::test {
namespace {

using ::testing::Contains;
using ::testing::Not;

TEST(ExportedDynamicSymbols, ListsAPluginsEntryPoints) {
  const auto symbols = core::exported_dynamic_symbols(kBuildPluginDir / "vigil_noop.so");
  EXPECT_THAT(symbols, Contains("vigil_plugin_manifest_v1"));
  EXPECT_THAT(symbols, Contains("vigil_plugin_init_v1"));
}

TEST(ExportedDynamicSymbols, LeavesOutSymbolsTheLibraryOnlyUses) {
  const auto symbols = core::exported_dynamic_symbols(kFixtureDir / "vigil_unresolved_symbol.so");
  EXPECT_THAT(symbols, Contains("vigil_plugin_init_v1"));
  EXPECT_THAT(symbols, Not(Contains("vigil_fixture_function_nobody_defines")));
}

TEST(ExportedDynamicSymbols, ListsAPlainLibrarysExports) {
  const auto symbols = core::exported_dynamic_symbols(kFixtureDir / "vigil_not_a_plugin.so");
  EXPECT_THAT(symbols, Contains("vigil_not_a_plugin_answer"));
  EXPECT_THAT(symbols, Not(Contains("vigil_plugin_manifest_v1")));
}

TEST(ExportedDynamicSymbols, RefusesAFileThatIsNotElf) {
  const auto dir = ScratchDirectories::make();
  std::ofstream(dir / "text.so") << "hello, I am not a library\n";
  EXPECT_THROW(core::exported_dynamic_symbols(dir / "text.so"), std::runtime_error);
  EXPECT_THROW(core::exported_dynamic_symbols(dir / "absent.so"), std::runtime_error);
}

TEST(ScreenPluginLibrary, AcceptsAPluginAndRefusesAPlainLibrary) {
  EXPECT_EQ(core::screen_plugin_library(kBuildPluginDir / "vigil_noop.so"), std::nullopt);
  EXPECT_NE(core::screen_plugin_library(kFixtureDir / "vigil_not_a_plugin.so"), std::nullopt);
}

}  // namespace
}  // namespace vigil::test
