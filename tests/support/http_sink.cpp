#include "http_sink.hpp"

#include <cctype>
#include <mutex>
#include <thread>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vigil::testing_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

enum class Mode { Answer, Hang, Reset };

struct Reply {
  Mode mode = Mode::Answer;
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
};

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

struct HttpSink::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;

  mutable std::mutex mu;
  Reply reply;
  std::vector<CapturedRequest> captured;

  class Session;
  std::vector<std::shared_ptr<Session>> hung;  // io thread only: kept open until the end

  void accept();
};

class HttpSink::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl& sink) : socket_(std::move(socket)), sink_(sink) {}

  void read() {
    request_ = {};
    http::async_read(
        socket_, buffer_, request_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec)
      return close();
    CapturedRequest seen;
    seen.method = std::string(request_.method_string());
    seen.target = std::string(request_.target());
    for (const auto& field : request_)
      seen.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    seen.body = request_.body();
    Reply reply;
    {
      std::lock_guard<std::mutex> lock(sink_.mu);
      sink_.captured.push_back(std::move(seen));
      reply = sink_.reply;
    }
    switch (reply.mode) {
      case Mode::Hang:
        sink_.hung.push_back(shared_from_this());
        return;
      case Mode::Reset: {
        beast::error_code ignored;
        socket_.set_option(asio::socket_base::linger(true, 0), ignored);
        socket_.close(ignored);
        return;
      }
      case Mode::Answer:
        break;
    }
    response_ = {};
    response_.version(request_.version());
    response_.result(static_cast<http::status>(reply.status));
    response_.set(http::field::content_type, reply.content_type);
    response_.keep_alive(request_.keep_alive());
    response_.body() = reply.body;
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        if (write_ec || !self->response_.keep_alive())
                          return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  Impl& sink_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void HttpSink::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec)
      return;  // the acceptor was closed: the sink is stopping
    std::make_shared<Session>(std::move(socket), *this)->read();
    accept();
  });
}

HttpSink::HttpSink() : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(loopback.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(loopback);
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

HttpSink::~HttpSink() {
  impl_->io.stop();
  impl_->thread.join();
  impl_->hung.clear();  // closes the connections left hanging
}

std::uint16_t HttpSink::port() const noexcept {
  return impl_->acceptor.local_endpoint().port();
}

std::string HttpSink::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

void HttpSink::answer(unsigned status, std::string body, std::string content_type) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->reply = {Mode::Answer, status, std::move(body), std::move(content_type)};
}

void HttpSink::hang() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->reply.mode = Mode::Hang;
}

void HttpSink::reset() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->reply.mode = Mode::Reset;
}

std::vector<CapturedRequest> HttpSink::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->captured;
}

void HttpSink::clear() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->captured.clear();
}

}  // namespace vigil::testing_support
