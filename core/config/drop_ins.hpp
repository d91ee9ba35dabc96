#pragma once
// conf.d/: drop-in files merged onto the base configuration, before the environment overlay.
#include <filesystem>
#include <string>
#include <vector>

namespace vigil::core {

struct DropInFile {
  std::filesystem::path path;  // to read
  std::string display;         // in messages: the conf.d directory as the user named it, + name
};

// The *.yaml files directly in `dir`, in lexical (byte) order of their names, so that
// 10-base.yaml comes before 20-site.yaml whatever the locale. Hidden files are skipped, and so
// is anything not ending in .yaml: dpkg's vigil.yaml.dpkg-dist and an editor's foo.yaml~ are not
// configuration. A missing directory has no drop-ins; one that cannot be listed sets *error.
std::vector<DropInFile> list_drop_ins(const std::filesystem::path& dir,
                                      const std::filesystem::path& display_dir, std::string* error);

}  // namespace vigil::core
