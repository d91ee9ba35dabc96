// http_probe against a real nginx on 127.0.0.1 and small socket servers that misbehave on
// purpose, all started and stopped by the test. nginx runs in the foreground as one process
// with every path inside a temporary directory, so the test runs as root or not and leaves
// nothing behind in /var.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <vigil/sdk/testing.hpp>

namespace {

namespace fs = std::filesystem;
using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using Options = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> find_program(const std::string& name) {
  for (const std::string dir :
       {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"}) {
    const std::string path = dir + "/" + name;
    if (access(path.c_str(), X_OK) == 0)
      return path;
  }
  return std::nullopt;
}

int listen_on_loopback(std::uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 64) != 0) {
    close(fd);
    return -1;
  }
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

// A port nobody listens on (for nginx to take, or to be refused on).
std::uint16_t unused_port() {
  std::uint16_t port = 0;
  const int fd = listen_on_loopback(port);
  close(fd);
  return port;
}

// Reads a request's head, so a reply is not answered before it was asked.
void read_request_head(int fd) {
  std::string seen;
  char buffer[4096];
  while (seen.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      return;
    seen.append(buffer, static_cast<std::size_t>(n));
  }
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// A server on 127.0.0.1 that hands each connection to `serve`, one at a time. It listens
// before the constructor returns, so a probe started afterwards always finds it; without a
// handler it never accepts, and the kernel's backlog leaves clients waiting for an answer.
class TinyServer {
 public:
  explicit TinyServer(std::function<void(int)> serve = {}) {
    listen_fd_ = listen_on_loopback(port_);
    if (listen_fd_ < 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    if (serve)
      thread_ = std::thread([this, serve = std::move(serve)] { accept_loop(serve); });
  }
  ~TinyServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (client_fd_ >= 0)
        shutdown(client_fd_, SHUT_RDWR);  // wakes a handler blocked on its client
    }
    if (thread_.joinable())
      thread_.join();
    close(listen_fd_);
  }
  TinyServer(const TinyServer&) = delete;
  TinyServer& operator=(const TinyServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void accept_loop(const std::function<void(int)>& serve) {
    while (!stopping_) {
      const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0)
        return;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        client_fd_ = client;
      }
      serve(client);
      std::lock_guard<std::mutex> lock(mutex_);
      client_fd_ = -1;
      close(client);
    }
  }

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  int client_fd_ = -1;
  std::thread thread_;
};

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// nginx serving the locations the tests probe, plus TLS when openssl made a certificate.
class Nginx {
 public:
  Nginx(const std::string& binary, const fs::path& dir, std::uint16_t silent_port, bool tls)
      : dir_(dir), http_port_(unused_port()), https_port_(tls ? unused_port() : 0) {
    const std::string d = dir.string();
    std::ostringstream conf;
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "pid " << d << "/nginx.pid;\nerror_log " << d << "/error.log warn;\n"
         << "events { worker_connections 512; }\n"
         << "http {\n  access_log off;\n  default_type text/plain;\n"
         << "  client_body_temp_path " << d << "/client_body;\n"
         << "  proxy_temp_path " << d << "/proxy;\n  fastcgi_temp_path " << d << "/fastcgi;\n"
         << "  uwsgi_temp_path " << d << "/uwsgi;\n  scgi_temp_path " << d << "/scgi;\n"
         << "  server {\n    listen 127.0.0.1:" << http_port_ << ";\n"
         << "    location = /ok { return 200 \"all good\\n\"; }\n"
         << "    location = /notfound { return 404; }\n"
         << "    location = /unavailable { return 503; }\n"
         << "    location = /created { return 201 \"made\\n\"; }\n"
         << "    location = /hop1 { return 302 /hop2; }\n"
         << "    location = /hop2 { return 302 /hop3; }\n"
         << "    location = /hop3 { return 302 /ok; }\n"
         << "    location = /loop { return 302 /loop; }\n"
         << "    location = /api/health { default_type application/json;\n"
         << "      return 200 '{\"commit\":\"3f4b\",\"database\":\"ok\",\"version\":\"10.2.3\"}'; "
            "}\n"
         << "    location = /api/health-failing { default_type application/json;\n"
         << "      return 200 '{\"database\":\"failing\"}'; }\n"
         << "    location = /slow { proxy_pass http://127.0.0.1:" << silent_port << ";\n"
         << "      proxy_read_timeout 60s; }\n"
         << "  }\n";
    if (tls) {
      conf << "  server {\n    listen 127.0.0.1:" << https_port_ << " ssl;\n"
           << "    ssl_certificate " << d << "/cert.pem;\n"
           << "    ssl_certificate_key " << d << "/key.pem;\n"
           << "    location / { return 200 \"secure\\n\"; }\n  }\n";
    }
    conf << "}\n";
    std::ofstream(dir / "nginx.conf") << conf.str();

    pid_ = fork();
    if (pid_ == 0) {
      const std::string conf_path = d + "/nginx.conf";
      const std::string error_log = d + "/error.log";
      execl(binary.c_str(), binary.c_str(), "-p", d.c_str(), "-e", error_log.c_str(), "-c",
            conf_path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Nginx() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  // Waits until nginx accepts connections; the reason it did not otherwise.
  std::optional<std::string> wait_ready() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        std::ifstream log(dir_ / "error.log");
        std::stringstream text;
        text << log.rdbuf();
        return "nginx exited: " + text.str();
      }
      if (accepts(http_port_) && (https_port_ == 0 || accepts(https_port_)))
        return std::nullopt;
      // Polling for another process's listening socket: it gives no other signal.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "nginx did not listen within 15s";
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http_port_) + path;
  }
  std::string https_url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(https_port_) + path;
  }

 private:
  static bool accepts(std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
  }

  fs::path dir_;
  std::uint16_t http_port_;
  std::uint16_t https_port_;
  pid_t pid_ = -1;
};

class HttpProbeIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto binary = find_program("nginx");
    if (!binary) {
      skip_reason_ = "nginx is not installed (apt-get install nginx-light)";
      return;
    }
    char pattern[] = "/tmp/vigil-http-probe-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      skip_reason_ = "cannot make a temporary directory";
      return;
    }
    dir_ = new fs::path(pattern);
    if (const auto openssl = find_program("openssl")) {
      // A self-signed certificate for 127.0.0.1, valid for 30 days from now.
      const std::string command =
          *openssl +
          " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 " +
          "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
          (*dir_ / "key.pem").string() + " -out " + (*dir_ / "cert.pem").string() +
          " >/dev/null 2>&1";
      tls_ = std::system(command.c_str()) == 0;
    }
    silent_upstream_ = new TinyServer();
    nginx_ = new Nginx(*binary, *dir_, silent_upstream_->port(), tls_);
    if (auto failed = nginx_->wait_ready())
      skip_reason_ = *failed;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    delete silent_upstream_;
    silent_upstream_ = nullptr;
    if (dir_ != nullptr) {
      std::error_code ignored;
      fs::remove_all(*dir_, ignored);
      delete dir_;
      dir_ = nullptr;
    }
  }
  void SetUp() override {
    if (!skip_reason_.empty())
      GTEST_SKIP() << skip_reason_;
    // cert_expiry_days is measured from the context's clock: make it today.
    ctx_.manual_clock().set(std::chrono::system_clock::now());
  }

  Result probe(const Options& options) { return plugin_.check("http_probe", options)->run(ctx_); }

  static std::optional<double> metric(const Result& r, const std::string& name,
                                      const std::string& target = "") {
    for (const auto& m : r.metrics()) {
      const auto label = m.labels.find("target");
      const std::string labelled = label == m.labels.end() ? "" : label->second;
      if (m.name == name && labelled == target)
        return m.value;
    }
    return std::nullopt;
  }
  static bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
  }

  static inline std::string skip_reason_;
  static inline fs::path* dir_ = nullptr;
  static inline bool tls_ = false;
  static inline TinyServer* silent_upstream_ = nullptr;
  static inline Nginx* nginx_ = nullptr;

  LocalPlugin plugin_;
  FakeContext ctx_;
};

TEST_F(HttpProbeIntegration, Status200IsOkWithPhaseMetrics) {
  const Result r = probe({{"url", nginx_->url("/ok")}});
  EXPECT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_TRUE(contains(r.summary(), "HTTP 200 in ")) << r.summary();
  EXPECT_EQ(metric(r, "status_code"), 200);
  EXPECT_EQ(metric(r, "body_bytes"), 9);
  for (const char* phase : {"duration_seconds", "dns_seconds", "connect_seconds", "ttfb_seconds"}) {
    ASSERT_TRUE(metric(r, phase)) << phase;
    EXPECT_GE(*metric(r, phase), 0.0) << phase;
    EXPECT_LT(*metric(r, phase), 5.0) << phase;
  }
  EXPECT_GT(*metric(r, "duration_seconds"), 0.0);
  EXPECT_FALSE(metric(r, "tls_seconds"));
  EXPECT_FALSE(metric(r, "cert_expiry_days"));
}

TEST_F(HttpProbeIntegration, Status404And503AreCritical) {
  const Result not_found = probe({{"url", nginx_->url("/notfound")}});
  EXPECT_EQ(not_found.status(), Status::Critical);
  EXPECT_EQ(not_found.summary(), nginx_->url("/notfound") + ": HTTP 404, expected 200-299");
  EXPECT_EQ(metric(not_found, "status_code"), 404);

  const Result unavailable = probe({{"url", nginx_->url("/unavailable")}});
  EXPECT_EQ(unavailable.status(), Status::Critical);
  EXPECT_TRUE(contains(unavailable.summary(), "HTTP 503, expected 200-299"))
      << unavailable.summary();
}

