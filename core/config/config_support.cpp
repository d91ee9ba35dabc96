#include "core/config/config_support.hpp"

#include <algorithm>
#include <tuple>

namespace vigil::core {

std::string SourceLocation::to_string() const {
  if (line <= 0)
    return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string ConfigIssue::to_string() const {
  std::string out = where.to_string() + ": ";
  if (!path.empty())
    out += path + ": ";
  out += message;
  // One issue, one line: consumers grep and count lines, as with promtool.
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

void sort_issues(std::vector<ConfigIssue>& issues, const std::vector<std::string>& sources) {
  auto file_rank = [&](const std::string& file) {
    auto it = std::find(sources.begin(), sources.end(), file);
    return static_cast<std::size_t>(it - sources.begin());  // unknown files sort last
  };
  std::stable_sort(issues.begin(), issues.end(), [&](const ConfigIssue& a, const ConfigIssue& b) {
    const std::size_t rank_a = file_rank(a.where.file);
    const std::size_t rank_b = file_rank(b.where.file);
    return std::tie(rank_a, a.where.file, a.where.line, a.where.column) <
           std::tie(rank_b, b.where.file, b.where.line, b.where.column);
  });
}

void normalize_secrets(std::vector<std::string>& secrets) {
  secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string{}), secrets.end());
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
}

std::string quote_unless_secret(const std::string& text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (!secret.empty() && text.find(secret) != std::string::npos) {
      return "(a value from the environment, not shown)";
    }
  }
  return "'" + text + "'";
}

}  // namespace vigil::core
