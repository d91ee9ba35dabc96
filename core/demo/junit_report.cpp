#include "core/demo/junit_report.hpp"

#include <cstdio>

namespace vigil::demo {

namespace {

std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  return buf;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    }
  }
  return out;
}

std::string render_junit(const std::string& suite_name, const std::vector<TestCaseResult>& cases,
                         double total_seconds, const std::string& timestamp,
                         const std::string& hostname) {
  std::size_t failures = 0;
  for (const auto& c : cases)
    failures += c.failure ? 1 : 0;
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n";
  xml += "  <testsuite name=\"" + xml_escape(suite_name) + "\" errors=\"0\" failures=\"" +
         std::to_string(failures) + "\" skipped=\"0\" tests=\"" + std::to_string(cases.size()) +
         "\" time=\"" + seconds_text(total_seconds) + "\" timestamp=\"" + xml_escape(timestamp) +
         "\" hostname=\"" + xml_escape(hostname) + "\">\n";
  for (const auto& c : cases) {
    xml += "    <testcase classname=\"" + xml_escape(c.classname) + "\" name=\"" +
           xml_escape(c.name) + "\" time=\"" + seconds_text(c.seconds) + "\"";
    if (!c.failure) {
      xml += " />\n";
      continue;
    }
    xml += ">\n      <failure message=\"" + xml_escape(*c.failure) + "\">" +
           xml_escape(*c.failure) + "</failure>\n    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace vigil::demo
