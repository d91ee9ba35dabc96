#include "core/state/state_dir.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace vigil::core {

namespace {

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string(v);
}

std::filesystem::path home_dir() {
  if (auto home = env_var("HOME"))
    return *home;
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_dir != nullptr)
    return pw->pw_dir;
  return "/";
}

}  // namespace

std::filesystem::path resolve_state_dir(const std::optional<std::filesystem::path>& cli,
                                        const std::optional<std::filesystem::path>& config) {
  return resolve_state_dir(cli, config, ::geteuid() == 0);
}

std::filesystem::path resolve_state_dir(const std::optional<std::filesystem::path>& cli,
                                        const std::optional<std::filesystem::path>& config,
                                        bool running_as_root) {
  if (cli && !cli->empty())
    return *cli;
  if (config && !config->empty())
    return *config;
  if (auto systemd = env_var("STATE_DIRECTORY"))
    return systemd->substr(0, systemd->find(':'));
  if (running_as_root)
    return "/var/lib/vigil";
  // XDG says a relative $XDG_STATE_HOME is invalid and must be ignored.
  if (auto xdg = env_var("XDG_STATE_HOME"); xdg && xdg->front() == '/')
    return std::filesystem::path(*xdg) / "vigil";
  return home_dir() / ".local" / "state" / "vigil";
}

}  // namespace vigil::core
