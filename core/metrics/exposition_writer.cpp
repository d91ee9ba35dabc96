#include "core/metrics/exposition_writer.hpp"

#include <charconv>
#include <cmath>

namespace vigil::core {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string sanitize_label_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9'))
    out.insert(out.begin(), '_');
  while (out.size() > 1 && out[0] == '_' && out[1] == '_')
    out.erase(out.begin());
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

void ExpositionWriter::family(std::string_view name, FamilyType type, std::string_view help) {
  name_ = std::string(name);
  help_ = std::string(help);
  type_ = type;
  header_written_ = false;
  series_.clear();
}

void ExpositionWriter::sample(const SeriesLabels& labels, double value) {
  std::string series;
  for (const auto& [k, v] : labels) {
    if (v.empty())
      continue;
    series += series.empty() ? "{" : ",";
    series += k + "=\"" + escape_label_value(v) + "\"";
  }
  if (!series.empty())
    series += "}";
  if (!series_.insert(series).second)
    return;
  if (!header_written_) {
    out_ += "# HELP " + name_ + " " + escape_help(help_) + "\n";
    out_ += "# TYPE " + name_ + (type_ == FamilyType::Counter ? " counter\n" : " gauge\n");
    header_written_ = true;
  }
  out_ += name_ + series + " " + format_sample_value(value) + "\n";
}

}  // namespace vigil::core
