#include "core/metrics/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace vigil::core {

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<ListenAddress> {
    if (error != nullptr)
      *error = why;
    return std::nullopt;
  };
  const std::string expected =
      "expected HOST:PORT with an IP address (\"127.0.0.1:28445\", \"[::1]:28445\", "
      "\"0.0.0.0:28445\") or off";
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return fail(expected + ", got \"" + std::string(text) + "\"");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  bool v6 = false;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    v6 = true;
  }
  if (host.empty()) {
    return fail("\"" + std::string(text) +
                "\" has no address; write 127.0.0.1:PORT for this host only, 0.0.0.0:PORT for "
                "every interface");
  }
  const std::string host_text(host);
  unsigned char buf[16];
  const bool valid = v6 ? ::inet_pton(AF_INET6, host_text.c_str(), buf) == 1
                        : ::inet_pton(AF_INET, host_text.c_str(), buf) == 1;
  if (!valid) {
    const bool bare_v6 = !v6 && ::inet_pton(AF_INET6, host_text.c_str(), buf) == 1;
    return fail(bare_v6 ? "an IPv6 address needs brackets: \"[" + host_text + "]:PORT\""
                        : "\"" + host_text + "\" is not an IP address (" + expected + ")");
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return fail("\"" + std::string(port_text) + "\" is not a port (0-65535)");
  }
  return ListenAddress{host_text, static_cast<std::uint16_t>(port)};
}

}  // namespace vigil::core
