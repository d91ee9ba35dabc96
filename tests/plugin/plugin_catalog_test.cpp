#include "core/plugin/plugin_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "tests/plugin/plugin_test_support.hpp"
#include "vigil/sdk/option_text.hpp"
#include "vigil/sdk/testing.hpp"

namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const auto* const kScratchEnvironment = ::testing::AddGlobalTestEnvironment(new ScratchDirectories);

using RawOptions = std::vector<std::pair<std::string, std::string>>;

// Resolves text options against the type's schema and creates an instance, as `vigil check`
// does; throws (failing the test with the catalog's problems) when the type is unknown.
sdk::Created<sdk::CheckRunner> create_check(const core::PluginCatalog& catalog,
                                            const std::string& type, const RawOptions& raw = {}) {
  const sdk::CheckFactory* factory = catalog.find_check(type);
  if (factory == nullptr) {
    throw std::runtime_error("no check type '" + type + "'; problems:\n" + all_problems(catalog));
  }
  std::vector<sdk::TextOptionError> errors;
  const sdk::Options options = sdk::resolve_text_options(factory->info().options, raw, errors);
  if (!errors.empty())
    throw std::runtime_error(errors.front().message);
  return factory->create(options);
}

// "ABI 1 (vigil-sdk 1.0.0, gcc 12, cxx11-abi=1)": how mismatch messages describe this host.
std::string host_requirement() {
  return "this vigil requires ABI " + std::to_string(VIGIL_PLUGIN_ABI) + " (vigil-sdk " +
         VIGIL_SDK_VERSION_STRING + ", " + VIGIL_SDK_COMPILER_ID + " " +
         std::to_string(VIGIL_SDK_COMPILER_MAJOR) +
         ", cxx11-abi=" + std::to_string(VIGIL_SDK_CXX11_ABI) + ")";
}

std::string host_compiler() {
  return std::string(VIGIL_SDK_COMPILER_ID) + " " + std::to_string(VIGIL_SDK_COMPILER_MAJOR);
}

std::set<std::string> problem_files(const core::PluginCatalog& catalog) {
  std::set<std::string> files;
  for (const auto& p : catalog.problems())
    files.insert(p.file.filename().string());
  return files;
}

// --- loading a good plugin ------------------------------------------------------------------

TEST(PluginCatalogLoad, LoadsNoopAndRunsItsCheck) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);

  auto created = create_check(catalog, "noop", {{"status", "WARNING"}, {"value", "42"}});
  ASSERT_TRUE(created.instance) << created.error;
  sdk::testing::FakeContext ctx;
  const sdk::Result result = created.instance->run(ctx);
  EXPECT_EQ(result.status(), sdk::Status::Warning);
  EXPECT_EQ(result.summary(), "noop");
  ASSERT_EQ(result.metrics().size(), 1u);
  EXPECT_EQ(result.metrics()[0].name, "value");
  EXPECT_EQ(result.metrics()[0].value, 42);
}

TEST(PluginCatalogLoad, RecordsWhatTheManifestSays) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  core::PluginCatalog catalog;
  ASSERT_TRUE(catalog.load_file(dir / "vigil_noop.so")) << all_problems(catalog);

  ASSERT_EQ(catalog.plugins().size(), 1u);
  const core::PluginInfo& info = catalog.plugins().front();
  EXPECT_EQ(info.file, dir / "vigil_noop.so");
  EXPECT_EQ(info.name, "noop");
  EXPECT_EQ(info.version, VIGIL_SDK_VERSION_STRING);
  EXPECT_EQ(info.sdk_version, VIGIL_SDK_VERSION_STRING);
  EXPECT_THAT(info.description, HasSubstr("Does nothing"));
  EXPECT_THAT(info.compiler, StartsWith(host_compiler() + " ("));
  EXPECT_THAT(info.checks, ElementsAre("noop"));
  EXPECT_THAT(info.actions, IsEmpty());
  EXPECT_EQ(catalog.plugin_of("noop"), &info);
  ASSERT_NE(catalog.find_type("noop"), nullptr);
  EXPECT_EQ(catalog.find_type("noop")->kind, sdk::PluginKind::Check);
  EXPECT_EQ(catalog.find_action("noop"), nullptr);
}

