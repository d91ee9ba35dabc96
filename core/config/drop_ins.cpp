#include "core/config/drop_ins.hpp"

#include <algorithm>
#include <system_error>

namespace vigil::core {

std::vector<DropInFile> list_drop_ins(const std::filesystem::path& dir,
                                      const std::filesystem::path& display_dir,
                                      std::string* error) {
  namespace fs = std::filesystem;
  std::vector<DropInFile> files;
  std::error_code ec;
  if (!fs::exists(dir, ec))
    return files;
  fs::directory_iterator it(dir, ec);
  for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.front() == '.' || it->path().extension() != ".yaml")
      continue;
    files.push_back({it->path(), (display_dir / name).string()});
  }
  if (ec) {
    *error = display_dir.string() + ": cannot be listed: " + ec.message();
    return {};
  }
  std::sort(files.begin(), files.end(), [](const DropInFile& a, const DropInFile& b) {
    return a.path.filename().string() < b.path.filename().string();
  });
  return files;
}

}  // namespace vigil::core
