#include "core/actions/incident_bundle.hpp"

#include <glob.h>

#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/output/result_format.hpp"
#include "core/state/atomic_file.hpp"

namespace vigil::core {

namespace fs = std::filesystem;

namespace {

std::string stamp(sdk::TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

nlohmann::json labels_json(const sdk::Labels& labels) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : labels)
    j[k] = v;
  return j;
}

// Copies the last `max` bytes of `from`: the end of a log is where the incident is.
void copy_tail(const fs::path& from, const fs::path& to, std::uint64_t max) {
  std::ifstream in(from, std::ios::binary);
  if (!in)
    throw std::runtime_error(from.string() + ": cannot read");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  const std::uint64_t start = size > max ? size - max : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::ofstream out(to, std::ios::binary);
  out << in.rdbuf();
  if (!out)
    throw std::runtime_error(to.string() + ": write failed");
}

void write_json(const fs::path& file, const nlohmann::json& j) {
  std::ofstream out(file);
  out << j.dump(2) << "\n";
  if (!out)
    throw std::runtime_error(file.string() + ": write failed");
}

}  // namespace

IncidentBundleAction::IncidentBundleAction(const sdk::Options& options,
                                           std::shared_ptr<const IncidentSources> sources)
    : sources_(std::move(sources)),
      history_(options.has("history") ? options.duration("history") : std::chrono::hours(1)),
      max_file_size_(options.has("max_file_size") ? options.size("max_file_size")
                                                  : std::uint64_t{16} << 20) {
  if (auto d = options.find_string("dir"); d && !d->empty())
    dir_ = fs::path(*d);
  if (options.has("include"))
    include_ = options.strings("include");
  if (history_.count() <= 0)
    throw sdk::ConfigError("history", "history must be positive");
}

sdk::ActionOutcome IncidentBundleAction::execute(const sdk::Event& event, sdk::Context& ctx) {
  if (!sources_ || sources_->db == nullptr)
    return sdk::ActionOutcome::failure("no state database: bundles are written by `vigil run`");
  const sdk::TimePoint now = ctx.clock().now();
  const fs::path base = dir_.value_or(sources_->state_dir / "incidents");
  fs::path dir = base / ("incident-" + stamp(now));
  for (int n = 2; fs::exists(dir); ++n)
    dir = base / ("incident-" + stamp(now) + "-" + std::to_string(n));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return sdk::ActionOutcome::failure(dir.string() + ": " + ec.message());
  int files = 0;
  std::vector<std::string> problems;
  auto attempt = [&](const std::string& what, const std::function<void()>& f) {
    try {
      f();
      ++files;
    } catch (const std::exception& e) {
      problems.push_back(what + ": " + e.what());
    }
  };
  const StateDatabase& db = *sources_->db;
  const sdk::TimePoint since = now - history_;
  attempt("README.md", [&] {
    std::ofstream out(dir / "README.md");
    out << "# Incident " << stamp(now) << "\n\n"
        << "- Event: " << event.kind << "\n"
        << "- Rule: " << (event.rule.empty() ? "(none)" : event.rule) << "\n"
        << "- Check: " << (event.check.empty() ? "(none)" : event.check) << "\n"
        << "- Severity: " << event.severity << "\n"
        << "- Summary: " << event.summary << "\n"
        << "- Since: " << format_rfc3339(event.starts_at) << "\n"
        << "- Deployment: " << (event.deployment.empty() ? "(none)" : event.deployment) << "\n"
        << "- Collected: " << format_rfc3339(now) << ", history " << sdk::format_duration(history_)
        << "\n\n## Labels\n\n";
    for (const auto& [k, v] : event.labels)
      out << "- " << k << "=" << v << "\n";
    if (!out)
      throw std::runtime_error("write failed");
  });
  attempt("results.json", [&] {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : db.results(std::nullopt, since, std::nullopt)) {
      nlohmann::json r;
      r["pipeline"] = s.result.pipeline;
      r["check"] = s.result.check;
      r["time"] = format_rfc3339(s.result.started);
      r["status"] = std::string(sdk::to_string(s.result.status));
      r["summary"] = s.result.summary;
      r["dry_run"] = s.dry_run;
      nlohmann::json m = nlohmann::json::object();
      for (const auto& metric : s.result.metrics)
        m[metric.name] = metric.value;
      r["metrics"] = std::move(m);
      arr.push_back(std::move(r));
    }
    write_json(dir / "results.json", arr);
  });
  attempt("alerts.json", [&] {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& t : db.transitions(since)) {
      arr.push_back({{"time", format_rfc3339(t.at)},
                     {"rule", t.rule},
                     {"check", t.check},
                     {"severity", t.severity},
                     {"kind", t.kind},
                     {"from", t.from},
                     {"to", t.to},
                     {"reason", t.reason},
                     {"silenced", t.silenced},
                     {"labels", labels_json(t.labels)}});
    }
    write_json(dir / "alerts.json", arr);
  });
  attempt("actions.json", [&] {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& a : db.actions(since)) {
      arr.push_back({{"started", format_rfc3339(a.started_at)},
                     {"action", a.action},
                     {"type", a.type},
                     {"trigger", a.trigger},
                     {"status", a.status},
                     {"message", a.message},
                     {"attempts", a.attempts}});
    }
    write_json(dir / "actions.json", arr);
  });
  attempt("silences.json", [&] {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : db.silences(false, now)) {
      nlohmann::json matchers = nlohmann::json::array();
      for (const auto& m : s.matchers)
        matchers.push_back(m.to_string());
      arr.push_back({{"id", s.id},
                     {"matchers", matchers},
                     {"ends", format_rfc3339(s.ends_at)},
                     {"comment", s.comment},
                     {"by", s.created_by}});
    }
    write_json(dir / "silences.json", arr);
  });
  if (sources_->snapshot) {
    attempt("metrics_snapshot.json", [&] {
      std::ofstream out(dir / "metrics_snapshot.json");
      out << sources_->snapshot();
      if (!out)
        throw std::runtime_error("write failed");
    });
  }
  if (sources_->log_file && fs::exists(*sources_->log_file)) {
    attempt("logs", [&] {
      fs::create_directories(dir / "logs");
      copy_tail(*sources_->log_file, dir / "logs" / sources_->log_file->filename(), max_file_size_);
    });
  }
  for (const auto& pattern : include_) {
    glob_t g{};
    const int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == GLOB_NOMATCH) {
      problems.push_back(pattern + ": no file matches");
    } else if (rc == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) {
        const fs::path file = g.gl_pathv[i];
        attempt(file.string(), [&] {
          fs::create_directories(dir / "files");
          copy_tail(file, dir / "files" / file.filename(), max_file_size_);
        });
      }
    } else {
      problems.push_back(pattern + ": glob failed");
    }
    globfree(&g);
  }
  std::string message = "incident bundle " + dir.string() + " (" + std::to_string(files) + " files";
  if (!problems.empty()) {
    message += "; missing: ";
    for (std::size_t i = 0; i < problems.size(); ++i)
      message += (i == 0 ? "" : "; ") + problems[i];
  }
  message += ")";
  // Evidence that is partly missing is still evidence: only an empty bundle is a failure.
  if (files == 0)
    return sdk::ActionOutcome::failure(message);
  return sdk::ActionOutcome::success(message);
}

}  // namespace vigil::core
