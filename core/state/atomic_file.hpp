#pragma once
#include <filesystem>
#include <string_view>

namespace vigil::core {

// Replaces `path` with `content` so that readers see either the old file or the new one, never
// a partial write, even across a crash: a temporary file in the same directory is written and
// fsynced, then renamed over the target, then the directory is fsynced. The file keeps the mode
// of the one it replaces (0640 when new). On failure the old content stays and StateError says
// why.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace vigil::core
