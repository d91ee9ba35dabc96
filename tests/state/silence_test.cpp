// Silences: Alertmanager's matcher semantics, their lifetime, and storage.
#include <gtest/gtest.h>

#include "core/state/records.hpp"
#include "core/state/state_database.hpp"
#include "tests/state/state_test_support.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using testing::TempStateDir;

const sdk::TimePoint kT0{std::chrono::seconds{1760801520}};

const sdk::Labels kAlert = {{"alertname", "api-down"},
                            {"check", "api"},
                            {"pipeline", "web"},
                            {"severity", "critical"},
                            {"team", "frontend"}};

bool matches(const std::string& text, const sdk::Labels& labels = kAlert) {
  return SilenceMatcher::parse(text).matches(labels);
}

TEST(SilenceMatcher, ParsesTheFourOperators) {
  auto eq = SilenceMatcher::parse("check=api");
  EXPECT_EQ(eq.name, "check");
  EXPECT_EQ(eq.value, "api");
  EXPECT_FALSE(eq.regex);
  EXPECT_FALSE(eq.negate);
  auto ne = SilenceMatcher::parse("team!=db");
  EXPECT_TRUE(ne.negate);
  EXPECT_FALSE(ne.regex);
  auto re = SilenceMatcher::parse("severity=~crit.*");
  EXPECT_TRUE(re.regex);
  EXPECT_FALSE(re.negate);
  EXPECT_EQ(re.value, "crit.*");
  auto nre = SilenceMatcher::parse("env!~prod|staging");
  EXPECT_TRUE(nre.regex && nre.negate);
  for (const char* text :
       {"check=api", "team!=db", "severity=~crit.*", "env!~prod|staging", "check=", "msg=a=b!=c"}) {
    EXPECT_EQ(SilenceMatcher::parse(text).to_string(), text);
  }
  EXPECT_EQ(SilenceMatcher::parse("msg=a=b!=c").value, "a=b!=c");
}

TEST(SilenceMatcher, RefusesMalformedMatchersWithAReason) {
  auto reason = [](const std::string& text) {
    try {
      SilenceMatcher::parse(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(reason("checkapi").find("no operator"), std::string::npos);
  EXPECT_NE(reason("=api").find("no label name"), std::string::npos);
  EXPECT_NE(reason("check!api").find("expected =, !=, =~ or !~"), std::string::npos);
  EXPECT_NE(reason("che ck=api").find("letters, digits and '_'"), std::string::npos);
  EXPECT_NE(reason("severity=~(crit").find("invalid regex"), std::string::npos);
}

TEST(SilenceMatcher, EqualityAndInequality) {
  EXPECT_TRUE(matches("check=api"));
  EXPECT_FALSE(matches("check=ap"));
  EXPECT_FALSE(matches("check=API"));
  EXPECT_TRUE(matches("team!=db"));
  EXPECT_FALSE(matches("team!=frontend"));
  // A missing label is the empty string, as in Alertmanager.
  EXPECT_TRUE(matches("owner!=bob"));
  EXPECT_FALSE(matches("owner=bob"));
  EXPECT_TRUE(matches("owner="));
  EXPECT_FALSE(matches("check="));
}

TEST(SilenceMatcher, RegexesAreAnchoredAtBothEnds) {
  EXPECT_TRUE(matches("severity=~crit.*"));
  EXPECT_TRUE(matches("severity=~critical|warning"));
  EXPECT_FALSE(matches("severity=~crit"));    // would match unanchored
  EXPECT_FALSE(matches("severity=~itical"));  // suffix only
  EXPECT_FALSE(matches("check=~a"));
  EXPECT_TRUE(matches("check=~a.i"));
  EXPECT_TRUE(matches("severity!~warn.*"));
  EXPECT_FALSE(matches("severity!~crit.*"));
  EXPECT_TRUE(matches("owner=~.*"));   // missing label: "" matches .*
  EXPECT_FALSE(matches("owner=~.+"));  // but not .+
}

TEST(Silence, AllMatchersMustMatch) {
  Silence s;
  s.matchers = {SilenceMatcher::parse("check=api"), SilenceMatcher::parse("severity=~crit.*"),
                SilenceMatcher::parse("team!=db")};
  EXPECT_TRUE(s.matches(kAlert));
  sdk::Labels db_team = kAlert;
  db_team["team"] = "db";
  EXPECT_FALSE(s.matches(db_team));
  sdk::Labels warning = kAlert;
  warning["severity"] = "warning";
  EXPECT_FALSE(s.matches(warning));
  sdk::Labels other_check = kAlert;
  other_check["check"] = "db";
  EXPECT_FALSE(s.matches(other_check));
  EXPECT_FALSE(Silence{}.matches(kAlert));  // no matchers: mutes nothing
}

TEST(Silence, ActiveFromStartUntilEndOrExpiry) {
  Silence s;
  s.starts_at = kT0;
  s.ends_at = kT0 + 1h;
  EXPECT_FALSE(s.active_at(kT0 - 1s));
  EXPECT_TRUE(s.active_at(kT0));
  EXPECT_TRUE(s.active_at(kT0 + 59min));
  EXPECT_FALSE(s.active_at(kT0 + 1h));
  s.expired_at = kT0 + 10min;
  EXPECT_TRUE(s.active_at(kT0 + 9min));
  EXPECT_FALSE(s.active_at(kT0 + 10min));
}

TEST(Silence, StoredSilencesRoundTripAndExpire) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  Silence s;
  s.matchers = {SilenceMatcher::parse("check=api"), SilenceMatcher::parse("env!~prod.*")};
  s.starts_at = kT0;
  s.ends_at = kT0 + 2h;
  s.comment = "deploy 42 noise";
  s.created_by = "alice";
  s.expire_on_resolve = true;
  s.deployment = "deploy-42";
  const auto id = db->add_silence(s);
  EXPECT_GT(id, 0);
  Silence later = s;
  later.starts_at = kT0 + 3h;
  later.ends_at = kT0 + 4h;
  later.expire_on_resolve = false;
  const auto later_id = db->add_silence(later);

  auto current = db->silences(false, kT0 + 1min);
  ASSERT_EQ(current.size(), 2u);  // a pending silence is not expired
  const Silence& back = current[0];
  EXPECT_EQ(back.id, id);
  ASSERT_EQ(back.matchers.size(), 2u);
  EXPECT_EQ(back.matchers[1].to_string(), "env!~prod.*");
  EXPECT_EQ(back.starts_at, kT0);
  EXPECT_EQ(back.ends_at, kT0 + 2h);
  EXPECT_EQ(back.comment, "deploy 42 noise");
  EXPECT_EQ(back.created_by, "alice");
  EXPECT_TRUE(back.expire_on_resolve);
  EXPECT_EQ(back.deployment, "deploy-42");
  EXPECT_FALSE(back.expired_at.has_value());

  EXPECT_TRUE(db->expire_silence(id, kT0 + 5min));
  EXPECT_FALSE(db->expire_silence(id, kT0 + 6min));  // already expired
  EXPECT_FALSE(db->expire_silence(9999, kT0));       // no such silence
  auto after = db->silences(false, kT0 + 6min);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, later_id);
  auto all = db->silences(true, kT0 + 6min);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].expired_at, kT0 + 5min);
  EXPECT_FALSE(all[0].active_at(kT0 + 6min));

  // Past its end a silence is no longer current, and cannot be expired again.
  EXPECT_TRUE(db->silences(false, kT0 + 5h).empty());
  EXPECT_FALSE(db->expire_silence(later_id, kT0 + 5h));
}

}  // namespace
}  // namespace vigil::core
