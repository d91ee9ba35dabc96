#include "tally.hpp"

#include <cstring>

namespace vigil::junit_pass_rate {

namespace {

// Long parametrised names (pytest ids, GoogleTest value_param) would swamp the details.
constexpr std::size_t kMaxDisplayNameBytes = 200;

void append_printable(std::string& out, std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? ' ' : c;
  }
}

}  // namespace

void OutcomeEvidence::child_element(std::string_view name) noexcept {
  if (name == "failure") {
    failure_ = true;
  } else if (name == "error") {
    error_ = true;
  } else if (name == "skipped") {
    skipped_ = true;
  }
}

void OutcomeEvidence::attribute(std::string_view name, std::string_view value) noexcept {
  // GoogleTest and CTest also state the outcome in attributes, and for a disabled test that is
  // all they write: GoogleTest status="notrun" result="suppressed", CTest status="disabled".
  if (name == "status") {
    if (value == "fail" || value == "failed" || value == "failure") {
      failure_ = true;
    } else if (value == "error") {
      error_ = true;
    } else if (value == "notrun" || value == "skipped" || value == "disabled") {
      skipped_ = true;
    }
  } else if (name == "result") {
    if (value == "skipped" || value == "suppressed")
      skipped_ = true;
  }
}

Outcome OutcomeEvidence::outcome() const noexcept {
  if (failure_)
    return Outcome::Failed;
  if (error_)
    return Outcome::Error;
  if (skipped_)
    return Outcome::Skipped;
  return Outcome::Passed;
}

Outcome classify_testcase(pugi::xml_node testcase) {
  OutcomeEvidence evidence;
  for (pugi::xml_node child = testcase.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element)
      evidence.child_element(child.name());
  }
  for (pugi::xml_attribute attribute = testcase.first_attribute(); attribute;
       attribute = attribute.next_attribute()) {
    evidence.attribute(attribute.name(), attribute.value());
  }
  return evidence.outcome();
}

std::string testcase_display_name(pugi::xml_node testcase) {
  const std::string_view classname = testcase.attribute("classname").value();
  const std::string_view name = testcase.attribute("name").value();
  // CTest and jest-junit's defaults repeat the name as the classname; Mocha's name is the suite
  // titles followed by the classname. Either way the name alone says it all.
  const bool name_says_it_all = classname.empty() || name == classname ||
                                (name.size() > classname.size() && name.ends_with(classname) &&
                                 name[name.size() - classname.size() - 1] == ' ');
  std::string out;
  if (!name_says_it_all) {
    append_printable(out, classname);
    if (!name.empty())
      out += '.';
  }
  append_printable(out, name);
  if (out.empty())
    return "(unnamed testcase)";
  if (out.size() > kMaxDisplayNameBytes) {
    std::size_t cut = kMaxDisplayNameBytes;
    // Never split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

void Tally::add_testcases_under(pugi::xml_node root) {
  if (!root)
    return;
  pugi::xml_node node = root;
  for (;;) {
    if (node.type() == pugi::node_element && std::strcmp(node.name(), "testcase") == 0) {
      add(classify_testcase(node), [&] { return testcase_display_name(node); });
    } else if (pugi::xml_node child = node.first_child()) {
      node = child;
      continue;
    }
    // The next node in document order that is still inside root's subtree.
    while (node != root && !node.next_sibling())
      node = node.parent();
    if (node == root)
      return;
    node = node.next_sibling();
  }
}

}  // namespace vigil::junit_pass_rate
