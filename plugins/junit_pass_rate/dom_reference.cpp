#include "dom_reference.hpp"

#include <pugixml.hpp>

namespace vigil::junit_pass_rate {

std::optional<ReportDefect> tally_whole_document(const std::string& path, Tally& tally) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_file(path.c_str());
  if (!parsed) {
    return ReportDefect{static_cast<std::uint64_t>(parsed.offset), parsed.description()};
  }
  tally.add_testcases_under(document);
  return std::nullopt;
}

}  // namespace vigil::junit_pass_rate
