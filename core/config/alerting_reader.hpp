#pragma once
// Phase 1 for the alerting sections: a pipeline's `rules`, the top-level `actions` and the
// observation `window` (config.hpp describes the model, docs/config.md the syntax).
#include <map>
#include <string>
#include <vector>

#include "core/config/value_reader.hpp"

namespace vigil::core {

class AlertingReader : public ValueReader {
 public:
  explicit AlertingReader(std::vector<ConfigIssue>& issues) : ValueReader(issues) {}

  // The top-level `actions` list into config.actions. Every action that is a map is kept even
  // when it has errors, so that resolve() can still report its options.
  void read_actions(const ConfigNode::Entry& entry, Config& config);

  // The top-level `window` map into config.window; nothing (`window:`) means no window.
  void read_window(const ConfigNode& node, Config& config);

  // A pipeline's `rules` into config.rules, once the pipeline's checks are read.
  void read_rules(const ConfigNode::Entry& entry, const std::string& path,
                  const PipelineConfig& pipeline, Config& config);

  // Once everything is read: every action name a rule or the window refers to must be defined.
  void check_action_references();

 private:
  struct ActionReference {
    std::string name;
    std::string shown;  // as a message may show it
    SourceLocation where;
    std::string path;
  };

  std::optional<ActionConfig> read_action(const ConfigNode& node, const std::string& path);
  std::optional<RuleConfig> read_rule(const ConfigNode& node, const std::string& path,
                                      const PipelineConfig& pipeline);
  void read_condition(const ConfigNode& node, const std::string& path, RuleConfig& rule);
  void read_flapping(const ConfigNode& node, const std::string& path, RuleConfig& rule);
  void read_escalation(const ConfigNode& node, const std::string& path, RuleConfig& rule);
  void read_rule_labels(const ConfigNode& node, const std::string& path,
                        const PipelineConfig& pipeline, const CheckConfig* check, RuleConfig& rule);
  // A list of action names (a single name is a list of one), each remembered for
  // check_action_references().
  std::vector<std::string> read_action_list(const ConfigNode& node, const std::string& path);
  std::optional<double> read_percent(const ConfigNode& node, const std::string& path);
  std::optional<double> read_ratio(const ConfigNode& node, const std::string& path);

  std::map<std::string, SourceLocation> rule_names_;
  std::map<std::string, SourceLocation> action_names_;
  std::vector<ActionReference> references_;
};

}  // namespace vigil::core
