// `vigil plugins`: what is installed, and each check type's options as documentation.
#include <iostream>
#include <sstream>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

std::string option_type_text(const sdk::OptionSpec& o) {
  std::string t(sdk::to_string(o.type));
  if (o.type == sdk::OptionType::List || o.type == sdk::OptionType::Map) {
    t += " of " + std::string(sdk::to_string(o.element));
  }
  return t;
}

void describe(const sdk::TypeInfo& info, const core::PluginInfo* plugin, bool markdown) {
  const char* kind = info.kind == sdk::PluginKind::Check ? "check" : "action";
  if (markdown) {
    std::cout << "### `" << info.name << "` (" << kind << ")\n\n" << info.description << "\n\n";
    if (plugin)
      std::cout << "Plugin `" << plugin->name << "` " << plugin->version << ".\n\n";
    std::cout << "| option | type | default | description |\n|---|---|---|---|\n";
    for (const auto& o : info.options) {
      std::cout << "| `" << o.name << "` | " << option_type_text(o) << " | "
                << (o.required       ? "**required**"
                    : o.default_text ? "`" + *o.default_text + "`"
                                     : "")
                << " | " << o.description << (o.secret ? " (secret)" : "") << " |\n";
    }
    std::cout << "\n";
    return;
  }
  std::cout << info.name << " (" << kind << "): " << info.description << "\n";
  if (plugin) {
    std::cout << "  plugin " << plugin->name << " " << plugin->version << " from "
              << plugin->file.string() << "\n";
  }
  std::cout << "  options:\n";
  for (const auto& o : info.options) {
    std::cout << "    " << o.name << " (" << option_type_text(o) << ")";
    if (o.required)
      std::cout << ", required";
    if (o.default_text)
      std::cout << ", default " << *o.default_text;
    if (o.secret)
      std::cout << ", secret";
    std::cout << "\n        " << o.description << "\n";
  }
}

}  // namespace

int plugins_command(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string describe_type;
  po::options_description desc("vigil plugins options");
  desc.add_options()("help,h", "show this help")(
      "describe,d", po::value<std::string>(&describe_type),
      "print the option schema of a check or action TYPE")(
      "markdown", "print every type's schema as Markdown (the config reference)");
  add_plugin_dir_option(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr,
                       "usage: vigil plugins [--describe TYPE | --markdown] [--plugin-dir DIR]", vm,
                       &exit_code)) {
    return exit_code;
  }

  core::PluginCatalog catalog;
  for (const auto& dir : plugin_search_path(common, {})) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
      catalog.load_directory(dir);
  }
  for (const auto& p : catalog.problems())
    std::cerr << "warning: " << p.to_string() << "\n";

  if (!describe_type.empty()) {
    const sdk::TypeInfo* info = catalog.find_type(describe_type);
    if (info == nullptr) {
      std::cerr << "vigil plugins: no plugin provides type '" << describe_type << "'\n";
      return 1;
    }
    describe(*info, catalog.plugin_of(describe_type), false);
    return 0;
  }
  if (vm.count("markdown") != 0) {
    for (const auto& plugin : catalog.plugins()) {
      for (const auto& name : plugin.checks)
        describe(*catalog.find_type(name), &plugin, true);
      for (const auto& name : plugin.actions)
        describe(*catalog.find_type(name), &plugin, true);
    }
    return 0;
  }
  for (const auto& plugin : catalog.plugins()) {
    std::cout << plugin.name << " " << plugin.version << "  " << plugin.file.string() << "\n";
    if (!plugin.description.empty())
      std::cout << "  " << plugin.description << "\n";
    for (const auto& name : plugin.checks)
      std::cout << "  check  " << name << "\n";
    for (const auto& name : plugin.actions)
      std::cout << "  action " << name << "\n";
  }
  return 0;
}

}  // namespace vigil::cli
