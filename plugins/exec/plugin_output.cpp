#include "plugin_output.hpp"

namespace vigil::exec {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_blank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

void append_perfdata(std::string& perfdata, std::string_view part) {
  part = trim(part);
  if (part.empty()) {
    return;
  }
  if (!perfdata.empty()) {
    perfdata += ' ';
  }
  perfdata += part;
}

}  // namespace

PluginOutput split_plugin_output(std::string_view text) {
  PluginOutput out;
  bool first_line = true;
  bool in_perfdata = false;  // a '|' after the first line turns every later line into perfdata
  while (!text.empty() || first_line) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);

    if (first_line) {
      first_line = false;
      const auto bar = line.find('|');
      out.summary = std::string(trim(line.substr(0, bar)));
      if (bar != std::string_view::npos) {
        append_perfdata(out.perfdata, line.substr(bar + 1));
      }
      continue;
    }
    if (in_perfdata) {
      append_perfdata(out.perfdata, line);
      continue;
    }
    const auto bar = line.find('|');
    const std::string_view long_text = trim_right(line.substr(0, bar));
    if (!trim(long_text).empty()) {
      out.long_output.emplace_back(long_text);
    }
    if (bar != std::string_view::npos) {
      in_perfdata = true;
      append_perfdata(out.perfdata, line.substr(bar + 1));
    }
  }
  return out;
}

}  // namespace vigil::exec