TEST(PluginCatalogLoad, LoadsTheBuildTreePluginDirectory) {
  // What a vigil binary in the build tree loads. Its modes come from the build's umask, which
  // the trust check rightly refuses when it lets others write.
  struct stat st {};
  ASSERT_EQ(::stat(kBuildPluginDir.c_str(), &st), 0);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    GTEST_SKIP() << kBuildPluginDir << " is group- or world-writable (umask), so it is refused";
  }
  core::PluginCatalog catalog;
  catalog.load_directory(kBuildPluginDir);
  ASSERT_NE(catalog.find_check("noop"), nullptr) << all_problems(catalog);
  EXPECT_EQ(catalog.plugin_of("noop")->file, kBuildPluginDir / "vigil_noop.so");
}

TEST(PluginCatalogLoad, ScansOnlyVigilSharedObjectsInNameOrder) {
  const auto dir = plugin_dir({fixture("vigil_test_action.so"), real_plugin("vigil_noop.so"),
                               fixture("vigil_run_throws.so")});
  copy_plugin({kFixtureDir / "vigil_run_throws.so", "libvigil_ignored.so"}, dir);
  copy_plugin({kFixtureDir / "vigil_run_throws.so", "vigil_ignored.so.1"}, dir);
  std::ofstream(dir / "README") << "not a plugin, and not named like one\n";

  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  EXPECT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);
  std::vector<std::string> names;
  for (const auto& p : catalog.plugins())
    names.push_back(p.file.filename().string());
  EXPECT_THAT(names, ElementsAre("vigil_noop.so", "vigil_run_throws.so", "vigil_test_action.so"));
}

TEST(PluginCatalogLoad, SameLibraryTwiceLoadsOnce) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  fs::create_symlink(dir / "vigil_noop.so", dir / "vigil_noop_alias.so");
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_file(dir / "vigil_noop.so"));
  EXPECT_TRUE(catalog.load_file(dir / "vigil_noop.so"));
  catalog.load_directory(dir);  // meets it again, under its own name and through the symlink
  EXPECT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);
  EXPECT_EQ(catalog.plugins().size(), 1u);
}

