#pragma once
// What the demo verbs share: option parsing with one-line errors, durations, log lines.
#include <boost/program_options.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace vigil::demo {

inline constexpr int kExitUsage = 64;  // as the other verbs (sysexits EX_USAGE)

// Parses `args`; on --help prints usage and the options and sets *exit_code to 0, on an error
// prints one line and sets it to kExitUsage. Returns false when the verb should return.
bool parse_demo_args(const std::vector<std::string>& args,
                     const boost::program_options::options_description& desc, const char* usage,
                     boost::program_options::variables_map& vm, int* exit_code);

// "20s", "500ms", ...; throws std::runtime_error naming the option otherwise.
std::chrono::milliseconds parse_duration_option(const std::string& option, const std::string& text);

// A port from an option value: 0-65535 (0 only where `allow_zero`).
unsigned short parse_port_option(const std::string& option, int value, bool allow_zero);

// One line on stderr with a UTC timestamp: the detached servers' log.
void log_line(const std::string& message);

// Writes `text` to `path` through a temporary file and a rename: readers see the old file or
// the new one, never half of it. Throws std::runtime_error naming the file.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace vigil::demo
