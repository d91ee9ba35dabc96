#pragma once
// A blocking HTTP/1.1 client for the demo's verbs (rollback, health tests): one request per
// connection to an IP address, with a deadline on the whole exchange.
#include <chrono>
#include <string>

namespace vigil::demo {

struct HttpReply {
  int status = 0;
  std::string body;
};

// Sends `method target` to host:port (host is an IP address) and returns the reply whatever its
// status. Throws std::runtime_error with a one-line reason naming the URL when no reply came:
// "GET http://127.0.0.1:8080/health: Connection refused".
HttpReply http_request(const std::string& host, unsigned short port, const std::string& method,
                       const std::string& target, const std::string& body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace vigil::demo
