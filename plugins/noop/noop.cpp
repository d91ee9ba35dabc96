// noop: returns a configured status at once. The yardstick for host overhead (scheduler and
// `vigil check` benchmarks) and a way to exercise rules and actions without a real target.
#include <string>

#include <vigil/sdk/sdk.hpp>

namespace {

class NoopCheck final : public vigil::sdk::Check {
 public:
  explicit NoopCheck(const vigil::sdk::Options& options)
      : summary_(options.string("summary")), value_(options.number("value")) {
    const std::string status = options.string("status");
    auto parsed = vigil::sdk::status_from_string(status);
    if (!parsed) {
      throw vigil::sdk::ConfigError(
          "status", "status must be OK, WARNING, CRITICAL or UNKNOWN, got \"" + status + "\"");
    }
    status_ = *parsed;
  }

  vigil::sdk::Result run(vigil::sdk::Context&) override {
    return vigil::sdk::Result::with_status(status_, summary_).metric("value", value_);
  }

 private:
  std::string summary_;
  double value_;
  vigil::sdk::Status status_ = vigil::sdk::Status::Ok;
};

}  // namespace

VIGIL_PLUGIN("noop", VIGIL_SDK_VERSION_STRING, "Does nothing, quickly: a test and benchmark aid") {
  plugin.add_check<NoopCheck>("noop", "Returns the configured status and value at once")
      .optional("status", vigil::sdk::OptionType::String, "OK",
                "Status to report: OK, WARNING, CRITICAL or UNKNOWN")
      .optional("summary", vigil::sdk::OptionType::String, "noop", "Summary line to report")
      .optional("value", vigil::sdk::OptionType::Double, "0", "Value of the metric 'value'");
}