TEST(PluginCatalogLoad, FindsActions) {
  const auto dir = plugin_dir({fixture("vigil_test_action.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  const sdk::ActionFactory* factory = catalog.find_action("test_action");
  ASSERT_NE(factory, nullptr) << all_problems(catalog);
  EXPECT_EQ(catalog.find_check("test_action"), nullptr);
  EXPECT_EQ(catalog.find_type("test_action")->kind, sdk::PluginKind::Action);
  EXPECT_THAT(catalog.plugin_of("test_action")->actions, ElementsAre("test_action"));

  auto created = factory->create(sdk::Options{});
  ASSERT_TRUE(created.instance) << created.error;
  sdk::Event event;
  event.summary = "disk full";
  sdk::testing::FakeContext ctx;
  const sdk::ActionOutcome outcome = created.instance->execute(event, ctx);
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.message, "test_action: disk full");
}

TEST(PluginCatalogLoad, UnknownTypeIsNotFound) {
  core::PluginCatalog catalog;
  EXPECT_EQ(catalog.find_check("nope"), nullptr);
  EXPECT_EQ(catalog.find_action("nope"), nullptr);
  EXPECT_EQ(catalog.find_type("nope"), nullptr);
  EXPECT_EQ(catalog.plugin_of("nope"), nullptr);
}

// --- a loaded plugin that misbehaves when used -----------------------------------------------

TEST(PluginCatalogPluginFailures, ThrowingConstructorBecomesACreateError) {
  const auto dir = plugin_dir({fixture("vigil_factory_throws.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  auto created = create_check(catalog, "factory_throws");
  EXPECT_FALSE(created.instance);
  EXPECT_EQ(created.error,
            "constructor failed: factory_throws fixture: constructor failed on purpose");
}

TEST(PluginCatalogPluginFailures, ThrowingRunBecomesUnknown) {
  const auto dir = plugin_dir({fixture("vigil_run_throws.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  auto created = create_check(catalog, "run_throws");
  ASSERT_TRUE(created.instance) << created.error;
  sdk::testing::FakeContext ctx;
  const sdk::Result result = created.instance->run(ctx);
  EXPECT_EQ(result.status(), sdk::Status::Unknown);
  EXPECT_EQ(result.summary(),
            "check failed with an exception: run_throws fixture: run() failed on purpose");
}

TEST(PluginCatalogPluginFailures, HangsReturnsWhenStopIsRequested) {
  const auto dir = plugin_dir({fixture("vigil_hangs.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  auto created = create_check(catalog, "hangs");
  ASSERT_TRUE(created.instance) << created.error;
  sdk::testing::FakeContext ctx;
  ctx.request_stop();
  const auto started = std::chrono::steady_clock::now();
  const sdk::Result result = created.instance->run(ctx);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(result.status(), sdk::Status::Unknown);
  EXPECT_EQ(result.summary(), "hangs: stopped on request");

  auto bounded = create_check(catalog, "hangs", {{"duration", "20ms"}, {"ignore_stop", "true"}});
  ASSERT_TRUE(bounded.instance) << bounded.error;
  EXPECT_EQ(bounded.instance->run(ctx).summary(), "hangs: returned after 20ms");
}

// --- screening: files that are not plugins are never loaded ------------------------------------

TEST(PluginCatalogScreen, NotAPluginIsSkippedBeforeAnyOfItsCodeRuns) {
  const auto dir = plugin_dir({fixture("vigil_not_a_plugin.so")});
  const auto marker = ScratchDirectories::make() / "constructor-ran";
  ::setenv("VIGIL_TEST_CONSTRUCTOR_MARKER", marker.c_str(), 1);

  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_not_a_plugin.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_not_a_plugin.so").string() +
                " exports no vigil_plugin_manifest_v1, so it is not a vigil plugin: skipped "
                "without loading it; remove it from the plugin directory, or declare the plugin "
                "with VIGIL_PLUGIN(...)");
  EXPECT_FALSE(fs::exists(marker)) << "the library's static constructor ran";

  // The fixture does write the marker when it is loaded, so its absence above means something.
  {
    boost::dll::shared_library loaded(fs::path(dir / "vigil_not_a_plugin.so"));
    EXPECT_TRUE(fs::exists(marker));
  }
  ::unsetenv("VIGIL_TEST_CONSTRUCTOR_MARKER");
}

TEST(PluginCatalogScreen, GarbageFileIsSkipped) {
  const auto dir = ScratchDirectories::make();
  std::ofstream(dir / "vigil_garbage.so") << std::string(4096, 'x');
  fs::permissions(dir / "vigil_garbage.so", fs::perms(0644));
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_garbage.so").string() +
                " is not a shared library (not an ELF file): skipped without loading it; remove "
                "it from the plugin directory");
}

TEST(PluginCatalogScreen, EmptyFileIsSkipped) {
  const auto dir = ScratchDirectories::make();
  std::ofstream(dir / "vigil_empty.so").flush();
  fs::permissions(dir / "vigil_empty.so", fs::perms(0644));
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_empty.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_THAT(catalog.problems()[0].message, StartsWith("is not a shared library (not an ELF"));
}

TEST(PluginCatalogScreen, TruncatedElfIsSkipped) {
  const auto dir = ScratchDirectories::make();
  {
    std::ifstream in(kBuildPluginDir / "vigil_noop.so", std::ios::binary);
    std::string head(200, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::ofstream(dir / "vigil_truncated.so", std::ios::binary) << head;
  }
  fs::permissions(dir / "vigil_truncated.so", fs::perms(0644));
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_truncated.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].message,
            "is a truncated or malformed ELF file: skipped without loading it; remove it from "
            "the plugin directory or rebuild it");
}

TEST(PluginCatalogScreen, StrippedPluginStillLoads) {
  // Packaging strips libraries; Boost 1.74's library_info then sees no symbols at all.
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  const std::string command =
      std::string(VIGIL_STRIP_PROGRAM) + " --strip-unneeded " + (dir / "vigil_noop.so").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_file(dir / "vigil_noop.so")) << all_problems(catalog);
  EXPECT_NE(catalog.find_check("noop"), nullptr);
}

TEST(PluginCatalogScreen, MissingFileIsAProblem) {
  const auto dir = ScratchDirectories::make();
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_absent.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_absent.so").string() + " does not exist: check the path");
}

TEST(PluginCatalogScreen, MissingDirectoryIsAProblem) {
  const auto dir = ScratchDirectories::make() / "absent";
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            dir.string() +
                " does not exist: create it, or remove it from the plugin search path "
                "(--plugin-dir, VIGIL_PLUGIN_PATH, plugin_dirs)");
}

TEST(PluginCatalogScreen, FileGivenAsADirectoryIsAProblem) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir / "vigil_noop.so");
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_THAT(catalog.problems()[0].message, StartsWith("is not a directory"));
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

// --- loading ---------------------------------------------------------------------------------

TEST(PluginCatalogLoadFailure, UnresolvedSymbolFailsAtLoadWithTheLoadersMessage) {
  const auto dir = plugin_dir({fixture("vigil_unresolved_symbol.so")});
  const auto file = dir / "vigil_unresolved_symbol.so";
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(file));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            file.string() +
                " could not be loaded: undefined symbol: vigil_fixture_function_nobody_defines; "
                "install what it needs or rebuild it for this system (`ldd -r " +
                file.string() + "` lists what is missing)");
  EXPECT_EQ(catalog.find_check("unresolved_symbol"), nullptr);
}

// --- the manifest ----------------------------------------------------------------------------

TEST(PluginCatalogManifest, RefusesAnotherPluginAbi) {
  const auto dir = plugin_dir({fixture("vigil_abi_mismatch.so")});
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_abi_mismatch.so"));
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_abi_mismatch.so").string() +
                " was built for plugin ABI 999 (vigil-sdk 9.0.0, " + host_compiler() +
                ", cxx11-abi=" + std::to_string(VIGIL_SDK_CXX11_ABI) + "); " + host_requirement() +
                ": rebuild it against vigil_sdk " + std::to_string(VIGIL_SDK_VERSION_MAJOR) + ".x");
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

TEST(PluginCatalogManifest, RefusesTheOtherCxx11Abi) {
  const auto dir = plugin_dir({fixture("vigil_cxx11_abi_mismatch.so")});
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_cxx11_abi_mismatch.so"));
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  const int other = VIGIL_SDK_CXX11_ABI == 1 ? 0 : 1;
  EXPECT_EQ(catalog.problems()[0].message,
            "was built for plugin ABI " + std::to_string(VIGIL_PLUGIN_ABI) + " (vigil-sdk " +
                VIGIL_SDK_VERSION_STRING + ", " + host_compiler() +
                ", cxx11-abi=" + std::to_string(other) + "); " + host_requirement() +
                ": rebuild it against vigil_sdk " + std::to_string(VIGIL_SDK_VERSION_MAJOR) +
                ".x with _GLIBCXX_USE_CXX11_ABI=" + std::to_string(VIGIL_SDK_CXX11_ABI));
}

TEST(PluginCatalogManifest, RefusesAnotherCompiler) {
  const auto dir = plugin_dir({fixture("vigil_compiler_mismatch.so")});
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_compiler_mismatch.so"));
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  EXPECT_EQ(catalog.problems()[0].message,
            "was built for plugin ABI " + std::to_string(VIGIL_PLUGIN_ABI) + " (vigil-sdk " +
                VIGIL_SDK_VERSION_STRING +
                ", clang 99, cxx11-abi=" + std::to_string(VIGIL_SDK_CXX11_ABI) + "); " +
                host_requirement() + ": rebuild it against vigil_sdk " +
                std::to_string(VIGIL_SDK_VERSION_MAJOR) + ".x with " + host_compiler());
}

TEST(PluginCatalogManifest, RefusesATooSmallManifest) {
  const auto dir = plugin_dir({fixture("vigil_small_manifest.so")});
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_small_manifest.so"));
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  EXPECT_EQ(catalog.problems()[0].message,
            "has a plugin manifest of 8 bytes, not the " +
                std::to_string(sizeof(vigil_plugin_manifest)) + " of ABI " +
                std::to_string(VIGIL_PLUGIN_ABI) + "; " + host_requirement() +
                ": rebuild it against vigil_sdk " + std::to_string(VIGIL_SDK_VERSION_MAJOR) + ".x");
}

// --- init and registration -------------------------------------------------------------------

TEST(PluginCatalogInit, InitFailureCarriesThePluginsMessage) {
  const auto dir = plugin_dir({fixture("vigil_init_throws.so")});
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_init_throws.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_init_throws.so").string() +
                " failed to initialise: init_throws fixture: registration failed on purpose; "
                "none of its types are used: fix the plugin or remove it from the plugin "
                "directory");
  EXPECT_EQ(catalog.find_type("init_throws"), nullptr);
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

TEST(PluginCatalogInit, FailedInitKeepsNothingItRegistered) {
  const auto dir = plugin_dir({fixture("vigil_init_fails_late.so")});
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_init_fails_late.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_THAT(catalog.problems()[0].message,
              StartsWith("failed to initialise: init_fails_late fixture: failed after "
                         "registering; "));
  EXPECT_EQ(catalog.find_type("init_fails_late"), nullptr);
}

TEST(PluginCatalogInit, TypeRegisteredByTwoPluginsNamesBothFilesAndTheFirstWins) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so"), fixture("vigil_duplicate_type.so")});
  core::PluginCatalog catalog;
  ASSERT_TRUE(catalog.load_file(dir / "vigil_noop.so"));
  EXPECT_TRUE(catalog.load_file(dir / "vigil_duplicate_type.so"));  // the plugin itself loads

  const std::string expected = (dir / "vigil_duplicate_type.so").string() +
                               " registers check type 'noop', which " +
                               (dir / "vigil_noop.so").string() +
                               " already registers; the first is used: remove one of the two "
                               "plugins from the plugin search path";
  std::vector<std::string> lines;
  for (const auto& p : catalog.problems())
    lines.push_back(p.to_string());
  EXPECT_THAT(lines, ::testing::Contains(expected));
  EXPECT_EQ(catalog.plugin_of("noop")->name, "noop");
  EXPECT_THAT(catalog.plugin_of("duplicate_type")->checks,
              ElementsAre("duplicate_type", "duplicate_twice"));

  auto created = create_check(catalog, "noop");
  ASSERT_TRUE(created.instance);
  sdk::testing::FakeContext ctx;
  EXPECT_EQ(created.instance->run(ctx).status(), sdk::Status::Ok);  // noop's, not the impostor's
}

TEST(PluginCatalogInit, TypeRegisteredTwiceByOnePlugin) {
  const auto dir = plugin_dir({fixture("vigil_duplicate_type.so")});
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_file(dir / "vigil_duplicate_type.so"));
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_duplicate_type.so").string() +
                " registers check type 'duplicate_twice' twice; the first registration is used: "
                "fix the plugin");
  EXPECT_EQ(catalog.find_type("duplicate_twice")->description, "Registered twice by this plugin");
}

