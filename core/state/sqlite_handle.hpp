#pragma once
// Thin RAII wrappers over the SQLite C API: a connection that closes itself and prepared
// statements that finalize themselves. Values only ever reach SQL through bind(), never through
// string concatenation.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/state/state_error.hpp"

namespace vigil::core::sqlite {

// "SQLITE_FULL" for a (possibly extended) result code.
std::string code_name(int rc);

class Connection;

class Statement {
 public:
  Statement(Connection& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in sqlite3_bind_*.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, std::int64_t{value ? 1 : 0}); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Rewinds for another run and clears the bindings.
  void reset();
  // Steps once: true when a row is available, false when done. Throws StateError.
  bool step();
  // Steps to completion, for statements that return no rows.
  void run();

  // Columns are 0-based.
  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::optional<std::int64_t> optional_int64(int col) const;
  std::optional<double> optional_real(int col) const;
  std::optional<std::string> optional_text(int col) const;

 private:
  Connection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  // Opens (creating) the database file. Throws StateError.
  explicit Connection(const std::filesystem::path& file);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const noexcept { return db_; }
  const std::filesystem::path& file() const noexcept { return file_; }

  // Runs statements that take no parameters and return nothing (DDL, BEGIN, COMMIT).
  void exec(std::string_view sql);
  // The first column of the first row of a parameterless query, as text.
  std::string query_text(std::string_view sql);
  std::int64_t last_insert_id() const noexcept;
  int changes() const noexcept;
  bool in_transaction() const noexcept;

  // Throws "state database FILE: MESSAGE (SQLITE_X)" plus the current context, if any.
  [[noreturn]] void fail(int rc) const;
  [[noreturn]] void fail(int rc, const std::string& message) const;

  // What the connection is doing, appended to error messages: "while recording result of
  // api-health". Set by ContextScope.
  std::string context;

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
};

// Sets Connection::context for the duration of one operation.
class ContextScope {
 public:
  ContextScope(Connection& db, std::string what) : db_(db), saved_(std::move(db.context)) {
    db_.context = std::move(what);
  }
  ~ContextScope() { db_.context = std::move(saved_); }
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  Connection& db_;
  std::string saved_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed uncommitted. IMMEDIATE takes the write
// lock up front, so a writer in another process makes us wait in the busy handler instead of
// failing later with SQLITE_BUSY when a read transaction tries to upgrade.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& db);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
};

}  // namespace vigil::core::sqlite
