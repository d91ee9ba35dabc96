#include "core/state/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/state/state_error.hpp"

namespace vigil::core {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* step, int err) {
  throw StateError("cannot write " + path.string() + ": " + step + ": " + std::strerror(err));
}

// Closes the descriptor and removes the temporary file unless release()d.
class TempFile {
 public:
  TempFile(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~TempFile() {
    if (fd_ >= 0)
      ::close(fd_);
    if (!name_.empty())
      ::unlink(name_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }
  void release() { name_.clear(); }

 private:
  int fd_;
  std::string name_;
};

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp_name = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkostemp(temp_name.data(), O_CLOEXEC);
  if (fd < 0)
    fail(path, "creating a temporary file", errno);
  TempFile temp(fd, temp_name);

  mode_t mode = 0640;
  struct stat old {};
  if (::stat(path.c_str(), &old) == 0)
    mode = old.st_mode & 07777;
  if (::fchmod(temp.fd(), mode) != 0)
    fail(path, "chmod", errno);

  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(temp.fd(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail(path, "write", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  // Without this fsync a crash after the rename can leave an empty file under the new name
  // (ext4 delayed allocation): the data must be durable before the name points at it.
  if (::fsync(temp.fd()) != 0)
    fail(path, "fsync", errno);
  if (temp.close() != 0)
    fail(path, "close", errno);
  if (::rename(temp_name.c_str(), path.c_str()) != 0)
    fail(path, "rename", errno);
  temp.release();
  // The rename itself is durable only once the directory is synced.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace vigil::core