// --- one bad plugin does not stop the others ---------------------------------------------------

TEST(PluginCatalogResilience, BrokenPluginsDoNotStopTheOthers) {
  std::vector<PluginFile> files = {real_plugin("vigil_noop.so")};
  for (const auto& entry : fs::directory_iterator(kFixtureDir)) {
    files.push_back({entry.path(), {}});
  }
  const auto dir = plugin_dir(files);
  std::ofstream(dir / "vigil_garbage.so") << "not a library";
  fs::permissions(dir / "vigil_garbage.so", fs::perms(0644));

  core::PluginCatalog catalog;
  catalog.load_directory(dir);

  for (const char* type : {"noop", "run_throws", "factory_throws", "hangs", "duplicate_type",
                           "duplicate_twice", "test_action", "crashes"}) {
    EXPECT_NE(catalog.find_type(type), nullptr) << type << "\n" << all_problems(catalog);
  }
  // vigil_duplicate_type.so sorts before vigil_noop.so, so it registers `noop` first and keeps
  // it: the problem is reported against noop's file.
  EXPECT_EQ(catalog.plugin_of("noop")->name, "duplicate_type");
  EXPECT_THAT(problem_files(catalog),
              ::testing::UnorderedElementsAre(
                  "vigil_abi_mismatch.so", "vigil_compiler_mismatch.so",
                  "vigil_cxx11_abi_mismatch.so", "vigil_duplicate_type.so", "vigil_garbage.so",
                  "vigil_init_fails_late.so", "vigil_init_throws.so", "vigil_noop.so",
                  "vigil_not_a_plugin.so", "vigil_small_manifest.so", "vigil_unresolved_symbol.so"))
      << all_problems(catalog);
  EXPECT_EQ(catalog.plugins().size(), 7u) << all_problems(catalog);
}

