#pragma once
// A small HTTP/1.1 server on Boost.Beast for the demo's processes (the service and the webhook
// sink): one thread, one io_context, keep-alive, bodies up to 1 MiB. Handlers see plain structs,
// so only this file and http_client.cpp compile Beast.
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

namespace vigil::demo {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and listens on bind_address:port (port 0: any free port). Only loopback addresses are
  // accepted: the demo's processes have no business on a network. Throws std::runtime_error with
  // a one-line reason ("cannot listen on 127.0.0.1:8080: Address already in use").
  HttpServer(boost::asio::io_context& io, const std::string& bind_address, unsigned short port,
             HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const noexcept;
  // Stops accepting; connections in progress finish with the io_context.
  void close();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vigil::demo
