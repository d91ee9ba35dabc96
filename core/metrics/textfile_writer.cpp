#include "core/metrics/textfile_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state/atomic_file.hpp"

namespace vigil::core {

void TextfileWriter::write(std::string_view exposition) const {
  // node_exporter runs as another user: a new file starts world-readable (nothing in it is a
  // secret) and every replacement keeps the mode of the file it replaces.
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::fchmod(fd, 0644);
    ::close(fd);
  }
  write_file_atomically(path_, exposition);
}

}  // namespace vigil::core