// --- trust -----------------------------------------------------------------------------------

TEST(PluginCatalogTrust, RefusesAGroupWritablePlugin) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  const auto file = dir / "vigil_noop.so";
  fs::permissions(file, fs::perms(0664));
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(file));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            file.string() +
                " is writable by group (mode 0664); loading it would run code others can "
                "change: chmod go-w it");
  EXPECT_EQ(catalog.find_check("noop"), nullptr);
}

TEST(PluginCatalogTrust, RefusesAWorldWritablePlugin) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  fs::permissions(dir / "vigil_noop.so", fs::perms(0757));
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].message,
            "is writable by others (mode 0757); loading it would run code others can change: "
            "chmod go-w it");
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

TEST(PluginCatalogTrust, RefusesAPluginInAGroupWritableDirectory) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  fs::permissions(dir, fs::perms(0775));
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_noop.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_noop.so").string() + " is in " + dir.string() +
                ", which is writable by group (mode 0775); loading it would run code others can "
                "change: chmod go-w " +
                dir.string());
}

TEST(PluginCatalogTrust, RefusesToScanAWorldWritableDirectory) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so"), fixture("vigil_run_throws.so")});
  fs::permissions(dir, fs::perms(01777));  // sticky like /tmp: still not a place for code
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            dir.string() +
                " is writable by group and others (mode 1777); loading plugins from it would run "
                "code others can change: chmod go-w it");
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

