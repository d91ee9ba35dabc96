#pragma once
// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for integration tests: on
// 127.0.0.1 on a free port, clustering off, one receiver that sends nowhere, its storage in a
// temporary directory. Started by the constructor and waited for until /-/ready answers;
// stopped by stop() or the destructor, which also removes the directory.
//
// Needs plugins/node_resources on the include path for testing/local_server.hpp (the process
// runner and HTTP helpers the other real-server tests use) and libcurl and nlohmann-json.
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "testing/local_server.hpp"

namespace vigil::testing_support {

class AlertmanagerServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/prometheus-alertmanager";
  static bool installed() { return executable(kBinary); }

  AlertmanagerServer() {
    char pattern[] = "/tmp/vigil_alertmanager_XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      error_ = "cannot make a temporary directory";
      return;
    }
    dir_ = pattern;
    std::ofstream(dir_ + "/alertmanager.yml") << "route:\n"
                                                 "  receiver: nowhere\n"
                                                 "receivers:\n"
                                                 "  - name: nowhere\n";
    // A free port can be taken by someone else before Alertmanager binds it; that shows as
    // the process exiting early, and another port is tried.
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (start_once())
        return;
    }
  }
  ~AlertmanagerServer() {
    stop();
    if (!dir_.empty())
      std::filesystem::remove_all(dir_);
  }
  AlertmanagerServer(const AlertmanagerServer&) = delete;
  AlertmanagerServer& operator=(const AlertmanagerServer&) = delete;

  // Empty when it is up; otherwise why it is not.
  const std::string& error() const noexcept { return error_; }
  // "http://127.0.0.1:PORT", no trailing slash.
  const std::string& url() const noexcept { return url_; }
  void stop() { process_.reset(); }

  // GET /api/v2/alerts with the given query ("active=true&filter=alertname%3D%22x%22").
  nlohmann::json alerts(const std::string& query = {}) const {
    std::string body;
    const long status =
        http_get(url_ + "/api/v2/alerts" + (query.empty() ? "" : "?" + query), body);
    if (status != 200)
      return nlohmann::json();
    return nlohmann::json::parse(body, nullptr, false);
  }

 private:
  bool start_once() {
    const int port = free_loopback_port();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    const std::string log = dir_ + "/alertmanager.log";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kBinary, "--config.file=" + dir_ + "/alertmanager.yml",
                                 "--storage.path=" + dir_ + "/data", "--cluster.listen-address=",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        log);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string body;
    while (std::chrono::steady_clock::now() < until) {
      if (http_get(url_ + "/-/ready", body, std::chrono::seconds(1)) == 200) {
        error_.clear();
        return true;
      }
      if (!process_->running()) {
        error_ = "Alertmanager exited at start; see " + log;
        process_.reset();
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    error_ = "Alertmanager was not ready within 30s; see " + log;
    process_.reset();
    return false;
  }

  std::string dir_;
  std::string url_;
  std::string error_ = "not started";
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace vigil::testing_support
