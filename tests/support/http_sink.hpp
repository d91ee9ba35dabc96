#pragma once
// A capturing HTTP server for tests of plugins that send requests (notifications): it listens
// on 127.0.0.1 on a port of its own, records every request it reads, and answers as told: a
// status and body, never (hang), or by resetting the connection. Started by the constructor,
// stopped by the destructor; Boost.Asio/Beast stay out of this header.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vigil::testing_support {

struct CapturedRequest {
  std::string method;
  std::string target;                          // path and query, e.g. "/api/v2/alerts"
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class HttpSink {
 public:
  // Listening before it returns, answering 200 with an empty body until told otherwise.
  HttpSink();
  ~HttpSink();
  HttpSink(const HttpSink&) = delete;
  HttpSink& operator=(const HttpSink&) = delete;

  std::uint16_t port() const noexcept;
  std::string url(const std::string& path = "/") const;

  // How the requests read from now on are answered.
  void answer(unsigned status, std::string body = {},
              std::string content_type = "application/json");
  void hang();   // reads the request and never answers; the connection stays open
  void reset();  // reads the request, then closes the connection with a TCP RST

  std::vector<CapturedRequest> requests() const;
  void clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::testing_support
