// file_age: how long ago a file was last modified. A heartbeat file that a job touches, a
// report a CI run writes: if it stops changing, something upstream stopped.
//
// The plugin only measures (age_seconds, size_bytes); whether an age is too old is a threshold
// in the operator's config, judged by the host.
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include <vigil/sdk/sdk.hpp>

namespace {

class FileAgeCheck final : public vigil::sdk::Check {
 public:
  explicit FileAgeCheck(const vigil::sdk::Options& options)
      : path_(options.string("path")), missing_ok_(options.flag("missing_ok")) {
    if (path_.empty())
      throw vigil::sdk::ConfigError("path", "path must not be empty");
  }

  vigil::sdk::Result run(vigil::sdk::Context& ctx) override {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      const std::string why = path_ + ": " + std::strerror(errno);
      if (errno == ENOENT && missing_ok_)
        return vigil::sdk::Result::ok(why + " (allowed)");
      return vigil::sdk::Result::critical(why);
    }
    const auto mtime = std::chrono::system_clock::time_point{
        std::chrono::seconds{st.st_mtim.tv_sec} +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds{st.st_mtim.tv_nsec})};
    const double age = std::chrono::duration<double>(ctx.now() - mtime).count();
    ctx.log().debug("stat " + path_);
    return vigil::sdk::Result::ok(path_ + " modified " + std::to_string(static_cast<long>(age)) +
                                  "s ago")
        .metric("age_seconds", age, "s")
        .metric("size_bytes", static_cast<double>(st.st_size), "B");
  }

 private:
  std::string path_;
  bool missing_ok_;
};

}  // namespace

VIGIL_PLUGIN("file_age", "1.0.0", "Age and size of a file (an example plugin)") {
  plugin.add_check<FileAgeCheck>("file_age", "Seconds since a file was last modified")
      .required("path", vigil::sdk::OptionType::String, "File to watch")
      .optional("missing_ok", vigil::sdk::OptionType::Bool, "false",
                "Report OK instead of CRITICAL when the file does not exist");
}
