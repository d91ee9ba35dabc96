// `vigil silence` as a user runs it, against a database a "daemon" (this test) holds open.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "core/state/state_database.hpp"
#include "tests/cli/process_runner.hpp"
#include "tests/state/state_test_support.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using vigil::testing::run_process;
using vigil::testing::TempStateDir;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";

class SilenceCli : public ::testing::Test {
 protected:
  vigil::testing::ProcessOutput vigil(std::vector<std::string> args) {
    args.insert(args.begin(), kVigil);
    args.push_back("--state-dir");
    args.push_back(dir_.path().string());
    // A config in the environment or /etc must not decide where the test's state goes.
    return run_process(args, {"VIGIL_CONFIG="});
  }
  TempStateDir dir_;
};

TEST_F(SilenceCli, AddPrintsTheIdAndTheRunningDaemonSeesTheSilence) {
  auto daemon = StateDatabase::open(dir_.path());
  auto r = vigil({"silence", "add", "--match", "check=api-health", "--match", "severity=~crit.*",
                  "--for", "2h", "--comment", "deploy 42 restarts the API", "--by", "alice",
                  "--expire-on-resolve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto id = std::stoll(r.out);
  EXPECT_EQ(r.out, std::to_string(id) + "\n");

  auto silences = daemon->silences(false);
  ASSERT_EQ(silences.size(), 1u);
  const Silence& s = silences[0];
  EXPECT_EQ(s.id, id);
  ASSERT_EQ(s.matchers.size(), 2u);
  EXPECT_EQ(s.matchers[0].to_string(), "check=api-health");
  EXPECT_EQ(s.matchers[1].to_string(), "severity=~crit.*");
  EXPECT_EQ(s.comment, "deploy 42 restarts the API");
  EXPECT_EQ(s.created_by, "alice");
  EXPECT_TRUE(s.expire_on_resolve);
  const auto length = s.ends_at - s.starts_at;
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(length), 2h);
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(s.active_at(now));
  EXPECT_TRUE(s.matches({{"check", "api-health"}, {"severity", "critical"}}));
}

TEST_F(SilenceCli, UntilTakesIsoUtcAndListShowsTextAndJson) {
  auto r = vigil({"silence", "add", "--match", "check=db", "--match", "team!=dba", "--until",
                  "2099-11-29T18:00:00Z", "--comment", "migration", "--by", "bob"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string id = r.out.substr(0, r.out.size() - 1);

  auto text = vigil({"silence", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("ID"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("active"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("2099-11-29T18:00:00Z"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("check=db team!=dba  migration"), std::string::npos) << text.out;

  auto json = vigil({"silence", "list", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["id"].get<std::int64_t>(), std::stoll(id));
  EXPECT_EQ(doc[0]["state"], "active");
  EXPECT_EQ(doc[0]["ends_at"], "2099-11-29T18:00:00Z");
  EXPECT_EQ(doc[0]["matchers"], nlohmann::json::array({"check=db", "team!=dba"}));
  EXPECT_EQ(doc[0]["created_by"], "bob");
  EXPECT_EQ(doc[0]["expire_on_resolve"], false);
  EXPECT_TRUE(doc[0]["expired_at"].is_null());
}

TEST_F(SilenceCli, ExpireEndsASilenceAndListAllStillShowsIt) {
  auto added = vigil(
      {"silence", "add", "--match", "check=api", "--for", "1h", "--comment", "c", "--by", "b"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = added.out.substr(0, added.out.size() - 1);

  auto expired = vigil({"silence", "expire", id});
  EXPECT_EQ(expired.exit_code, 0) << expired.err;
  EXPECT_EQ(expired.out, "expired silence " + id + "\n");

  auto current = vigil({"silence", "list"});
  EXPECT_EQ(current.out, "no silences\n");
  auto all = vigil({"silence", "list", "--all", "--format", "json"});
  auto doc = nlohmann::json::parse(all.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["state"], "expired");
  EXPECT_TRUE(doc[0]["expired_at"].is_string());

  auto again = vigil({"silence", "expire", id});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "vigil silence expire: no active or pending silence with ID " + id + "\n");
}

TEST_F(SilenceCli, UsageErrorsAreOneLineWithExit64) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<std::string> ok_tail = {"--for", "1h", "--comment", "c", "--by", "b"};
  auto with_tail = [&](std::vector<std::string> head) {
    head.insert(head.end(), ok_tail.begin(), ok_tail.end());
    return head;
  };
  const std::vector<Case> cases = {
      {with_tail({"silence", "add", "--match", "checkapi"}), "has no operator"},
      {with_tail({"silence", "add", "--match", "severity=~(crit"}), "invalid regex"},
      {with_tail({"silence", "add"}), "at least one --match is required"},
      {with_tail({"silence", "add", "--match", "owner=~.*"}),
       "at least one matcher must not match the empty string"},
      {{"silence", "add", "--match", "check=api", "--for", "1h", "--by", "b"},
       "--comment is required"},
      {{"silence", "add", "--match", "check=api", "--for", "1h", "--comment", "c"},
       "--by is required"},
      {{"silence", "add", "--match", "check=api", "--until", "2020-01-01T00:00:00Z", "--comment",
        "c", "--by", "b"},
       "--until: 2020-01-01T00:00:00Z is in the past"},
      {{"silence", "add", "--match", "check=api", "--until", "tomorrow", "--comment", "c", "--by",
        "b"},
       "--until: expected ISO 8601 UTC"},
      {{"silence", "add", "--match", "check=api", "--until", "2099-02-30T00:00:00Z", "--comment",
        "c", "--by", "b"},
       "--until: expected ISO 8601 UTC"},
      {{"silence", "add", "--match", "check=api", "--comment", "c", "--by", "b"},
       "exactly one of --until TIME or --for DURATION"},
      {with_tail({"silence", "add", "--match", "check=api", "--until", "2099-01-01T00:00:00Z"}),
       "exactly one of --until TIME or --for DURATION"},
      {{"silence", "add", "--match", "check=api", "--for", "soon", "--comment", "c", "--by", "b"},
       "--for: expected a positive duration"},
      {{"silence", "expire", "abc"}, "ID must be a positive number"},
      {{"silence", "expire"}, "expire needs the silence ID"},
      {{"silence", "list", "--format", "xml"}, "--format: expected text or json"},
      {{"silence", "mute"}, "unknown subcommand 'mute'"},
  };
  for (const auto& c : cases) {
    auto r = vigil(c.args);
    std::string joined;
    for (const auto& a : c.args)
      joined += a + " ";
    EXPECT_EQ(r.exit_code, 64) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << joined << "\n" << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << joined << ": not one line:\n" << r.err;
    EXPECT_EQ(r.out, "") << joined;
  }
  // Nothing was stored by any of them.
  EXPECT_EQ(StateDatabase::open(dir_.path())->silences(true).size(), 0u);
}

TEST(SilenceCliConfig, TheStateDirComesFromTheConfigAndHelpIsThere) {
  TempStateDir dir;
  const auto config = dir.path() / "vigil.yaml";
  std::ofstream(config) << "vigil:\n  state_dir: ./state\n"
                           "pipelines:\n  - name: web\n    checks:\n"
                           "      - {name: api, plugin: noop}\n";
  auto r = run_process({kVigil, "silence", "add", "--config", config.string(), "--match",
                        "check=api", "--for", "30m", "--comment", "c", "--by", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto db = StateDatabase::open(dir.path() / "state");
  EXPECT_EQ(db->silences(false).size(), 1u);

  // A configuration that does not load cannot say where state is: exit 78, as validate does.
  const auto broken = dir.path() / "broken.yaml";
  std::ofstream(broken) << "vigil:\n  state_dir: ./state\npipelines: 3\n";
  auto bad = run_process({kVigil, "silence", "list", "--config", broken.string()});
  EXPECT_EQ(bad.exit_code, 78) << bad.err;
  EXPECT_EQ(bad.err.rfind("vigil silence: " + broken.string() + ":", 0), 0u) << bad.err;
  EXPECT_NE(bad.err.find("pass --state-dir"), std::string::npos) << bad.err;

  auto help = run_process({kVigil, "silence", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out.rfind("usage: vigil silence add", 0), 0u) << help.out;
  auto bare = run_process({kVigil, "silence"});
  EXPECT_EQ(bare.exit_code, 64);
}

}  // namespace
}  // namespace vigil::core