TEST(PluginCatalogTrust, RefusesAPluginOwnedByAnotherUser) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "giving a file to another user needs root";
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  const auto file = dir / "vigil_noop.so";
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(file));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_THAT(catalog.problems()[0].to_string(),
              ::testing::MatchesRegex(file.string() +
                                      " is owned by uid 65534( \\([^)]+\\))?, not root; loading "
                                      "it would run code uid 65534.* can change: chown root it"));
}

TEST(PluginCatalogTrust, RefusesADirectoryOwnedByAnotherUser) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "giving a directory to another user needs root";
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_THAT(catalog.problems()[0].message, StartsWith("is owned by uid 65534"));
  EXPECT_THAT(catalog.problems()[0].message, HasSubstr("loading plugins from it"));
  EXPECT_FALSE(catalog.load_file(dir / "vigil_noop.so"));
  EXPECT_THAT(catalog.problems().back().message,
              StartsWith("is in " + dir.string() + ", which is owned by uid 65534"));
}

TEST(PluginCatalogTrust, FollowsASymlinkToATrustedPlugin) {
  const auto real = plugin_dir({real_plugin("vigil_noop.so")});
  const auto dir = ScratchDirectories::make();
  fs::create_symlink(real / "vigil_noop.so", dir / "vigil_noop.so");
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  EXPECT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);
  EXPECT_NE(catalog.find_check("noop"), nullptr);
  EXPECT_EQ(catalog.plugin_of("noop")->file, dir / "vigil_noop.so");
}

