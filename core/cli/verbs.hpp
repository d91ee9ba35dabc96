#pragma once
#include <string>
#include <vector>

namespace vigil::cli {

// Each verb takes the arguments after its name and returns the process exit code.
int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
int silence_command(const std::vector<std::string>& args);
// The operator's verbs (operator_commands.cpp).
int status_command(const std::vector<std::string>& args);
int rollback_command(const std::vector<std::string>& args);
int promote_command(const std::vector<std::string>& args);
int abort_command(const std::vector<std::string>& args);
// The child side of `isolate: true`; not listed in --help.
int isolated_check_command(const std::vector<std::string>& args);

}  // namespace vigil::cli
