#pragma once
// The exposition as a file for node_exporter's textfile collector
// (--collector.textfile.directory), for hosts that already run node_exporter: replaced
// atomically (a temporary file in the same directory, then a rename), so node_exporter never
// reads half a file.
#include <filesystem>
#include <string_view>

namespace vigil::core {

class TextfileWriter {
 public:
  explicit TextfileWriter(std::filesystem::path path) : path_(std::move(path)) {}

  // Throws StateError with the path and the reason; the old file stays.
  void write(std::string_view exposition) const;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace vigil::core
