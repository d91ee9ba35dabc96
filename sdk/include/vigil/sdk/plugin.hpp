#pragma once
// The plugin boundary. A plugin source file includes this header and declares itself with
//
//   VIGIL_PLUGIN("acme", "1.0.0", "Acme's checks") {
//     plugin.add_check<DiskCheck>("acme_disk", "Used space on a filesystem")
//         .required("path", vigil::sdk::OptionType::String, "Mount point");
//   }
//
// The macro exports exactly two extern "C" functions: a C manifest the host reads first, and an
// init entry point the host calls after the manifest matched. Nothing registers from a static
// constructor, and no exception leaves the plugin: every call the host makes into plugin code
// goes through a noexcept adapter defined here and compiled into the plugin.
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "vigil/sdk/action.hpp"
#include "vigil/sdk/check.hpp"
#include "vigil/sdk/export.hpp"
#include "vigil/sdk/manifest.h"
#include "vigil/sdk/options.hpp"
#include "vigil/sdk/result.hpp"
#include "vigil/sdk/version.hpp"

namespace vigil::sdk {

enum class PluginKind { Check, Action };

// A check or action type as the plugin declares it: its name, one line of description and
// the option schema the host validates config against.
struct TypeInfo {
  PluginKind kind = PluginKind::Check;
  std::string name;
  std::string description;
  std::vector<OptionSpec> options;

