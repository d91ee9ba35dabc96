#include "core/config/secret_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vigil::core {

const sdk::OptionSpec* secret_option_for_file_key(const sdk::TypeInfo& type, std::string_view key) {
  constexpr std::string_view kSuffix = "_file";
  if (key.size() <= kSuffix.size() || key.substr(key.size() - kSuffix.size()) != kSuffix)
    return nullptr;
  if (type.find_option(key) != nullptr)
    return nullptr;
  const sdk::OptionSpec* spec = type.find_option(key.substr(0, key.size() - kSuffix.size()));
  return spec != nullptr && spec->secret ? spec : nullptr;
}

SecretFileText read_secret_file(const std::filesystem::path& path,
                                const std::optional<std::filesystem::path>& dir) {
  SecretFileText out;
  const std::filesystem::path file = path.is_relative() && dir ? *dir / path : path;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    out.error = std::string("cannot be read: ") + std::strerror(errno);
    return out;
  }
  if (S_ISDIR(st.st_mode)) {
    out.error = "is a directory, not a file";
    return out;
  }
  out.readable_by_others = (st.st_mode & S_IROTH) != 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    out.error = std::string("cannot be read: ") + std::strerror(errno);
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    out.error = std::string("cannot be read: ") + std::strerror(errno);
    return out;
  }
  std::string value = text.str();
  // `echo secret > file` and most editors end the file with a newline that is no part of it.
  if (!value.empty() && value.back() == '\n')
    value.pop_back();
  if (value.empty()) {
    out.error = "is empty";
    return out;
  }
  out.text = std::move(value);
  return out;
}

}  // namespace vigil::core
