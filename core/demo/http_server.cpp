#include "core/demo/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <utility>

namespace vigil::demo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBodyBytes = std::size_t{1} << 20;
// A client that connects and says nothing must not hold a connection forever.
constexpr std::chrono::seconds kIdleTimeout{10};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const HttpHandler> handler)
      : stream_(std::move(socket)), handler_(std::move(handler)) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec)
      return;  // timeout, reset or a malformed request: nothing useful to answer
    http::request<http::string_body> request = parser_->release();
    HttpRequest plain{std::string(request.method_string()), std::string(request.target()),
                      std::move(request.body())};
    HttpResponse answer;
    try {
      answer = (*handler_)(plain);
    } catch (const std::exception& e) {
      answer = {500, "text/plain", std::string("internal error: ") + e.what() + "\n"};
    }
    response_ = {};
    response_.version(request.version());
    response_.result(static_cast<unsigned>(answer.status));
    response_.set(http::field::server, "vigil-demo");
    response_.set(http::field::content_type, answer.content_type);
    response_.keep_alive(request.keep_alive());
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        self->on_write(write_ec);
                      });
  }

  void on_write(beast::error_code ec) {
    if (ec)
      return;
    if (!response_.keep_alive()) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    read();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<const HttpHandler> handler_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, HttpHandler h)
      : acceptor(io), handler(std::make_shared<const HttpHandler>(std::move(h))) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open())
        return;
      if (!ec)
        std::make_shared<Session>(std::move(socket), self->handler)->start();
      self->accept();
    });
  }

  tcp::acceptor acceptor;
  std::shared_ptr<const HttpHandler> handler;
};

HttpServer::HttpServer(asio::io_context& io, const std::string& bind_address, unsigned short port,
                       HttpHandler handler)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {
  const std::string where = bind_address + ":" + std::to_string(port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(bind_address, ec);
  if (ec)
    throw std::runtime_error("--bind " + bind_address + ": not an IP address");
  if (!address.is_loopback())
    throw std::runtime_error("--bind " + bind_address +
                             ": the demo listens on loopback only (127.0.0.1 or ::1)");
  const tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  impl_->accept();
}

HttpServer::~HttpServer() {
  close();
}

unsigned short HttpServer::port() const noexcept {
  beast::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::close() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace vigil::demo
