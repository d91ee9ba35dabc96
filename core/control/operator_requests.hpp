#pragma once
// How an operator's `vigil rollback --now`, `vigil promote` and `vigil abort` reach the running
// daemon: the verb writes a request file into <state_dir>/requests/ (atomically) and sends the
// daemon SIGUSR1; the daemon takes the requests, acts through the same engine as automatic
// actions (recorded the same way), and writes <request>.done with the outcome, which the verb
// waits for and prints. Files rather than a socket: nothing listens, nothing to secure beyond
// the state directory's permissions, and a request survives a daemon restart.
//
// The daemon holds an exclusive lock on <state_dir>/vigil.pid for its lifetime, so a second
// `vigil run` on the same state refuses to start and the verbs know whom to signal.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vigil::core {

struct OperatorRequest {
  std::string id;      // file stem, "1764400000123-rollback"
  std::string verb;    // rollback | promote | abort
  std::string reason;  // required text: it goes into the log, the record and the report
  std::string by;      // $SUDO_USER, $USER or --by
  bool force = false;  // rollback: override the loop guard and cooldown
};

struct OperatorResponse {
  bool ok = false;
  std::string message;
};

// Writes the request; returns its id. Throws std::runtime_error naming the path.
std::string submit_request(const std::filesystem::path& state_dir, OperatorRequest request);
// Takes (reads and removes) the pending requests, oldest first. Unreadable ones are answered
// with an error and removed.
std::vector<OperatorRequest> take_requests(const std::filesystem::path& state_dir);
void answer_request(const std::filesystem::path& state_dir, const std::string& id,
                    const OperatorResponse& response);
// The daemon's answer if it has written one (and removes it).
std::optional<OperatorResponse> take_answer(const std::filesystem::path& state_dir,
                                            const std::string& id);

// The daemon's lock on <state_dir>/vigil.pid. acquire() returns nullopt (with the holder's pid
// in *holder when known) when another vigil holds it.
class DaemonLock {
 public:
  static std::optional<DaemonLock> acquire(const std::filesystem::path& state_dir, pid_t* holder);
  // The pid of the vigil holding the lock, if one does.
  static std::optional<pid_t> holder(const std::filesystem::path& state_dir);
  DaemonLock(DaemonLock&& other) noexcept;
  DaemonLock& operator=(DaemonLock&& other) noexcept;
  DaemonLock(const DaemonLock&) = delete;
  ~DaemonLock();

 private:
  explicit DaemonLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace vigil::core
