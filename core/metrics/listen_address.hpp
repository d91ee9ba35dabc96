#pragma once
// Where the /metrics endpoint listens: `vigil.metrics.listen` (docs/config.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::core {

struct ListenAddress {
  std::string host;        // an IP literal: "127.0.0.1", "::1", "0.0.0.0"
  std::uint16_t port = 0;  // 0: any free port (the one taken is logged)
  // "127.0.0.1:28445", "[::1]:28445"
  std::string to_string() const;
};

// Parses "HOST:PORT" or "[IPV6]:PORT". HOST must be an IP address, not a name: the daemon
// must not depend on DNS to start, and a name could resolve to a public interface. On failure
// returns nullopt and sets *error to a sentence saying what was expected.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error);

}  // namespace vigil::core
