#include "core/plugin/file_trust.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace vigil::core {

namespace {

namespace fs = std::filesystem;

// What makes a file or directory changeable by someone other than root or us.
struct TrustFlaw {
  std::string description;  // "writable by group (mode 0664)"
  std::string who;          // who could change the code: "others", "uid 1000 (alice)"
  std::string fix;          // the command that removes the flaw, before its operand
};

std::string user_text(uid_t uid) {
  std::string text = "uid " + std::to_string(uid);
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(4096);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    text += " (" + std::string(found->pw_name) + ")";
  }
  return text;
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::optional<TrustFlaw> find_trust_flaw(const struct stat& st) {
  const uid_t euid = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != euid) {
    const std::string owner = user_text(st.st_uid);
    const std::string allowed =
        euid == 0 ? std::string("not root")
                  : "neither root nor the user running vigil (uid " + std::to_string(euid) + ")";
    return TrustFlaw{"owned by " + owner + ", " + allowed, owner, "chown root"};
  }
  const bool group = (st.st_mode & S_IWGRP) != 0;
  const bool others = (st.st_mode & S_IWOTH) != 0;
  if (group || others) {
    const char* whom = group && others ? "group and others" : group ? "group" : "others";
    return TrustFlaw{std::string("writable by ") + whom + " (mode " + octal_mode(st.st_mode) + ")",
                     "others", "chmod go-w"};
  }
  return std::nullopt;
}

// "<subject><flaw>; <loading> would run code <who> can change: <fix> <operand>"
std::string explain(const std::string& subject, const TrustFlaw& flaw, const char* loading,
                    const std::string& operand) {
  return subject + flaw.description + "; " + loading + " would run code " + flaw.who +
         " can change: " + flaw.fix + " " + operand;
}

// stat() or lstat() of `path`, or the sentence saying why it could not be examined.
std::optional<std::string> examine(const fs::path& path, bool follow, struct stat* st) {
  const int rc = follow ? ::stat(path.c_str(), st) : ::lstat(path.c_str(), st);
  if (rc == 0)
    return std::nullopt;
  return std::string("cannot be examined (") + path.string() + ": " + std::strerror(errno) +
         "); a plugin whose owner and mode cannot be checked is not loaded";
}

}  // namespace

std::optional<std::string> untrusted_plugin_file(const fs::path& file) {
  std::error_code ec;
  const fs::path named = fs::absolute(file, ec).lexically_normal();
  const fs::path dir = named.parent_path();
  struct stat st {};

  if (auto error = examine(dir, true, &st))
    return error;
  if (auto flaw = find_trust_flaw(st)) {
    return explain("is in " + dir.string() + ", which is ", *flaw, "loading it", dir.string());
  }
  if (auto error = examine(named, false, &st))
    return error;
  if (!S_ISLNK(st.st_mode)) {
    if (auto flaw = find_trust_flaw(st))
      return explain("is ", *flaw, "loading it", "it");
  }

  // A symlink, in the name or in a directory above it, leads somewhere else: what is loaded is
  // the target, so the target and the directory holding it must be trusted too.
  const fs::path real = fs::canonical(named, ec);
  if (ec) {
    return "cannot be resolved (" + ec.message() + "); fix or remove the symlink that leads to it";
  }
  const fs::path real_dir = real.parent_path();
  if (real_dir != fs::canonical(dir, ec)) {
    if (auto error = examine(real_dir, true, &st))
      return error;
    if (auto flaw = find_trust_flaw(st)) {
      return explain("resolves to " + real.string() + " in " + real_dir.string() + ", which is ",
                     *flaw, "loading it", real_dir.string());
    }
  }
  if (real != named) {
    if (auto error = examine(real, true, &st))
      return error;
    if (auto flaw = find_trust_flaw(st)) {
      return explain("resolves to " + real.string() + ", which is ", *flaw, "loading it",
                     real.string());
    }
  }
  return std::nullopt;
}

std::optional<std::string> untrusted_plugin_directory(const fs::path& dir) {
  struct stat st {};
  if (auto error = examine(dir, true, &st))
    return error;
  if (auto flaw = find_trust_flaw(st)) {
    return explain("is ", *flaw, "loading plugins from it", "it");
  }
  return std::nullopt;
}

}  // namespace vigil::core
