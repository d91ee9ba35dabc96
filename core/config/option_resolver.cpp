// Phase 2 of ConfigLoader: each check's and each action's options against its type's schema
// (see config.hpp).
#include <set>
#include <string>
#include <utility>

#include "core/config/config.hpp"
#include "core/config/config_node.hpp"
#include "core/config/config_support.hpp"
#include "core/config/suggest.hpp"
#include "vigil/sdk/option_text.hpp"

namespace vigil::core {

namespace {

class OptionResolver {
 public:
  OptionResolver(std::vector<ConfigIssue>& issues, std::vector<std::string>& secrets)
      : issues_(issues), secrets_(secrets) {}

  // CheckConfig or ActionConfig: both carry the same fields for their options.
  template <class Target>
  void resolve(Target& target, sdk::PluginKind kind, const SchemaLookup& lookup) {
    // A missing or unreadable plugin was reported by phase 1.
    if (target.plugin.empty())
      return;
    const std::string plugin_path = child_path(target.path, "plugin");
    const sdk::TypeInfo* type = lookup ? lookup(target.plugin) : nullptr;
    const std::string kind_name = type_word(kind);
    if (type == nullptr) {
      report(target.plugin_where, plugin_path,
             "unknown " + kind_name + " " + quote_unless_secret(target.plugin, secrets_) +
                 ": no loaded plugin" +
                 (kind == sdk::PluginKind::Action ? " or host built-in" : "") +
                 " provides it (`vigil plugins` lists the loaded types)");
      return;
    }
    if (type->kind != kind) {
      report(target.plugin_where, plugin_path,
             quote_unless_secret(target.plugin, secrets_) + " is " +
                 (type->kind == sdk::PluginKind::Action ? "an action type" : "a check type") +
                 ", not " + (kind == sdk::PluginKind::Action ? "an action type" : "a check type"));
      return;
    }
    resolve_options(target, *type, kind_name);
  }

 private:
  void report(const SourceLocation& where, const std::string& path, std::string message) {
    issues_.push_back({where, path, std::move(message)});
  }

  static std::string type_word(sdk::PluginKind kind) {
    return kind == sdk::PluginKind::Action ? "action type" : "check type";
  }

  template <class Target>
  void resolve_options(Target& target, const sdk::TypeInfo& type, const std::string& kind_name) {
    const std::string options_path = child_path(target.path, "options");
    std::vector<std::string_view> known;
    for (const auto& spec : type.options)
      known.push_back(spec.name);

    std::map<std::string, sdk::OptionValue, std::less<>> values;
    std::set<std::string, std::less<>> written;  // given in the file, valid or not
    if (const ConfigNode* raw = target.raw_options.get(); raw != nullptr && raw->is_map()) {
      for (const auto& entry : raw->entries) {
        const std::string path = child_path(options_path, entry.key);
        const sdk::OptionSpec* spec = type.find_option(entry.key);
        if (spec == nullptr) {
          report(entry.key_where, path,
                 "unknown option '" + entry.key + "' for " + kind_name + " '" + type.name +
                     "' (known: " + (known.empty() ? std::string("none") : join_names(known)) +
                     ")" + did_you_mean(entry.key, known));
          continue;
        }
        written.insert(entry.key);
        target.option_locations[entry.key] = entry.value.where;
        if (spec->secret)
          remember_secret_values(entry.value);
        if (auto value = convert(entry.value, *spec, path))
          values[entry.key] = std::move(*value);
      }
    }
    for (const auto& spec : type.options) {
      if (written.count(spec.name) != 0)
        continue;
      const std::string path = child_path(options_path, spec.name);
      if (spec.default_text) {
        auto parsed = sdk::parse_option_text(spec, *spec.default_text);
        if (parsed.ok()) {
          values[spec.name] = parsed.value();
        } else {  // the plugin's own mistake, but it stops this check or action from being built
          report(target.where, path,
                 kind_name + " '" + type.name + "' declares an invalid default for option '" +
                     spec.name + "' (" + parsed.error() + "); report this to the plugin's author");
        }
      } else if (spec.required) {
        std::string kind(sdk::to_string(spec.type));
        if (spec.type == sdk::OptionType::List || spec.type == sdk::OptionType::Map) {
          kind += " of " + std::string(sdk::to_string(spec.element));
        }
        report(target.options_where, path,
               "missing required option '" + spec.name + "' (" + kind +
                   (spec.description.empty() ? std::string{} : ": " + spec.description) + ")");
      }
    }
    target.options = sdk::Options(std::move(values));
  }

