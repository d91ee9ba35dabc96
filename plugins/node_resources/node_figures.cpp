#include "node_figures.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace vigil::node_resources {

namespace {

// Big enough for /proc/meminfo up to MemAvailable and for the first line of /proc/stat, which
// is all that is read of them: the rest of /proc/stat (an intr line of thousands of counters on
// big machines) is never copied.
constexpr std::size_t kProcBuffer = 4096;

// Reads up to `size` bytes of a /proc file with plain read(); returns the byte count, or -1
// with `error` set.
long read_proc_file(const std::string& path, char* buffer, std::size_t size, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return -1;
  }
  std::size_t used = 0;
  while (used < size) {
    const ssize_t n = ::read(fd, buffer + used, size - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      error = "cannot read " + path + ": " + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return static_cast<long>(used);
}

std::string_view skip_spaces(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

// Takes one number off the front of `s` (after blanks).
template <class T>
bool take_number(std::string_view& s, T& out) noexcept {
  s = skip_spaces(s);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec != std::errc() || r.ptr == s.data())
    return false;
  s.remove_prefix(static_cast<std::size_t>(r.ptr - s.data()));
  return true;
}

std::optional<std::uint64_t> meminfo_kib(std::string_view text, std::string_view key) noexcept {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t eol = text.find('\n', at);
    std::string_view line = text.substr(at, eol == std::string_view::npos ? eol : eol - at);
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ':') {
      line.remove_prefix(key.size() + 1);
      std::uint64_t kib = 0;
      if (!take_number(line, kib))
        return std::nullopt;
      return kib;
    }
    if (eol == std::string_view::npos)
      break;
    at = eol + 1;
  }
  return std::nullopt;
}

}  // namespace

double df_used_percent(const DiskSpace& space) noexcept {
  const std::uint64_t used = space.size >= space.free ? space.size - space.free : 0;
  const std::uint64_t base = used + space.avail;
  if (base == 0)
    return 0;  // df prints "-"; an empty filesystem is not full
  // Integer arithmetic like df, so the figure matches it exactly, not to a rounding; like df,
  // floating point only where used * 100 would overflow (exabytes counted in bytes).
  if (used > std::numeric_limits<std::uint64_t>::max() / 100) {
    return std::ceil(static_cast<double>(used) * 100 / static_cast<double>(base));
  }
  const std::uint64_t scaled = used * 100;
  return static_cast<double>(scaled / base + (scaled % base != 0 ? 1 : 0));
}

std::optional<CpuTimes> parse_proc_stat(std::string_view text) noexcept {
  if (text.substr(0, 4) != "cpu ")
    return std::nullopt;
  text.remove_prefix(4);
  // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is counted
  // in user and nice already, so it is not added again.
  std::uint64_t field[8] = {};
  int fields = 0;
  for (; fields < 8; ++fields) {
    if (!take_number(text, field[fields]))
      break;
  }
  if (fields < 4)
    return std::nullopt;
  CpuTimes t;
  for (int i = 0; i < fields; ++i)
    t.total += static_cast<double>(field[i]);
  const double idle = static_cast<double>(field[3]) + static_cast<double>(field[4]);
  t.busy = t.total - idle;
  return t;
}

std::optional<Memory> parse_meminfo(std::string_view text) noexcept {
  const auto total = meminfo_kib(text, "MemTotal");
  const auto available = meminfo_kib(text, "MemAvailable");
  if (!total || !available || *total == 0)
    return std::nullopt;
  return Memory{*total * 1024, *available * 1024};
}

std::optional<Load> parse_loadavg(std::string_view text) noexcept {
  Load l;
  if (!take_number(text, l.load1) || !take_number(text, l.load5) || !take_number(text, l.load15))
    return std::nullopt;
  return l;
}

LocalReader::LocalReader(std::string proc_root)
    : stat_path_(proc_root + "/stat"),
      meminfo_path_(proc_root + "/meminfo"),
      loadavg_path_(std::move(proc_root) + "/loadavg") {}

std::optional<CpuTimes> LocalReader::cpu(std::string& error) const {
  char buffer[kProcBuffer];
  const long n = read_proc_file(stat_path_, buffer, sizeof buffer, error);
  if (n < 0)
    return std::nullopt;
  std::string_view text(buffer, static_cast<std::size_t>(n));
  text = text.substr(0, text.find('\n'));
  auto times = parse_proc_stat(text);
  if (!times)
    error = stat_path_ + " has no \"cpu\" line of numbers";
  return times;
}

