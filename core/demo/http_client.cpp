#include "core/demo/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace vigil::demo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpReply http_request(const std::string& host, unsigned short port, const std::string& method,
                       const std::string& target, const std::string& body,
                       std::chrono::milliseconds timeout) {
  const std::string url = method + " http://" + host + ":" + std::to_string(port) + target;
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec)
    throw std::runtime_error(url + ": " + host + " is not an IP address");
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown)
    throw std::runtime_error(url + ": unknown method");

  // Asynchronous operations run to completion on a private io_context: that is how a Beast
  // tcp_stream applies its deadline to connect, write and read alike.
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, host + ":" + std::to_string(port));
  request.set(http::field::user_agent, "vigil-demo");
  request.set(http::field::connection, "close");
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  http::response<http::string_body> response;
  beast::error_code failure;
  const char* stage = "connect";

  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(address, port), [&](beast::error_code connect_ec) {
    if (connect_ec) {
      failure = connect_ec;
      return;
    }
    stage = "send";
    http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        failure = write_ec;
        return;
      }
      stage = "read";
      http::async_read(stream, buffer, response,
                       [&](beast::error_code read_ec, std::size_t) { failure = read_ec; });
    });
  });
  io.run();
  if (failure == beast::error::timeout) {
    throw std::runtime_error(url + ": no reply within " + std::to_string(timeout.count()) +
                             " ms (" + stage + ")");
  }
  if (failure)
    throw std::runtime_error(url + ": " + stage + ": " + failure.message());
  return {static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace vigil::demo