  std::optional<sdk::OptionValue> convert(const ConfigNode& node, const sdk::OptionSpec& spec,
                                          const std::string& path) {
    if (node.unresolved)
      return std::nullopt;
    const std::string element(sdk::to_string(spec.element));
    switch (spec.type) {
      case sdk::OptionType::List: {
        if (node.is_scalar()) {  // one element, as `-o key=value` gives on the command line
          auto one = convert_scalar(node, spec.element, path, spec.secret);
          if (!one)
            return std::nullopt;
          return sdk::OptionValue{sdk::ScalarList{std::move(*one)}};
        }
        if (!node.is_sequence()) {
          report(node.where, path,
                 "expected a list of " + element + " values, got " + describe_node(node));
          return std::nullopt;
        }
        sdk::ScalarList list;
        bool ok = true;
        for (std::size_t i = 0; i < node.items.size(); ++i) {
          auto item = convert_scalar(node.items[i], spec.element,
                                     path + "[" + std::to_string(i) + "]", spec.secret);
          if (item) {
            list.push_back(std::move(*item));
          } else {
            ok = false;  // keep going: every bad element is reported
          }
        }
        if (!ok)
          return std::nullopt;
        return sdk::OptionValue{std::move(list)};
      }
      case sdk::OptionType::Map: {
        if (!node.is_map()) {
          report(node.where, path,
                 "expected a map of names to " + element + " values, got " + describe_node(node));
          return std::nullopt;
        }
        sdk::ScalarMap map;
        bool ok = true;
        for (const auto& entry : node.entries) {
          auto value =
              convert_scalar(entry.value, spec.element, child_path(path, entry.key), spec.secret);
          if (value) {
            map[entry.key] = std::move(*value);
          } else {
            ok = false;
          }
        }
        if (!ok)
          return std::nullopt;
        return sdk::OptionValue{std::move(map)};
      }
      default: {
        auto scalar = convert_scalar(node, spec.type, path, spec.secret);
        if (!scalar)
          return std::nullopt;
        return sdk::OptionValue{std::move(*scalar)};
      }
    }
  }

  // sdk::parse_scalar on the YAML text, so that a value means exactly what it means on the
  // command line. Its error message quotes the text, so the message is rebuilt here to hide
  // substituted and secret values.
  std::optional<sdk::Scalar> convert_scalar(const ConfigNode& node, sdk::OptionType type,
                                            const std::string& path, bool secret) {
    if (node.unresolved)
      return std::nullopt;
    const std::string expected = "expected " + sdk::type_expectation(type) + ", got ";
    if (!node.is_scalar()) {
      report(node.where, path, expected + describe_node(node));
      return std::nullopt;
    }
    auto parsed = sdk::parse_scalar(type, node.text);
    if (!parsed.ok()) {
      report(node.where, path,
             expected + (secret && !node.from_environment
                             ? std::string("a value not shown (the option is secret)")
                             : shown_value(node)));
      return std::nullopt;
    }
    return parsed.value();
  }

  void remember_secret_values(const ConfigNode& node) {
    if (node.is_scalar())
      secrets_.push_back(node.text);
    for (const auto& item : node.items)
      remember_secret_values(item);
    for (const auto& entry : node.entries)
      remember_secret_values(entry.value);
  }

  std::vector<ConfigIssue>& issues_;
  std::vector<std::string>& secrets_;
};

}  // namespace

void ConfigLoader::resolve(ConfigLoadResult& result, const SchemaLookup& lookup) {
  OptionResolver resolver(result.issues, result.config.secrets);
  for (auto& pipeline : result.config.pipelines) {
    for (auto& check : pipeline.checks)
      resolver.resolve(check, sdk::PluginKind::Check, lookup);
  }
  for (auto& action : result.config.actions)
    resolver.resolve(action, sdk::PluginKind::Action, lookup);
  sort_issues(result.issues, result.config.sources);
  normalize_secrets(result.config.secrets);
}

}  // namespace vigil::core
