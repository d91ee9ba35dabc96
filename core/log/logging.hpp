#pragma once
// Process-wide logging: the seed protocol's line format on stderr
// ("2025-10-18T15:32:01Z [INFO] ✓ Prometheus is running"), an optional rotating file, and
// redaction of every secret value the config substituted from the environment, applied to each
// line before any sink sees it.
//
// Under systemd, when stderr is the journal stream, stderr lines drop the timestamp and start
// with their syslog priority ("<4>[WARNING] ..."), so journald stamps them once and files them
// at the right level; a log file keeps the seed format.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/sdk/context.hpp"

namespace vigil::core {

struct LogSettings {
  std::string level = "info";
  std::optional<std::filesystem::path> file;
  std::uint64_t max_size = 10 * 1024 * 1024;
  int max_files = 5;
  bool to_stderr = true;
};

// "trace", "debug", "info", "warning" (or "warn"), "error", "off"; nullopt otherwise.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// True when stderr is the stream systemd connected to the journal: $JOURNAL_STREAM names
// stderr's "device:inode" (systemd.exec(5)). A child whose stderr was redirected inherits the
// variable but not the match, so it keeps the seed format.
bool stderr_is_journal();

// Replaces the "vigil" logger's sinks. Throws std::runtime_error naming the file when a log
// file cannot be opened.
void configure_logging(const LogSettings& settings);

// Values that must never reach a log line (secrets from ${VAR}); each becomes "***".
void set_log_secrets(std::vector<std::string> secrets);

// Applies the current redaction to a string (also used for text the CLI prints).
std::string redact(std::string text);

// The host's logger. Safe to call before configure_logging (logs to stderr at info).
std::shared_ptr<spdlog::logger> logger();

// The sdk::Logger a plugin gets: every line tagged with the check or action it came from.
class TaggedLogger final : public sdk::Logger {
 public:
  explicit TaggedLogger(std::string tag) : tag_(std::move(tag)) {}
  void log(sdk::LogLevel level, std::string_view message) noexcept override;

 private:
  std::string tag_;
};

}  // namespace vigil::core
