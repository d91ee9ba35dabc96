#pragma once
// The /metrics endpoint: HTTP/1.1 on Boost.Beast, on a thread of its own, so a scrape never
// holds up a check and a check never holds up a scrape. Built to face whatever connects:
// a request that is not HTTP gets 400 and the connection closed, a client that does not send
// its request within `request_timeout` (or read the answer within it) is cut off, at most
// `max_connections` are served at once (more are closed on accept), and only GET and HEAD of
// /metrics (and a small page at /) are answered; anything else is 404 or 405.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics/listen_address.hpp"

namespace vigil::core {

struct MetricsServerOptions {
  ListenAddress listen{"127.0.0.1", 0};
  std::size_t max_connections = 8;
  std::chrono::milliseconds request_timeout{10000};
};

class MetricsServer {
 public:
  // Renders the exposition for one scrape, on the server's thread.
  using Render = std::function<std::string()>;

  // Binds, listens and starts the thread. Throws std::runtime_error with one line ("cannot
  // listen on 127.0.0.1:28445: Address already in use").
  MetricsServer(const MetricsServerOptions& options, Render render);
  // Stops accepting, closes every connection and joins the thread.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port it listens on (the one the kernel chose when asked for port 0).
  unsigned short port() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The Content-Type of the text exposition format.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace vigil::core
