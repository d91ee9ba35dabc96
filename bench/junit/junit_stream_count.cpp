// Counts JUnit reports the way the junit_pass_rate plugin does (ReportReader, streaming), for
// bench_junit.py. Usage: junit_stream_count REPORT...
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "counts_line.hpp"
#include "report_reader.hpp"

int main(int argc, char** argv) {
  vigil::junit_pass_rate::Tally tally(10);
  vigil::junit_pass_rate::ReportReader reader;
  for (int i = 1; i < argc; ++i) {
    const int fd = ::open(argv[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::fprintf(stderr, "%s: %s\n", argv[i], std::strerror(errno));
      return 2;
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    const auto defect = reader.read(fd, tally);
    ::close(fd);
    if (defect) {
      std::fprintf(stderr, "%s: byte %llu: %s\n", argv[i],
                   static_cast<unsigned long long>(defect->offset), defect->reason.c_str());
      return 1;
    }
  }
  print_counts(tally.counts());
  return 0;
}
