// The /metrics server against clients of every kind, through real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "core/metrics/metrics_server.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A raw TCP client: sends bytes as given, reads what comes back until the server closes the
// connection or `limit` passes.
class RawClient {
 public:
  explicit RawClient(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect failed");
  }
  ~RawClient() { ::close(fd_); }

  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads until the peer closes (returns true) or `limit` passes (returns false).
  bool read_until_closed(std::string& out, std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0)
        return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return true;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  // Reads until `text` has arrived (true) or `limit` passes.
  bool read_until(std::string& out, const std::string& text, std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    while (out.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return false;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

 private:
  int fd_ = -1;
};

const std::string kBody = "# HELP up_like x\n# TYPE up_like gauge\nup_like 1\n";

class MetricsServerTest : public ::testing::Test {
 protected:
  void start(const MetricsServerOptions& options = {}) {
    server_ = std::make_unique<MetricsServer>(options, [this] {
      ++renders_;
      if (fail_)
        throw std::runtime_error("database is locked");
      return kBody;
    });
    ASSERT_NE(server_->port(), 0);
  }
  std::string exchange(const std::string& request) {
    RawClient c(server_->port());
    c.send(request);
    std::string out;
    EXPECT_TRUE(c.read_until_closed(out, 5s)) << "the server kept the connection: " << out;
    return out;
  }

  std::unique_ptr<MetricsServer> server_;
  std::atomic<int> renders_{0};
  std::atomic<bool> fail_{false};
};

TEST_F(MetricsServerTest, GetMetricsIsTheExpositionWithItsContentType) {
  start();
  const std::string out = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Content-Length: " + std::to_string(kBody.size()) + "\r\n"),
            std::string::npos);
  EXPECT_EQ(out.substr(out.size() - kBody.size()), kBody);
  // A query string is still /metrics.
  EXPECT_EQ(exchange("GET /metrics?x=1 HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 200 OK", 0), 0u);
}

TEST_F(MetricsServerTest, KeepAliveServesOneRequestAfterAnother) {
  start();
  RawClient c(server_->port());
  std::string out;
  c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.read_until(out, "up_like 1\n", 5s)) << out;
  out.clear();
  c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.read_until(out, "up_like 1\n", 5s)) << out;
  EXPECT_EQ(renders_, 2);
}

TEST_F(MetricsServerTest, HeadHasTheLengthButNoBody) {
  start();
  const std::string out =
      exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("Content-Length: " + std::to_string(kBody.size()) + "\r\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4), "");
}

TEST_F(MetricsServerTest, TheIndexLinksToMetricsAndOtherPathsAre404) {
  start();
  const std::string index = exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(index.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << index;
  EXPECT_NE(index.find("<a href=\"/metrics\">"), std::string::npos) << index;
  for (const char* path : {"/metrics/", "/metricsx", "/api/v1/query", "/../etc/passwd"}) {
    const std::string out =
        exchange(std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << path << ": " << out;
  }
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetricsServerTest, OtherMethodsAre405WithAllow) {
  start();
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    const std::string out = exchange(std::string(method) +
                                     " /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                     "0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << method << ": " << out;
    EXPECT_NE(out.find("Allow: GET, HEAD\r\n"), std::string::npos) << out;
  }
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetricsServerTest, GarbageGets400AndTheConnectionClosed) {
  start();
  for (const std::string& garbage :
       {std::string("HELLO THERE\r\n\r\n"), std::string("\x16\x03\x01\x02\x00\x01\x00", 7),
        std::string("GET /metrics HTTP/9.9\r\n\r\n"), std::string("GET /metrics\r\n\r\n"),
        "GET /metrics HTTP/1.1\r\nX: " + std::string(10000, 'a') + "\r\n\r\n"}) {
    const std::string out = exchange(garbage);  // also asserts the close
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
  }
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetricsServerTest, ASlowClientIsCutOffAtTheTimeout) {
  MetricsServerOptions options;
  options.request_timeout = 300ms;
  start(options);
  RawClient c(server_->port());
  const auto began = Clock::now();
  c.send("GET /metr");  // and nothing more
  std::string out;
  ASSERT_TRUE(c.read_until_closed(out, 5s));
  EXPECT_GE(Clock::now() - began, 250ms);
  EXPECT_EQ(out, "");
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetricsServerTest, ConnectionsBeyondTheLimitAreClosedAndServedOnceOneEnds) {
  MetricsServerOptions options;
  options.max_connections = 2;
  start(options);
  auto first = std::make_unique<RawClient>(server_->port());
  RawClient second(server_->port());
  // The first two are being served, so they are accepted before the third is: a request on
  // each proves it.
  std::string out;
  first->send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(first->read_until(out, "up_like 1\n", 5s));
  out.clear();
  second.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(second.read_until(out, "up_like 1\n", 5s));
  {
    RawClient third(server_->port());
    std::string nothing;
    EXPECT_TRUE(third.read_until_closed(nothing, 5s));  // closed at once, well before 10s
    EXPECT_EQ(nothing, "");
  }
  first.reset();
  // The server notices the first one gone when it reads its EOF: then a new one is served.
  bool served = false;
  for (const auto until = Clock::now() + 5s; !served && Clock::now() < until;) {
    RawClient again(server_->port());
    again.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string answer;
    again.read_until_closed(answer, 5s);
    served = answer.find("up_like 1") != std::string::npos;
  }
  EXPECT_TRUE(served);
}

TEST_F(MetricsServerTest, ARenderThatThrowsIs500) {
  start();
  fail_ = true;
  const std::string out = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << out;
  EXPECT_EQ(out.find("database is locked"), std::string::npos) << "internals stay in the log";
}

TEST_F(MetricsServerTest, APortInUseIsOneLineSayingSo) {
  start();
  MetricsServerOptions options;
  options.listen.port = server_->port();
  try {
    MetricsServer second(options, [] { return std::string(); });
    FAIL() << "bound a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot listen on 127.0.0.1:" + std::to_string(server_->port()) +
                  ": Address already in use");
  }
}

}  // namespace
}  // namespace vigil::core