TEST(PluginCatalogTrust, RefusesASymlinkIntoAWritableDirectory) {
  const auto elsewhere = plugin_dir({real_plugin("vigil_noop.so")});
  fs::permissions(elsewhere, fs::perms(0777));
  const auto dir = ScratchDirectories::make();
  fs::create_symlink(elsewhere / "vigil_noop.so", dir / "vigil_noop.so");
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].to_string(),
            (dir / "vigil_noop.so").string() + " resolves to " +
                (elsewhere / "vigil_noop.so").string() + " in " + elsewhere.string() +
                ", which is writable by group and others (mode 0777); loading it would run code "
                "others can change: chmod go-w " +
                elsewhere.string());
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

TEST(PluginCatalogTrust, RefusesASymlinkToAWritableFile) {
  const auto elsewhere = plugin_dir({real_plugin("vigil_noop.so")});
  fs::permissions(elsewhere / "vigil_noop.so", fs::perms(0666));
  const auto dir = ScratchDirectories::make();
  fs::create_symlink(elsewhere / "vigil_noop.so", dir / "vigil_noop.so");
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_file(dir / "vigil_noop.so"));
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].message,
            "resolves to " + (elsewhere / "vigil_noop.so").string() +
                ", which is writable by group and others (mode 0666); loading it would run code "
                "others can change: chmod go-w " +
                (elsewhere / "vigil_noop.so").string());
}

TEST(PluginCatalogTrust, DanglingSymlinkIsAProblem) {
  const auto dir = ScratchDirectories::make();
  fs::create_symlink(dir / "gone.so", dir / "vigil_gone.so");
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  ASSERT_EQ(catalog.problems().size(), 1u);
  EXPECT_EQ(catalog.problems()[0].message, "is a symlink to " + (dir / "gone.so").string() +
                                               ", which does not exist: fix or remove the link");
}

// --- `vigil check TYPE` loads one plugin --------------------------------------------------------

TEST(PluginCatalogLoadForType, LoadsOnlyThePluginNamedForTheType) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so"), fixture("vigil_run_throws.so"),
                               fixture("vigil_abi_mismatch.so")});
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_for_type({dir}, "noop"));
  ASSERT_EQ(catalog.plugins().size(), 1u);
  EXPECT_EQ(catalog.plugins()[0].name, "noop");
  EXPECT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);
}

TEST(PluginCatalogLoadForType, UsesTheFirstDirectoryThatHasTheFile) {
  const auto empty = ScratchDirectories::make();
  const auto first = plugin_dir({real_plugin("vigil_noop.so")});
  const auto second = plugin_dir({real_plugin("vigil_noop.so")});
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_for_type({empty / "absent", empty, first, second}, "noop"));
  ASSERT_EQ(catalog.plugins().size(), 1u);
  EXPECT_EQ(catalog.plugins()[0].file, first / "vigil_noop.so");
  EXPECT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);
}