  const OptionSpec* find_option(std::string_view n) const {
    for (const auto& o : options) {
      if (o.name == n)
        return &o;
    }
    return nullptr;
  }
};

// --- the boundary: host calls only these noexcept virtuals ---------------------------------

class VIGIL_SYMBOL_VISIBLE CheckRunner {
 public:
  virtual ~CheckRunner() = default;
  virtual Result run(Context& ctx) noexcept = 0;
};

class VIGIL_SYMBOL_VISIBLE ActionRunner {
 public:
  virtual ~ActionRunner() = default;
  virtual ActionOutcome execute(const Event& event, Context& ctx) noexcept = 0;
};

// The outcome of constructing an instance: the instance, or the option and reason it failed.
template <class Runner>
struct Created {
  std::unique_ptr<Runner> instance;
  std::string error_option;
  std::string error;
};

class VIGIL_SYMBOL_VISIBLE CheckFactory {
 public:
  virtual ~CheckFactory() = default;
  virtual const TypeInfo& info() const noexcept = 0;
  virtual Created<CheckRunner> create(const Options& options) const noexcept = 0;
};

class VIGIL_SYMBOL_VISIBLE ActionFactory {
 public:
  virtual ~ActionFactory() = default;
  virtual const TypeInfo& info() const noexcept = 0;
  virtual Created<ActionRunner> create(const Options& options) const noexcept = 0;
};

// Implemented by the host (and by the testing harness); receives the plugin's factories.
class VIGIL_SYMBOL_VISIBLE Registry {
 public:
  virtual ~Registry() = default;
  virtual void add_check(std::unique_ptr<CheckFactory> factory) = 0;
  virtual void add_action(std::unique_ptr<ActionFactory> factory) = 0;
};

// --- the author's side ----------------------------------------------------------------------

namespace detail {

inline std::string describe_exception(std::exception_ptr e) noexcept {
  try {
    std::rethrow_exception(std::move(e));
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

template <class T>
std::unique_ptr<T> construct(const Options& options) {
  if constexpr (std::is_constructible_v<T, const Options&>) {
    return std::make_unique<T>(options);
  } else {
    static_assert(std::is_default_constructible_v<T>,
                  "a vigil check or action needs a constructor taking (const vigil::sdk::Options&) "
                  "or a default constructor");
    return std::make_unique<T>();
  }
}

template <class T>
class CheckAdapter final : public CheckRunner {
 public:
  explicit CheckAdapter(std::unique_ptr<T> impl) : impl_(std::move(impl)) {}
  Result run(Context& ctx) noexcept override {
    try {
      return impl_->run(ctx);
    } catch (...) {
      return Result::unknown("check failed with an exception: " +
                             describe_exception(std::current_exception()));
    }
  }

 private:
  std::unique_ptr<T> impl_;
};

template <class T>
class ActionAdapter final : public ActionRunner {
 public:
  explicit ActionAdapter(std::unique_ptr<T> impl) : impl_(std::move(impl)) {}
  ActionOutcome execute(const Event& event, Context& ctx) noexcept override {
    try {
      return impl_->execute(event, ctx);
    } catch (...) {
      return ActionOutcome::failure("action failed with an exception: " +
                                    describe_exception(std::current_exception()));
    }
  }

 private:
  std::unique_ptr<T> impl_;
};

template <class T, class Base, class Runner, template <class> class Adapter>
class TypedFactory final : public Base {
 public:
  explicit TypedFactory(TypeInfo info) : info_(std::move(info)) {}
  const TypeInfo& info() const noexcept override { return info_; }
  TypeInfo& mutable_info() noexcept { return info_; }
  Created<Runner> create(const Options& options) const noexcept override {
    Created<Runner> out;
    try {
      out.instance = std::make_unique<Adapter<T>>(construct<T>(options));
    } catch (const ConfigError& e) {
      out.error_option = e.option();
      out.error = e.what();
    } catch (...) {
      out.error = "constructor failed: " + describe_exception(std::current_exception());
    }
    return out;
  }

 private:
  TypeInfo info_;
};

}  // namespace detail

// Declares a type's options, fluently, right after add_check/add_action.
class TypeBuilder {
 public:
  explicit TypeBuilder(TypeInfo& info) : info_(&info) {}

  TypeBuilder& required(std::string name, OptionType type, std::string description) {
    return add(
        {std::move(name), type, OptionType::String, true, std::nullopt, std::move(description)});
  }
  // default_text is written as a user would write it in YAML ("10s", "[200-299]"); {} for none.
  TypeBuilder& optional(std::string name, OptionType type, std::optional<std::string> default_text,
                        std::string description) {
    return add({std::move(name), type, OptionType::String, false, std::move(default_text),
                std::move(description)});
  }
  TypeBuilder& list(std::string name, OptionType element, std::optional<std::string> default_text,
                    std::string description) {
    return add({std::move(name), OptionType::List, element, false, std::move(default_text),
                std::move(description)});
  }
  TypeBuilder& required_list(std::string name, OptionType element, std::string description) {
    return add(
        {std::move(name), OptionType::List, element, true, std::nullopt, std::move(description)});
  }
  TypeBuilder& map(std::string name, OptionType element, std::string description) {
    return add(
        {std::move(name), OptionType::Map, element, false, std::nullopt, std::move(description)});
  }
  // Marks the option declared last as a secret: never echoed or logged by the host.
  TypeBuilder& secret() {
    if (!info_->options.empty())
      info_->options.back().secret = true;
    return *this;
  }

 private:
  TypeBuilder& add(OptionSpec spec) {
    info_->options.push_back(std::move(spec));
    return *this;
  }
  TypeInfo* info_;
};

class PluginBuilder {
 public:
  template <class T>
  TypeBuilder add_check(std::string name, std::string description) {
    static_assert(std::is_base_of_v<Check, T>,
                  "add_check<T>: T must derive from vigil::sdk::Check");
    auto f =
        std::make_unique<detail::TypedFactory<T, CheckFactory, CheckRunner, detail::CheckAdapter>>(
            TypeInfo{PluginKind::Check, std::move(name), std::move(description), {}});
    TypeBuilder b(f->mutable_info());
    checks_.push_back(std::move(f));
    return b;
  }

  template <class T>
  TypeBuilder add_action(std::string name, std::string description) {
    static_assert(std::is_base_of_v<Action, T>,
                  "add_action<T>: T must derive from vigil::sdk::Action");
    auto f = std::make_unique<
        detail::TypedFactory<T, ActionFactory, ActionRunner, detail::ActionAdapter>>(
        TypeInfo{PluginKind::Action, std::move(name), std::move(description), {}});
    TypeBuilder b(f->mutable_info());
    actions_.push_back(std::move(f));
    return b;
  }

  void commit(Registry& registry) {
    for (auto& c : checks_)
      registry.add_check(std::move(c));
    for (auto& a : actions_)
      registry.add_action(std::move(a));
    checks_.clear();
    actions_.clear();
  }

 private:
  std::vector<std::unique_ptr<CheckFactory>> checks_;
  std::vector<std::unique_ptr<ActionFactory>> actions_;
};

namespace detail {
using RegisterFn = void (*)(PluginBuilder&);

inline int run_init(Registry* registry, char* error, std::size_t error_size,
                    RegisterFn fn) noexcept {
  try {
    PluginBuilder builder;
    fn(builder);
    builder.commit(*registry);
    return 0;
  } catch (...) {
    std::string msg = describe_exception(std::current_exception());
    if (error != nullptr && error_size > 0) {
      std::strncpy(error, msg.c_str(), error_size - 1);
      error[error_size - 1] = '\0';
    }
    return 1;
  }
}
}  // namespace detail

}  // namespace vigil::sdk

#if defined(__clang__)
#define VIGIL_SDK_COMPILER_ID "clang"
#define VIGIL_SDK_COMPILER_MAJOR __clang_major__
#elif defined(__GNUC__)
#define VIGIL_SDK_COMPILER_ID "gcc"
#define VIGIL_SDK_COMPILER_MAJOR __GNUC__
#else
#define VIGIL_SDK_COMPILER_ID "unknown"
#define VIGIL_SDK_COMPILER_MAJOR 0
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define VIGIL_SDK_CXX11_ABI _GLIBCXX_USE_CXX11_ABI
#else
#define VIGIL_SDK_CXX11_ABI (-1)
#endif

// Declares the plugin and opens the body of its registration function, where `plugin` is a
// vigil::sdk::PluginBuilder&.
#define VIGIL_PLUGIN(NAME, VERSION, DESCRIPTION)                                                 \
  static void vigil_plugin_register_(::vigil::sdk::PluginBuilder& plugin);                       \
  extern "C" VIGIL_PLUGIN_EXPORT const vigil_plugin_manifest* vigil_plugin_manifest_v1(void) {   \
    static const vigil_plugin_manifest manifest = {sizeof(vigil_plugin_manifest),                \
                                                   VIGIL_PLUGIN_ABI,                             \
                                                   VIGIL_SDK_VERSION_STRING,                     \
                                                   VIGIL_SDK_COMPILER_ID,                        \
                                                   VIGIL_SDK_COMPILER_MAJOR,                     \
                                                   __VERSION__,                                  \
                                                   VIGIL_SDK_CXX11_ABI,                          \
                                                   NAME,                                         \
                                                   VERSION,                                      \
                                                   DESCRIPTION};                                 \
    return &manifest;                                                                            \
  }                                                                                              \
  extern "C" VIGIL_PLUGIN_EXPORT int vigil_plugin_init_v1(                                       \
      ::vigil::sdk::Registry* registry, char* error, size_t error_size) noexcept {               \
    return ::vigil::sdk::detail::run_init(registry, error, error_size, &vigil_plugin_register_); \
  }                                                                                              \
  static void vigil_plugin_register_(::vigil::sdk::PluginBuilder& plugin)