std::optional<Memory> LocalReader::memory(std::string& error) const {
  char buffer[kProcBuffer];
  const long n = read_proc_file(meminfo_path_, buffer, sizeof buffer, error);
  if (n < 0)
    return std::nullopt;
  auto memory = parse_meminfo(std::string_view(buffer, static_cast<std::size_t>(n)));
  if (!memory)
    error = meminfo_path_ + " has no MemTotal and MemAvailable (MemAvailable needs Linux 3.14)";
  return memory;
}

std::optional<Load> LocalReader::load(std::string& error) const {
  char buffer[256];
  const long n = read_proc_file(loadavg_path_, buffer, sizeof buffer, error);
  if (n < 0)
    return std::nullopt;
  auto load = parse_loadavg(std::string_view(buffer, static_cast<std::size_t>(n)));
  if (!load)
    error = loadavg_path_ + " does not start with three load averages";
  return load;
}

std::optional<DiskSpace> LocalReader::disk(const std::string& mount, std::string& error) {
  struct statx sx {};
  if (::statx(AT_FDCWD, mount.c_str(), 0, STATX_BASIC_STATS, &sx) != 0) {
    error = mount + ": " + std::strerror(errno);
    return std::nullopt;
  }
  // Kernels before 5.8 do not say; then any path is taken, as df takes it.
  if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
      (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) == 0) {
    error = mount + " is not a mount point";
    return std::nullopt;
  }
  struct statvfs vfs {};
  if (::statvfs(mount.c_str(), &vfs) != 0) {
    error = mount + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return DiskSpace{vfs.f_blocks, vfs.f_bfree, vfs.f_bavail};
}

ExporterPage::ExporterPage(std::vector<std::string> mounts)
    : mounts_(std::move(mounts)), filesystems_(mounts_.size()) {}

void ExporterPage::add(const sdk::exposition::Sample& s) {
  const std::string_view name = s.name;
  if (name.substr(0, 5) != "node_")
    return;
  if (name == "node_cpu_seconds_total") {
    const std::string_view mode = s.labels.get("mode");
    saw_cpu_ = true;
    cpu_total_ += s.value;
    if (mode != "idle" && mode != "iowait")
      cpu_busy_ += s.value;
  } else if (name == "node_memory_MemTotal_bytes") {
    mem_total_ = s.value;
  } else if (name == "node_memory_MemAvailable_bytes") {
    mem_available_ = s.value;
  } else if (name == "node_load1") {
    load1_ = s.value;
  } else if (name == "node_load5") {
    load5_ = s.value;
  } else if (name == "node_load15") {
    load15_ = s.value;
  } else if (name.substr(0, 16) == "node_filesystem_") {
    const std::string_view field = name.substr(16);
    const std::string_view mountpoint = s.labels.get("mountpoint");
    for (std::size_t i = 0; i < mounts_.size(); ++i) {
      if (mounts_[i] != mountpoint)
        continue;
      // A mount point listed twice (a bind mount of one device) has the same figures.
      Filesystem& fs = filesystems_[i];
      if (field == "size_bytes" && !fs.size)
        fs.size = s.value;
      else if (field == "free_bytes" && !fs.free)
        fs.free = s.value;
      else if (field == "avail_bytes" && !fs.avail)
        fs.avail = s.value;
    }
  }
}

std::optional<CpuTimes> ExporterPage::cpu() const {
  if (!saw_cpu_)
    return std::nullopt;
  return CpuTimes{cpu_busy_, cpu_total_};
}

std::optional<Memory> ExporterPage::memory() const {
  if (!mem_total_ || !mem_available_ || *mem_total_ <= 0)
    return std::nullopt;
  return Memory{static_cast<std::uint64_t>(*mem_total_),
                static_cast<std::uint64_t>(*mem_available_)};
}

std::optional<Load> ExporterPage::load() const {
  if (!load1_ || !load5_ || !load15_)
    return std::nullopt;
  return Load{*load1_, *load5_, *load15_};
}

std::optional<DiskSpace> ExporterPage::disk(const std::string& mount) const {
  for (std::size_t i = 0; i < mounts_.size(); ++i) {
    if (mounts_[i] != mount)
      continue;
    const Filesystem& fs = filesystems_[i];
    if (!fs.size || !fs.free || !fs.avail)
      return std::nullopt;
    return DiskSpace{static_cast<std::uint64_t>(*fs.size), static_cast<std::uint64_t>(*fs.free),
                     static_cast<std::uint64_t>(*fs.avail)};
  }
  return std::nullopt;
}

}  // namespace vigil::node_resources