TEST(PluginCatalogLoadForType, FallsBackWhenTheFileDoesNotRegisterTheType) {
  // vigil_hangs.so here is really noop; the real hangs plugin is under another name.
  const auto dir = plugin_dir({{kBuildPluginDir / "vigil_noop.so", "vigil_hangs.so"},
                               {kFixtureDir / "vigil_hangs.so", "vigil_zz_blocking.so"}});
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_for_type({dir}, "hangs"));
  EXPECT_EQ(catalog.plugin_of("hangs")->file, dir / "vigil_zz_blocking.so");
  EXPECT_EQ(catalog.plugins().size(), 2u);
  EXPECT_THAT(catalog.problems(), IsEmpty()) << all_problems(catalog);
}

TEST(PluginCatalogLoadForType, FallsBackWhenNoFileIsNamedForTheType) {
  const auto dir = plugin_dir({{kFixtureDir / "vigil_run_throws.so", "vigil_misc.so"}});
  core::PluginCatalog catalog;
  EXPECT_TRUE(catalog.load_for_type({dir}, "run_throws"));
  EXPECT_FALSE(catalog.load_for_type({dir}, "nothing_provides_this"));
  EXPECT_EQ(catalog.plugins().size(), 1u);
}

TEST(PluginCatalogLoadForType, ReportsAnUnusableFirstChoiceOnce) {
  const auto dir = plugin_dir({real_plugin("vigil_noop.so")});
  fs::permissions(dir / "vigil_noop.so", fs::perms(0666));
  core::PluginCatalog catalog;
  EXPECT_FALSE(catalog.load_for_type({dir}, "noop"));  // the fallback scan does not retry it
  ASSERT_EQ(catalog.problems().size(), 1u) << all_problems(catalog);
  EXPECT_THAT(catalog.problems()[0].message, StartsWith("is writable by group and others"));
}

TEST(PluginCatalogLoadForType, TypeWithAPathIsNotUsedAsAFileName) {
  // dir/vigil_x/../../<outside>/vigil_noop.so would reach the plugin outside the search path.
  const auto outside = plugin_dir({real_plugin("vigil_noop.so")});
  const auto dir = ScratchDirectories::make();
  fs::create_directory(dir / "vigil_x");
  core::PluginCatalog catalog;
  const std::string sneaky = "x/../../" + outside.filename().string() + "/vigil_noop";
  EXPECT_FALSE(catalog.load_for_type({dir}, sneaky));
  EXPECT_THAT(catalog.plugins(), IsEmpty());
}

// --- reporting -------------------------------------------------------------------------------

TEST(PluginProblem, ToStringLeadsWithTheFileOnOneLine) {
  const core::PluginProblem problem{"/x/vigil_foo.so", "does not exist: check the path"};
  EXPECT_EQ(problem.to_string(), "/x/vigil_foo.so does not exist: check the path");
}

TEST(PluginProblem, PluginTextIsKeptOnOneLine) {
  const auto dir = plugin_dir({fixture("vigil_init_throws.so")});
  core::PluginCatalog catalog;
  catalog.load_directory(dir);
  for (const auto& p : catalog.problems()) {
    EXPECT_EQ(p.to_string().find('\n'), std::string::npos);
  }
}

TEST(HostBuildDescription, NamesAbiSdkCompilerAndStringAbi) {
  EXPECT_EQ(core::host_build_description(),
            "plugin ABI " + std::to_string(VIGIL_PLUGIN_ABI) + ", vigil-sdk " +
                VIGIL_SDK_VERSION_STRING + ", " + host_compiler() + " (" + __VERSION__ +
                "), cxx11-abi=" + std::to_string(VIGIL_SDK_CXX11_ABI));
}

}  // namespace
}  // namespace vigil::test
