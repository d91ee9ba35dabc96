#pragma once
#include <stdexcept>
#include <string>

namespace vigil::core {

// Anything that went wrong reading or writing durable state, as one line with its context:
// "state database /var/lib/vigil/vigil.db: database or disk is full (SQLITE_FULL) while
// recording result of api-health". Callers in the daemon catch it and log: a full disk degrades
// vigil's memory, never its watching.
class StateError : public std::runtime_error {
 public:
  explicit StateError(const std::string& message, int sqlite_code = 0)
      : std::runtime_error(message), sqlite_code_(sqlite_code) {}

  // The SQLite result code (extended), 0 when the error did not come from SQLite.
  int sqlite_code() const noexcept { return sqlite_code_; }

 private:
  int sqlite_code_;
};

}  // namespace vigil::core
