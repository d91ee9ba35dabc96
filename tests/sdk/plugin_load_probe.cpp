// plugin_load_probe DIR TYPE [KEY=VALUE]...
//
// Loads the plugin for check TYPE from DIR through the host's PluginCatalog, runs the check once
// and prints "STATUS summary | metric=value unit ..." on stdout, exiting with the Nagios code of
// the status. Problems the catalog met go to stderr. The SDK's out-of-tree test uses it to prove
// that a plugin built against the installed SDK loads and runs in this host.
#include <chrono>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "core/plugin/plugin_catalog.hpp"
#include "vigil/sdk/option_text.hpp"

namespace {

constexpr int kUnknown = 3;

class ProbeLogger final : public vigil::sdk::Logger {
 public:
  void log(vigil::sdk::LogLevel, std::string_view message) noexcept override {
    std::cerr << "log: " << message << "\n";
  }
};

class SystemClock final : public vigil::sdk::Clock {
 public:
  vigil::sdk::TimePoint now() const noexcept override { return std::chrono::system_clock::now(); }
};

class NoState final : public vigil::sdk::StateStore {
 public:
  std::optional<std::string> get(std::string_view) const override { return std::nullopt; }
  void set(std::string_view, std::string) override {}
  void erase(std::string_view) override {}
};

class ProbeContext final : public vigil::sdk::Context {
 public:
  explicit ProbeContext(std::string name)
      : name_(std::move(name)), deadline_(clock_.now() + std::chrono::seconds(30)) {}
  vigil::sdk::Logger& log() noexcept override { return logger_; }
  const vigil::sdk::Clock& clock() const noexcept override { return clock_; }
  vigil::sdk::StateStore& state() noexcept override { return state_; }
  const std::string& name() const noexcept override { return name_; }
  vigil::sdk::TimePoint deadline() const noexcept override { return deadline_; }
  bool stop_requested() const noexcept override { return false; }

 private:
  std::string name_;
  ProbeLogger logger_;
  SystemClock clock_;
  NoState state_;
  vigil::sdk::TimePoint deadline_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: plugin_load_probe DIR TYPE [KEY=VALUE]...\n";
    return kUnknown;
  }
  const std::string type = argv[2];
  std::vector<std::pair<std::string, std::string>> raw;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) {
      std::cerr << "expected KEY=VALUE, got \"" << arg << "\"\n";
      return kUnknown;
    }
    raw.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
  }

  vigil::core::PluginCatalog catalog;
  catalog.load_for_type({argv[1]}, type);
  for (const auto& problem : catalog.problems())
    std::cerr << "problem: " << problem.to_string() << "\n";
  const vigil::sdk::CheckFactory* factory = catalog.find_check(type);
  if (factory == nullptr) {
    std::cerr << "no plugin in " << argv[1] << " provides check type '" << type << "'\n";
    return kUnknown;
  }
  if (const auto* plugin = catalog.plugin_of(type)) {
    std::cerr << "loaded " << plugin->name << " " << plugin->version << " from "
              << plugin->file.string() << " (" << plugin->compiler << ")\n";
  }

  std::vector<vigil::sdk::TextOptionError> errors;
  const vigil::sdk::Options options =
      vigil::sdk::resolve_text_options(factory->info().options, raw, errors);
  for (const auto& e : errors)
    std::cerr << "option " << e.option << ": " << e.message << "\n";
  if (!errors.empty())
    return kUnknown;
  auto created = factory->create(options);
  if (!created.instance) {
    std::cerr << "cannot create " << type << ": " << created.error << "\n";
    return kUnknown;
  }

  ProbeContext ctx(type);
  const vigil::sdk::Result result = created.instance->run(ctx);
  std::cout << vigil::sdk::to_string(result.status()) << " " << result.summary();
  const char* separator = " | ";
  for (const auto& m : result.metrics()) {
    std::cout << separator << m.name << "=" << m.value << m.unit;
    separator = " ";
  }
  std::cout << std::endl;
  created.instance.reset();  // plugin objects go before the catalog that owns their library
  return static_cast<int>(result.status());
}