TEST_F(HttpProbeIntegration, ExpectStatusRanges) {
  EXPECT_EQ(
      probe({{"url", nginx_->url("/notfound")}, {"expect_status", "[200, 400-404]"}}).status(),
      Status::Ok);
  EXPECT_EQ(probe({{"url", nginx_->url("/unavailable")}, {"expect_status", "5xx"}}).status(),
            Status::Ok);
  const Result created = probe({{"url", nginx_->url("/created")}, {"expect_status", "200"}});
  EXPECT_EQ(created.status(), Status::Critical);
  EXPECT_TRUE(contains(created.summary(), "HTTP 201, expected 200")) << created.summary();
}

TEST_F(HttpProbeIntegration, RedirectChainIsFollowed) {
  const Result followed = probe({{"url", nginx_->url("/hop1")}});
  EXPECT_EQ(followed.status(), Status::Ok) << followed.summary();
  EXPECT_EQ(metric(followed, "status_code"), 200);

  const Result not_followed = probe({{"url", nginx_->url("/hop1")}, {"follow_redirects", "false"}});
  EXPECT_EQ(not_followed.status(), Status::Critical);
  EXPECT_TRUE(contains(not_followed.summary(), "HTTP 302")) << not_followed.summary();

  const Result too_far = probe({{"url", nginx_->url("/hop1")}, {"max_redirects", "2"}});
  EXPECT_EQ(too_far.status(), Status::Critical);
  EXPECT_TRUE(contains(too_far.summary(), "too many redirects")) << too_far.summary();
}

TEST_F(HttpProbeIntegration, RedirectLoopIsCritical) {
  const Result r = probe({{"url", nginx_->url("/loop")}});
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_EQ(r.summary(),
            nginx_->url("/loop") + ": redirect loop or too many redirects (more than 5)");
}

TEST_F(HttpProbeIntegration, BodyRegexes) {
  EXPECT_EQ(probe({{"url", nginx_->url("/ok")}, {"body_regex", "^all (good|fine)$"}}).status(),
            Status::Ok);
  const Result missing = probe({{"url", nginx_->url("/ok")}, {"body_regex", "healthy"}});
  EXPECT_EQ(missing.status(), Status::Critical);
  EXPECT_TRUE(contains(missing.summary(), "body does not match body_regex \"healthy\""))
      << missing.summary();
  const Result present = probe({{"url", nginx_->url("/ok")}, {"body_not_regex", "good"}});
  EXPECT_EQ(present.status(), Status::Critical);
  EXPECT_TRUE(contains(present.summary(), "body matches body_not_regex \"good\""))
      << present.summary();
  EXPECT_EQ(probe({{"url", nginx_->url("/ok")}, {"body_not_regex", "error"}}).status(), Status::Ok);
}

TEST_F(HttpProbeIntegration, JsonExpectAsForGrafanaHealth) {
  EXPECT_EQ(probe({{"url", nginx_->url("/api/health")}, {"json_expect.database", "ok"}}).status(),
            Status::Ok);
  const Result failing =
      probe({{"url", nginx_->url("/api/health-failing")}, {"json_expect.database", "ok"}});
  EXPECT_EQ(failing.status(), Status::Critical);
  EXPECT_EQ(failing.summary(), nginx_->url("/api/health-failing") +
                                   ": json database: got \"failing\", expected \"ok\"");
  const Result not_json = probe({{"url", nginx_->url("/ok")}, {"json_expect.database", "ok"}});
  EXPECT_EQ(not_json.status(), Status::Critical);
  EXPECT_TRUE(contains(not_json.summary(), "invalid JSON")) << not_json.summary();
}

TEST_F(HttpProbeIntegration, SelfSignedCertificateFailsVerification) {
  if (!tls_)
    GTEST_SKIP() << "openssl is not installed, so the test has no certificate";
  const Result r = probe({{"url", nginx_->https_url("/")}});
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_TRUE(contains(r.summary(), "TLS verify failed")) << r.summary();
}

