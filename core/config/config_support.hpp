#pragma once
// Bookkeeping shared by both loader phases.
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace vigil::core {

// Orders issues by file (in the order the files were read, so the base comes before its
// overlay), then line, then column; issues of one node keep the order they were found in.
void sort_issues(std::vector<ConfigIssue>& issues, const std::vector<std::string>& sources);

// Removes duplicates and empty values, longest first (see Config::secrets).
void normalize_secrets(std::vector<std::string>& secrets);

// `text` quoted for a message, or a neutral phrase when a secret appears in it: names and types
// may come from ${VAR}s too, and substituted values never reach a message.
std::string quote_unless_secret(const std::string& text, const std::vector<std::string>& secrets);

}  // namespace vigil::core
