#include "core/config/overlay.hpp"

#include <map>
#include <string>
#include <utility>

#include "core/config/suggest.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

// Where in the document a map sits decides which of its lists merge by name.
enum class Level { Root, Pipeline, Other };

class OverlayMerger {
 public:
  explicit OverlayMerger(std::vector<ConfigIssue>& issues) : issues_(issues) {}

  void merge_map(ConfigNode& base, ConfigNode& overlay, Level level, const std::string& path) {
    for (auto& entry : overlay.entries) {
      if (entry.value.is_null()) {
        base.erase(entry.key);
        continue;
      }
      ConfigNode::Entry* existing = base.find_entry(entry.key);
      if (existing == nullptr) {
        base.entries.push_back(std::move(entry));
        continue;
      }
      const std::string entry_path = child_path(path, entry.key);
      ConfigNode& into = existing->value;
      ConfigNode& from = entry.value;
      if (level == Level::Root && entry.key == "pipelines" && into.is_sequence() &&
          from.is_sequence()) {
        merge_named_list(into, from, "pipeline", Level::Pipeline, entry_path);
      } else if (level == Level::Pipeline && entry.key == "checks" && into.is_sequence() &&
                 from.is_sequence()) {
        merge_named_list(into, from, "check", Level::Other, entry_path);
      } else if (level == Level::Pipeline && entry.key == "rules" && into.is_sequence() &&
                 from.is_sequence()) {
        merge_named_list(into, from, "rule", Level::Other, entry_path);
      } else if (level == Level::Root && entry.key == "actions" && into.is_sequence() &&
                 from.is_sequence()) {
        merge_named_list(into, from, "action", Level::Other, entry_path);
      } else if (into.is_map() && from.is_map()) {
        merge_map(into, from, Level::Other, entry_path);
      } else {
        existing->key_where = entry.key_where;
        into = std::move(from);
      }
    }
  }

 private:
  static const ConfigNode* name_of(const ConfigNode& item) {
    if (!item.is_map())
      return nullptr;
    const ConfigNode* name = item.find("name");
    return name != nullptr && name->is_scalar() ? name : nullptr;
  }

  void merge_named_list(ConfigNode& base, ConfigNode& overlay, const std::string& what,
                        Level item_level, const std::string& path) {
    std::vector<std::string> base_names;
    for (const auto& item : base.items) {
      if (const ConfigNode* name = name_of(item))
        base_names.push_back(name->written);
    }
    std::map<std::string, SourceLocation> seen;
    for (std::size_t i = 0; i < overlay.items.size(); ++i) {
      ConfigNode& item = overlay.items[i];
      const ConfigNode* name = name_of(item);
      if (name == nullptr) {  // cannot match anything: added, and validation reports the lack
        base.items.push_back(std::move(item));
        continue;
      }
      const std::string key = name->written;
      if (auto first = seen.find(key); first != seen.end()) {
        // Built with += as this runs in a loop (performance-inefficient-string-concatenation).
        std::string message = "duplicate ";
        message.append(what).append(" name '").append(key).append("' in this overlay (first at ");
        message.append(first->second.to_string()).append(")");
        issues_.push_back({name->where, item_path(path, item, i), std::move(message)});
        continue;
      }
      seen.emplace(key, name->where);
      ConfigNode* target = nullptr;
      for (auto& candidate : base.items) {
        const ConfigNode* candidate_name = name_of(candidate);
        if (candidate_name != nullptr && candidate_name->written == key) {
          target = &candidate;
          break;
        }
      }
      if (target != nullptr) {
        merge_map(*target, item, item_level, item_path(path, item, i));
        continue;
      }
      const ConfigNode* enabled = item.find("enabled");
      if (enabled != nullptr && enabled->is_scalar() &&
          sdk::parse_bool(enabled->written) == false) {
        std::vector<std::string_view> names(base_names.begin(), base_names.end());
        std::string message = "disables ";
        message.append(what).append(" '").append(key);
        message.append("', which the base configuration does not define (it has: ");
        message.append(join_names(names)).append(")").append(did_you_mean(key, names));
        issues_.push_back({name->where, item_path(path, item, i), std::move(message)});
        continue;
      }
      base.items.push_back(std::move(item));
    }
  }

  std::vector<ConfigIssue>& issues_;
};

}  // namespace

void merge_overlay(ConfigNode& base, ConfigNode overlay, std::vector<ConfigIssue>& issues) {
  if (overlay.is_null())
    return;  // an empty overlay changes nothing
  if (!overlay.is_map()) {
    issues.push_back(
        {overlay.where, "",
         "an overlay must be a map like the base configuration, got " + describe_node(overlay)});
    return;
  }
  if (!base.is_map())
    return;  // the base's own validation reports this
  OverlayMerger(issues).merge_map(base, overlay, Level::Root, "");
}

}  // namespace vigil::core
