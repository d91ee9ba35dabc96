#pragma once
// A private state directory per test, and raw SQLite access for what the StateDatabase API
// deliberately does not expose (journal mode, user_version, integrity_check).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/model/check_result.hpp"

namespace vigil::testing {

class TempStateDir {
 public:
  TempStateDir() {
    std::string templ = ::testing::TempDir() + "vigil-state-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempStateDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempStateDir(const TempStateDir&) = delete;
  TempStateDir& operator=(const TempStateDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The first column of the first row, as text, from a fresh connection.
inline std::string raw_query(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + db_file.string());
  }
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(st, 0);
    out = text == nullptr ? "" : reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

inline core::CheckResult sample_result(const std::string& check, sdk::TimePoint started,
                                       sdk::Status status = sdk::Status::Ok) {
  core::CheckResult r;
  r.check = check;
  r.plugin = "http_probe";
  r.pipeline = "web";
  r.status = status;
  r.plugin_status = status;
  r.summary = check + " answered";
  r.started = started;
  r.duration = std::chrono::milliseconds(12);
  return r;
}

}  // namespace vigil::testing
