#pragma once
// The loader's own YAML tree. yaml-cpp's nodes know their line and column but not their file,
// and an overlay mixes nodes from two files into one tree; so the loader copies each document
// into ConfigNodes that carry a full SourceLocation, merges and interpolates those, and keeps
// yaml-cpp confined to config_node.cpp.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace vigil::core {

struct ConfigNode {
  enum class Kind { Null, Scalar, Sequence, Map };
  struct Entry;

  Kind kind = Kind::Null;
  // Where the node starts. A map value written as nothing ("key:") has the key's location,
  // because yaml-cpp places such a null at the next token, often on another line.
  SourceLocation where;

  std::string text;               // Scalar: the value, after ${VAR} substitution
  std::string written;            // Scalar: the value as written in the file, before substitution
  bool interpolated = false;      // ${VAR} substitution has run on this scalar (never twice)
  bool from_environment = false;  // text holds substituted values: show `written`, never text
  bool unresolved = false;        // a ${VAR} in it could not be substituted; already reported, so
                                  // validators skip it rather than report the same scalar twice

  std::vector<ConfigNode> items;   // Sequence
  std::size_t disabled_items = 0;  // Sequence: items removed as `enabled: false`
  std::vector<Entry> entries;      // Map, in file order

  bool is_null() const noexcept { return kind == Kind::Null; }
  bool is_scalar() const noexcept { return kind == Kind::Scalar; }
  bool is_sequence() const noexcept { return kind == Kind::Sequence; }
  bool is_map() const noexcept { return kind == Kind::Map; }

  const Entry* find_entry(std::string_view key) const;
  Entry* find_entry(std::string_view key);
  const ConfigNode* find(std::string_view key) const;
  ConfigNode* find(std::string_view key);
  void erase(std::string_view key);
};

struct ConfigNode::Entry {
  std::string key;
  SourceLocation key_where;
  ConfigNode value;
};

// Parses one YAML document into a tree whose nodes all carry `file`. Returns nullopt after
// adding an issue when the text is not YAML (one issue, with yaml-cpp's line, column and
// message), holds more than one document, nests too deeply, or repeats a key in a map. An empty
// document yields a Null node located at the file as a whole.
std::optional<ConfigNode> parse_yaml_document(std::string_view text, const std::string& file,
                                              std::vector<ConfigIssue>& issues);

// --- how nodes appear in paths and messages ---------------------------------------------------

// "a list", "a map", "nothing (null)", or the shown value for a scalar.
std::string describe_node(const ConfigNode& node);

// A scalar as an error message may show it: "\"ten\"" (escaped, shortened), or, when its text
// came from the environment, "the value of ${DB_PASSWORD}" so the secret itself never appears.
std::string shown_value(const ConfigNode& node);

// A scalar's text for a path or a name in a message: as written when it was interpolated.
std::string display_text(const ConfigNode& node);

// "vigil.log" + "level" -> "vigil.log.level"; "" + "pipelines" -> "pipelines".
std::string child_path(const std::string& parent, std::string_view key);

// An item of a list: "pipelines[genesis]" when the item is a map with a scalar `name`, else by
// index, "pipelines[0]".
std::string item_path(const std::string& parent, const ConfigNode& item, std::size_t index);

}  // namespace vigil::core
