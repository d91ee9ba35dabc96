#include "core/config/config_node.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>

namespace vigil::core {

const ConfigNode::Entry* ConfigNode::find_entry(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key)
      return &e;
  }
  return nullptr;
}

ConfigNode::Entry* ConfigNode::find_entry(std::string_view key) {
  for (Entry& e : entries) {
    if (e.key == key)
      return &e;
  }
  return nullptr;
}

const ConfigNode* ConfigNode::find(std::string_view key) const {
  const Entry* e = find_entry(key);
  return e != nullptr ? &e->value : nullptr;
}

ConfigNode* ConfigNode::find(std::string_view key) {
  Entry* e = find_entry(key);
  return e != nullptr ? &e->value : nullptr;
}

void ConfigNode::erase(std::string_view key) {
  entries.erase(
      std::remove_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == key; }),
      entries.end());
}

namespace {

// Deep enough for any sensible configuration (options nest a few levels below a check, which
// is itself four levels down), shallow enough to stop a self-referencing alias ("&a [*a]"),
// which yaml-cpp turns into a cyclic node graph.
constexpr int kMaxDepth = 64;
// Aliases let a few lines expand into millions of nodes ("billion laughs"); no real
// configuration comes near this.
constexpr std::size_t kMaxNodes = 200000;

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null())
    return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, std::vector<ConfigIssue>& issues)
      : file_(file), issues_(issues) {}

  ConfigNode build(const YAML::Node& node, int depth, const std::string& path) {
    ConfigNode out;
    out.where = location_of(file_, node.Mark());
    if (depth > kMaxDepth) {
      report_once(&depth_reported_, out.where, path,
                  "nesting deeper than " + std::to_string(kMaxDepth) +
                      " levels (an alias that refers to itself?)");
      return out;
    }
    if (++node_count_ > kMaxNodes) {
      report_once(&size_reported_, out.where, path,
                  "the document expands to more than " + std::to_string(kMaxNodes) +
                      " nodes (aliases repeated many times over?)");
      return out;
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        break;
      case YAML::NodeType::Scalar:
        out.kind = ConfigNode::Kind::Scalar;
        out.text = node.Scalar();
        out.written = out.text;
        break;
      case YAML::NodeType::Sequence:
        out.kind = ConfigNode::Kind::Sequence;
        for (const auto& item : node) {
          out.items.push_back(build(item, depth + 1, yaml_item_path(path, item, out.items.size())));
        }
        break;
      case YAML::NodeType::Map:
        out.kind = ConfigNode::Kind::Map;
        for (auto it = node.begin(); it != node.end(); ++it) {
          add_entry(out, it->first, it->second, depth, path);
        }
        break;
    }
    return out;
  }

 private:
  void add_entry(ConfigNode& map, const YAML::Node& key, const YAML::Node& value, int depth,
                 const std::string& path) {
    const SourceLocation key_where = location_of(file_, key.Mark());
    if (!key.IsScalar()) {
      issues_.push_back(
          {key_where, path,
           std::string("a map key must be a string, got ") + (key.IsNull()  ? "nothing (null)"
                                                              : key.IsMap() ? "a map"
                                                                            : "a list")});
      return;
    }
    const std::string& name = key.Scalar();
    const std::string entry_path = child_path(path, name);
    // YAML forbids repeated keys, but yaml-cpp keeps both; which one a reader sees is an
    // accident, so it is an error here. The first stays so later checks still run.
    if (const ConfigNode::Entry* first = map.find_entry(name)) {
      issues_.push_back(
          {key_where, entry_path,
           "duplicate key '" + name + "' (first at " + first->key_where.to_string() + ")"});
      return;
    }
    ConfigNode::Entry entry{name, key_where, build(value, depth + 1, entry_path)};
    if (entry.value.is_null())
      entry.value.where = key_where;
    map.entries.push_back(std::move(entry));
  }

  void report_once(bool* reported, const SourceLocation& where, const std::string& path,
                   std::string message) {
    if (*reported)
      return;
    *reported = true;
    issues_.push_back({where, path, std::move(message)});
  }

  // item_path() for an item not converted yet: named after its `name` when it has one.
  static std::string yaml_item_path(const std::string& parent, const YAML::Node& item,
                                    std::size_t index) {
    if (item.IsMap()) {
      const YAML::Node name = item["name"];
      if (name && name.IsScalar())
        return parent + "[" + name.Scalar() + "]";
    }
    return parent + "[" + std::to_string(index) + "]";
  }

  const std::string& file_;
  std::vector<ConfigIssue>& issues_;
  std::size_t node_count_ = 0;
  bool depth_reported_ = false;
  bool size_reported_ = false;
};

std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += hex;
    } else {
      out += c;
    }
  }
  if (s.size() > kMaxShown)
    out += "...";
  return out + "\"";
}

bool is_single_reference(std::string_view s) {
  return s.size() > 3 && s.substr(0, 2) == "${" && s.back() == '}' &&
         s.find_first_of("${}", 2) == s.size() - 1;
}

}  // namespace

std::optional<ConfigNode> parse_yaml_document(std::string_view text, const std::string& file,
                                              std::vector<ConfigIssue>& issues) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    issues.push_back({location_of(file, e.mark), "", "invalid YAML: " + e.msg});
    return std::nullopt;
  }
  if (documents.empty()) {
    ConfigNode empty;
    empty.where = {file, 0, 0};
    return empty;
  }
  if (documents.size() > 1) {
    issues.push_back({location_of(file, documents[1].Mark()), "",
                      "a configuration file holds one YAML document, but another starts here"});
  }
  ConfigNode root;
  try {
    TreeBuilder builder(file, issues);
    root = builder.build(documents.front(), 0, "");
  } catch (const YAML::Exception& e) {
    issues.push_back({location_of(file, e.mark), "", "invalid YAML: " + e.msg});
    return std::nullopt;
  }
  if (root.is_null())
    root.where = {file, 0, 0};
  return root;
}

std::string describe_node(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::Null:
      return "nothing (null)";
    case ConfigNode::Kind::Scalar:
      return shown_value(node);
    case ConfigNode::Kind::Sequence:
      return "a list";
    case ConfigNode::Kind::Map:
      return "a map";
  }
  return "?";
}

std::string shown_value(const ConfigNode& node) {
  if (!node.is_scalar())
    return describe_node(node);
  if (node.from_environment) {
    return "the value of " +
           (is_single_reference(node.written) ? node.written : quote(node.written));
  }
  return quote(node.text);
}

std::string display_text(const ConfigNode& node) {
  if (!node.is_scalar())
    return {};
  return node.from_environment ? node.written : node.text;
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty())
    return std::string(key);
  return parent + "." + std::string(key);
}

std::string item_path(const std::string& parent, const ConfigNode& item, std::size_t index) {
  if (item.is_map()) {
    if (const ConfigNode* name = item.find("name"); name != nullptr && name->is_scalar()) {
      return parent + "[" + display_text(*name) + "]";
    }
  }
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace vigil::core
