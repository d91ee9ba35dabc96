#include "core/demo/verb_support.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "vigil/sdk/units.hpp"

namespace po = boost::program_options;

namespace vigil::demo {

bool parse_demo_args(const std::vector<std::string>& args, const po::options_description& desc,
                     const char* usage, po::variables_map& vm, int* exit_code) {
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << usage << "\n\n" << desc << "\n";
      *exit_code = 0;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << e.what() << "\n" << usage << "\n";
    *exit_code = kExitUsage;
    return false;
  }
  return true;
}

std::chrono::milliseconds parse_duration_option(const std::string& option,
                                                const std::string& text) {
  const auto parsed = sdk::parse_duration(text);
  if (!parsed || parsed->count() < 0)
    throw std::runtime_error(option + " " + text + ": not a duration (e.g. 500ms, 20s, 1m)");
  return *parsed;
}

unsigned short parse_port_option(const std::string& option, int value, bool allow_zero) {
  if (value < (allow_zero ? 0 : 1) || value > 65535) {
    throw std::runtime_error(option + " " + std::to_string(value) + ": not a port (" +
                             (allow_zero ? "0" : "1") + "-65535)");
  }
  return static_cast<unsigned short>(value);
}

void log_line(const std::string& message) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::cerr << stamp << " " << message << "\n" << std::flush;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out)
      throw std::runtime_error(path + ": cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": " + why);
  }
}

}  // namespace vigil::demo
