#include "core/metrics/metrics_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/log/logging.hpp"

namespace vigil::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A scrape is a GET with a few headers; anything bigger is not a scrape.
constexpr std::uint32_t kHeaderLimit = 8192;
constexpr std::uint64_t kBodyLimit = 1024;

constexpr const char* kIndexPage =
    "<!DOCTYPE html>\n<html><head><title>vigil</title></head><body>\n"
    "<h1>vigil</h1>\n<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

struct Shared {
  MetricsServer::Render render;
  std::size_t max_connections = 0;
  std::chrono::milliseconds timeout{0};
  std::size_t active = 0;  // only touched on the server's thread
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    ++shared_->active;
  }
  ~Session() { --shared_->active; }

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    // The whole request must arrive within the timeout, not each byte: a client that trickles
    // a byte a second cannot keep a connection.
    stream_.expires_after(shared_->timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      close();
      return;
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_method).category() ||
          ec == http::error::header_limit || ec == http::error::body_limit) {
        respond(http::status::bad_request, "text/plain; charset=utf-8",
                "400 bad request: " + ec.message() + "\n", 11, false, false);
      } else {
        close();  // reset by the peer and the like: nobody to answer
      }
      return;
    }
    const auto& request = parser_->get();
    if (request.version() != 10 && request.version() != 11) {
      respond(http::status::bad_request, "text/plain; charset=utf-8",
              "400 bad request: HTTP/1.0 or HTTP/1.1 only\n", 11, false, false);
      return;
    }
    std::string_view target(request.target().data(), request.target().size());
    target = target.substr(0, target.find('?'));
    const bool get = request.method() == http::verb::get;
    const bool head = request.method() == http::verb::head;
    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    if (target != "/metrics" && target != "/") {
      respond(http::status::not_found, "text/plain; charset=utf-8",
              "404 not found: vigil serves /metrics\n", version, keep_alive, head);
      return;
    }
    if (!get && !head) {
      respond(http::status::method_not_allowed, "text/plain; charset=utf-8",
              "405 method not allowed: GET or HEAD\n", version, keep_alive, false);
      return;
    }
    if (target == "/") {
      respond(http::status::ok, "text/html; charset=utf-8", kIndexPage, version, keep_alive, head);
      return;
    }
    std::string body;
    try {
      body = shared_->render();
    } catch (const std::exception& e) {
      logger()->error("metrics: rendering /metrics failed: {}", e.what());
      respond(http::status::internal_server_error, "text/plain; charset=utf-8",
              "500 internal error\n", version, false, head);
      return;
    }
    respond(http::status::ok, kExpositionContentType, std::move(body), version, keep_alive, head);
  }

  void respond(http::status status, const char* content_type, std::string body, unsigned version,
               bool keep_alive, bool head) {
    response_ = {};
    response_.version(version);
    response_.result(status);
    response_.set(http::field::server, "vigil");
    response_.set(http::field::content_type, content_type);
    if (status == http::status::method_not_allowed)
      response_.set(http::field::allow, "GET, HEAD");
    response_.keep_alive(keep_alive);
    response_.body() = std::move(body);
    response_.prepare_payload();  // HEAD: the length a GET would have
    if (head)
      response_.body().clear();
    stream_.expires_after(shared_->timeout);
    auto self = shared_from_this();
    auto done = [self](beast::error_code ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) {
        self->close();
        return;
      }
      self->read();
    };
    if (head) {
      // Headers only: a serializer of a HEAD answer must not send the body its length names.
      serializer_.emplace(response_);
      http::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      http::async_write(stream_, response_, std::move(done));
    }
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_{kHeaderLimit + kBodyLimit};
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
};

}  // namespace

struct MetricsServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        if (shared->active >= shared->max_connections) {
          beast::error_code ignored;
          socket.close(ignored);  // over the limit: no answer is the cheapest one
        } else {
          std::make_shared<Session>(std::move(socket), shared)->start();
        }
      }
      accept();
    });
  }
};

MetricsServer::MetricsServer(const MetricsServerOptions& options, Render render)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared->render = std::move(render);
  impl_->shared->max_connections = std::max<std::size_t>(options.max_connections, 1);
  impl_->shared->timeout = options.request_timeout;
  const std::string where = options.listen.to_string();
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.listen.host, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + where + ": not an IP address");
  const tcp::endpoint endpoint(address, options.listen.port);
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
  impl_->thread = std::thread([impl = impl_.get()] {
    for (;;) {
      try {
        impl->io.run();
        return;
      } catch (const std::exception& e) {
        logger()->error("metrics: {}", e.what());
      }
    }
  });
}

MetricsServer::~MetricsServer() {
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->io.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

unsigned short MetricsServer::port() const noexcept {
  beast::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace vigil::core
