#pragma once
// The hidden verbs behind the demo pipeline (configs/default.yaml), so the demo needs nothing but
// the vigil binary: its config calls them as `${VIGIL_EXE} __demo-service ...`. Not listed in
// --help. Each takes the arguments after its name and returns the exit code.
#include <string>
#include <vector>

namespace vigil::demo {

// `__demo-service`: the simulated service (serve, --rollback client, --stop).
int demo_service_command(const std::vector<std::string>& args);
// `__demo-tests`: the service's production health tests, written as a JUnit report.
int demo_tests_command(const std::vector<std::string>& args);
// `__demo-webhook-sink`: records every request it receives, one JSON line each.
int webhook_sink_command(const std::vector<std::string>& args);

}  // namespace vigil::demo
