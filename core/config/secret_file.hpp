#pragma once
// `<option>_file: PATH` for an option its plugin declares secret: the value is read from a file
// (a systemd credential, a mounted Kubernetes secret) instead of being written in the config.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/sdk/plugin.hpp"

namespace vigil::core {

// The secret option `key` stands for when it is "<name>_file"; nullptr otherwise, or when the
// type declares `key` itself.
const sdk::OptionSpec* secret_option_for_file_key(const sdk::TypeInfo& type, std::string_view key);

struct SecretFileText {
  std::optional<std::string> text;  // the content, one trailing newline removed
  std::string error;                // when text is absent: "cannot be read: Permission denied"
  bool readable_by_others = false;  // mode has o+r: any local user can read the secret
};

// `path` as written; a relative one is taken from `dir` when given. An empty file (or one
// holding only a newline) is an error: it is always a credential that was not filled in.
SecretFileText read_secret_file(const std::filesystem::path& path,
                                const std::optional<std::filesystem::path>& dir);

}  // namespace vigil::core
