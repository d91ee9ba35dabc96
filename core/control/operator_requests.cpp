#include "core/control/operator_requests.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/state/atomic_file.hpp"

namespace vigil::core {

namespace fs = std::filesystem;

namespace {

fs::path requests_dir(const fs::path& state_dir) {
  return state_dir / "requests";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string submit_request(const fs::path& state_dir, OperatorRequest request) {
  const fs::path dir = requests_dir(state_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(dir.string() + ": " + ec.message());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  request.id = std::to_string(ms) + "-" + std::to_string(::getpid()) + "-" + request.verb;
  nlohmann::json j{{"verb", request.verb},
                   {"reason", request.reason},
                   {"by", request.by},
                   {"force", request.force}};
  write_file_atomically(dir / (request.id + ".request"), j.dump() + "\n");
  return request.id;
}

std::vector<OperatorRequest> take_requests(const fs::path& state_dir) {
  std::vector<OperatorRequest> out;
  const fs::path dir = requests_dir(state_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".request")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    OperatorRequest r;
    r.id = file.stem().string();
    try {
      const auto j = nlohmann::json::parse(read_file(file));
      r.verb = j.at("verb").get<std::string>();
      r.reason = j.value("reason", "");
      r.by = j.value("by", "");
      r.force = j.value("force", false);
      out.push_back(std::move(r));
    } catch (const std::exception& e) {
      answer_request(state_dir, r.id, {false, file.string() + ": unreadable request: " + e.what()});
    }
    fs::remove(file, ec);
  }
  return out;
}

void answer_request(const fs::path& state_dir, const std::string& id,
                    const OperatorResponse& response) {
  nlohmann::json j{{"ok", response.ok}, {"message", response.message}};
  write_file_atomically(requests_dir(state_dir) / (id + ".done"), j.dump() + "\n");
}

std::optional<OperatorResponse> take_answer(const fs::path& state_dir, const std::string& id) {
  const fs::path file = requests_dir(state_dir) / (id + ".done");
  std::error_code ec;
  if (!fs::exists(file, ec))
    return std::nullopt;
  OperatorResponse r;
  try {
    const auto j = nlohmann::json::parse(read_file(file));
    r.ok = j.value("ok", false);
    r.message = j.value("message", "");
  } catch (const std::exception& e) {
    r.message = file.string() + ": unreadable answer: " + e.what();
  }
  fs::remove(file, ec);
  return r;
}

std::optional<DaemonLock> DaemonLock::acquire(const fs::path& state_dir, pid_t* holder_pid) {
  const fs::path path = state_dir / "vigil.pid";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error(path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    if (holder_pid != nullptr)
      *holder_pid = holder(state_dir).value_or(0);
    return std::nullopt;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    ::close(fd);
    throw std::runtime_error(path.string() + ": cannot write pid: " + std::strerror(errno));
  }
  return DaemonLock(fd, path);
}

std::optional<pid_t> DaemonLock::holder(const fs::path& state_dir) {
  const fs::path path = state_dir / "vigil.pid";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  // Only a held lock means a live daemon; a pid file left behind by a killed one does not.
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  if (!held)
    ::flock(fd, LOCK_UN);
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  if (!held || n <= 0)
    return std::nullopt;
  const long pid = std::strtol(buf, nullptr, 10);
  if (pid <= 0)
    return std::nullopt;
  return static_cast<pid_t>(pid);
}

DaemonLock::DaemonLock(DaemonLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

DaemonLock& DaemonLock::operator=(DaemonLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

DaemonLock::~DaemonLock() {
  if (fd_ >= 0)
    ::close(fd_);
}

}  // namespace vigil::core