TEST_F(HttpProbeIntegration, CaFileVerifiesAndCertExpiryIsMeasured) {
  if (!tls_)
    GTEST_SKIP() << "openssl is not installed, so the test has no certificate";
  const std::string ca = (*dir_ / "cert.pem").string();
  const Result r = probe({{"url", nginx_->https_url("/")}, {"ca_file", ca}});
  EXPECT_EQ(r.status(), Status::Ok) << r.summary();
  ASSERT_TRUE(metric(r, "cert_expiry_days"));
  EXPECT_NEAR(*metric(r, "cert_expiry_days"), 30.0, 0.1);
  ASSERT_TRUE(metric(r, "tls_seconds"));
  EXPECT_GT(*metric(r, "tls_seconds"), 0.0);

  const Result soon =
      probe({{"url", nginx_->https_url("/")}, {"ca_file", ca}, {"cert_expiry_warning", "60d"}});
  EXPECT_EQ(soon.status(), Status::Warning);
  // 30 days to the second, or a second less by the time it is measured.
  EXPECT_TRUE(contains(soon.summary(), "certificate expires in 29 days") ||
              contains(soon.summary(), "certificate expires in 30 days"))
      << soon.summary();

  const Result unverified = probe({{"url", nginx_->https_url("/")}, {"tls_verify", "false"}});
  EXPECT_EQ(unverified.status(), Status::Ok) << unverified.summary();
}

TEST_F(HttpProbeIntegration, SlowUpstreamTimesOut) {
  const auto started = std::chrono::steady_clock::now();
  const Result r = probe({{"url", nginx_->url("/slow")}, {"timeout", "300ms"}});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_TRUE(contains(r.summary(), "timeout")) << r.summary();
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(HttpProbeIntegration, ContextDeadlineBoundsTheTimeout) {
  FakeContext short_deadline("deadline", std::chrono::milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  const Result r =
      plugin_.check("http_probe", {{"url", nginx_->url("/slow")}})->run(short_deadline);
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(HttpProbeIntegration, ResetMidResponse) {
  TinyServer resetting([](int fd) {
    read_request_head(fd);
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + std::string(1000, 'x'));
    const linger abort_on_close{1, 0};  // close() then sends RST, not FIN
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  });
  const Result r = probe({{"url", resetting.url()}});
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_TRUE(contains(r.summary(), "reset mid-response")) << r.summary();
}

TEST_F(HttpProbeIntegration, GarbageServer) {
  TinyServer garbage([](int fd) {
    read_request_head(fd);
    send_all(fd, std::string("SSH-2.0-OpenSSH_9.2p1\r\n\x01\x02\xff junk\r\n\r\n"));
  });
  const Result r = probe({{"url", garbage.url()}});
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_TRUE(contains(r.summary(), "not an HTTP response")) << r.summary();
}

TEST_F(HttpProbeIntegration, ConnectionRefused) {
  const std::string url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/";
  const Result r = probe({{"url", url}});
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_EQ(r.summary(), url + ": connection refused");
}

TEST_F(HttpProbeIntegration, EndlessBodyStopsAtMaxBody) {
  TinyServer endless([](int fd) {
    read_request_head(fd);
    const std::string chunk(16384, 'a');
    if (!send_all(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"))
      return;
    while (send_all(fd, chunk)) {
    }
  });
  const long before_kib = resident_kib();
  for (int round = 0; round < 3; ++round) {
    const Result r = probe({{"url", endless.url()}, {"max_body", "256KiB"}});
    EXPECT_EQ(r.status(), Status::Ok) << r.summary();
    EXPECT_EQ(metric(r, "body_bytes"), 256 * 1024);
  }
  EXPECT_LT(resident_kib() - before_kib, 32 * 1024);

  const Result checked =
      probe({{"url", endless.url()}, {"max_body", "64KiB"}, {"body_regex", "b"}});
  EXPECT_EQ(checked.status(), Status::Critical);
  EXPECT_TRUE(contains(checked.summary(), "larger than max_body")) << checked.summary();
}

TEST_F(HttpProbeIntegration, SeveralTargetsSomeFailing) {
  const std::string refused = "http://127.0.0.1:" + std::to_string(unused_port()) + "/";
  const std::string ok = nginx_->url("/ok");
  const std::string health = nginx_->url("/api/health");
  const std::string unavailable = nginx_->url("/unavailable");
  const Result r =
      probe({{"targets", "[" + ok + ", " + health + ", " + unavailable + ", " + refused + "]"},
             {"concurrency", "2"}});
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_EQ(r.summary(), "2/4 targets up; down: " + unavailable +
                             " (HTTP 503, expected 200-299), " + refused + " (connection refused)");
  EXPECT_EQ(metric(r, "targets_up"), 2);
  EXPECT_EQ(metric(r, "targets_total"), 4);
  EXPECT_EQ(metric(r, "status_code", ok), 200);
  EXPECT_EQ(metric(r, "status_code", unavailable), 503);
  EXPECT_TRUE(metric(r, "duration_seconds", refused));
  EXPECT_FALSE(metric(r, "status_code"));  // every metric carries its target

  const Result all_up = probe({{"targets", "[" + ok + ", " + health + "]"}});
  EXPECT_EQ(all_up.status(), Status::Ok);
  EXPECT_EQ(all_up.summary(), "2/2 targets up");
}

}  // namespace
