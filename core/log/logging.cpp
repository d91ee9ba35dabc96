#include "core/log/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace vigil::core {

namespace {

// Upper-case level names as the seed's log writes them: [INFO], [WARNING], [ERROR].
class UpperLevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name = "INFO";
    switch (msg.level) {
      case spdlog::level::trace:
        name = "TRACE";
        break;
      case spdlog::level::debug:
        name = "DEBUG";
        break;
      case spdlog::level::info:
        name = "INFO";
        break;
      case spdlog::level::warn:
        name = "WARNING";
        break;
      case spdlog::level::err:
        name = "ERROR";
        break;
      case spdlog::level::critical:
        name = "CRITICAL";
        break;
      default:
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<UpperLevelFlag>();
  }
};

// The syslog priority prefix journald reads off the start of each line (sd-daemon(3)).
class JournalPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view prefix = SD_INFO;
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        prefix = SD_DEBUG;
        break;
      case spdlog::level::warn:
        prefix = SD_WARNING;
        break;
      case spdlog::level::err:
        prefix = SD_ERR;
        break;
      case spdlog::level::critical:
        prefix = SD_CRIT;
        break;
      default:
        break;
    }
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriorityFlag>();
  }
};

constexpr std::size_t kMinRedactedLength = 4;

struct SecretList {
  std::mutex mu;
  std::vector<std::string> values;
};

SecretList& secrets() {
  static SecretList list;
  return list;
}

std::string redact_locked(std::string text, const std::vector<std::string>& values) {
  for (const auto& secret : values) {
    // Values this short ("no", "5m", "443") are rarely secrets and occur everywhere; blanking
    // them would make every log line unreadable without protecting anything.
    if (secret.size() < kMinRedactedLength)
      continue;
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

// Sits in front of the real sinks and rewrites each message without the secrets.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(std::vector<spdlog::sink_ptr> inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string clean;
    {
      auto& list = secrets();
      std::lock_guard<std::mutex> lock(list.mu);
      clean = redact_locked(std::string(msg.payload.data(), msg.payload.size()), list.values);
    }
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    for (auto& target : inner_) {
      if (target->should_log(copy.level))
        target->log(copy);
    }
  }
  void flush_() override {
    for (auto& target : inner_)
      target->flush();
  }
  void set_pattern_(const std::string&) override {}
  void set_formatter_(std::unique_ptr<spdlog::formatter>) override {}

 private:
  std::vector<spdlog::sink_ptr> inner_;
};

std::unique_ptr<spdlog::formatter> seed_formatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<UpperLevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%SZ [%*] %v");
  return f;
}

// journald stamps every line itself, so a timestamp of ours would be a second one; the level
// travels as the priority prefix, and the [LEVEL] tag stays so the text reads as elsewhere.
std::unique_ptr<spdlog::formatter> journal_formatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<JournalPriorityFlag>('J').add_flag<UpperLevelFlag>('*').set_pattern("%J[%*] %v");
  return f;
}

std::shared_ptr<spdlog::logger> make_logger(const LogSettings& settings) {
  std::vector<spdlog::sink_ptr> inner;
  if (settings.to_stderr) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(stderr_is_journal() ? journal_formatter() : seed_formatter());
    inner.push_back(sink);
  }
  if (settings.file) {
    std::shared_ptr<spdlog::sinks::rotating_file_sink_mt> sink;
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          settings.file->string(), static_cast<std::size_t>(settings.max_size),
          static_cast<std::size_t>(settings.max_files));
    } catch (const spdlog::spdlog_ex& e) {
      throw std::runtime_error("cannot open log file " + settings.file->string() + ": " + e.what());
    }
    sink->set_formatter(seed_formatter());
    inner.push_back(sink);
  }
  auto logger =
      std::make_shared<spdlog::logger>("vigil", std::make_shared<RedactingSink>(std::move(inner)));
  logger->set_level(parse_log_level(settings.level).value_or(spdlog::level::info));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

std::shared_ptr<spdlog::logger>& current() {
  static std::shared_ptr<spdlog::logger> logger = make_logger(LogSettings{});
  return logger;
}

std::mutex& current_mu() {
  static std::mutex mu;
  return mu;
}

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr)
    return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  char rest = 0;
  if (std::sscanf(stream, "%llu:%llu%c", &device, &inode, &rest) != 2)
    return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0)
    return false;
  return static_cast<unsigned long long>(st.st_dev) == device &&
         static_cast<unsigned long long>(st.st_ino) == inode;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  if (name == "trace")
    return spdlog::level::trace;
  if (name == "debug")
    return spdlog::level::debug;
  if (name == "info")
    return spdlog::level::info;
  if (name == "warning" || name == "warn")
    return spdlog::level::warn;
  if (name == "error")
    return spdlog::level::err;
  if (name == "off")
    return spdlog::level::off;
  return std::nullopt;
}

void configure_logging(const LogSettings& settings) {
  auto fresh = make_logger(settings);
  std::lock_guard<std::mutex> lock(current_mu());
  current()->flush();
  current() = std::move(fresh);
}

void set_log_secrets(std::vector<std::string> values) {
  auto& list = secrets();
  std::lock_guard<std::mutex> lock(list.mu);
  list.values = std::move(values);
}

std::string redact(std::string text) {
  auto& list = secrets();
  std::lock_guard<std::mutex> lock(list.mu);
  return redact_locked(std::move(text), list.values);
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard<std::mutex> lock(current_mu());
  return current();
}

void TaggedLogger::log(sdk::LogLevel level, std::string_view message) noexcept {
  try {
    spdlog::level::level_enum l = spdlog::level::info;
    switch (level) {
      case sdk::LogLevel::Debug:
        l = spdlog::level::debug;
        break;
      case sdk::LogLevel::Info:
        l = spdlog::level::info;
        break;
      case sdk::LogLevel::Warning:
        l = spdlog::level::warn;
        break;
      case sdk::LogLevel::Error:
        l = spdlog::level::err;
        break;
    }
    logger()->log(l, "[{}] {}", tag_, message);
  } catch (...) {
    // A log line is never worth failing a check for.
  }
}

}  // namespace vigil::core
