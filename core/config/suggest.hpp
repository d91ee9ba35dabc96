#pragma once
// "Did you mean" for misspelt keys, option names and enumerated values.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::core {

// The candidate closest to `word` when it is close enough to be a likely typo: an edit distance
// (case-insensitive) of at most a third of the word's length, and at least 1.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

// "a, b, c".
std::string join_names(const std::vector<std::string_view>& names);

// "; did you mean 'interval'?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace vigil::core
