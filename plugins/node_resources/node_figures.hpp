#pragma once
// The figures node_resources reports, read either from this host's /proc and statvfs or from a
// node_exporter page. Kept apart from the plugin entry point so the unit tests can read /proc-like
// files under a temporary root and canned node_exporter pages without loading the plugin.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vigil/sdk/exposition.hpp>

namespace vigil::node_resources {

// Cumulative CPU time of all CPUs. Busy is everything but idle and iowait, as top and
// node_exporter-based dashboards count it; guest time is already inside user and nice.
struct CpuTimes {
  double busy = 0;
  double total = 0;
};

struct Memory {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
};

struct Load {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};

// Block counts as statvfs gives them (or bytes from node_exporter: the ratio is the same).
struct DiskSpace {
  std::uint64_t size = 0;
  std::uint64_t free = 0;   // free for root
  std::uint64_t avail = 0;  // free for unprivileged users
};

// df's Use%: used / (used + avail), rounded up, where used = size - free. The blocks reserved
// for root are neither, so a full disk shows 100% although root can still write.
double df_used_percent(const DiskSpace& space) noexcept;

// Parsers of the /proc files; nullopt when the text is not what the kernel writes.
std::optional<CpuTimes> parse_proc_stat(std::string_view text) noexcept;
std::optional<Memory> parse_meminfo(std::string_view text) noexcept;
std::optional<Load> parse_loadavg(std::string_view text) noexcept;

// Reads this host's figures. `proc_root` is "/proc" except in tests.
class LocalReader {
 public:
  explicit LocalReader(std::string proc_root = "/proc");

  // On failure these return nullopt and set `error` to one line saying why.
  std::optional<CpuTimes> cpu(std::string& error) const;
  std::optional<Memory> memory(std::string& error) const;
  std::optional<Load> load(std::string& error) const;
  // Refuses a path that is not a mount point: a filesystem that failed to mount would otherwise
  // be reported with the figures of the one beneath it.
  static std::optional<DiskSpace> disk(const std::string& mount, std::string& error);

 private:
  std::string stat_path_;
  std::string meminfo_path_;
  std::string loadavg_path_;
};

// Collects the same figures from a node_exporter page, one sample at a time.
class ExporterPage {
 public:
  explicit ExporterPage(std::vector<std::string> mounts);

  void add(const sdk::exposition::Sample& sample);

  std::optional<CpuTimes> cpu() const;
  std::optional<Memory> memory() const;
  std::optional<Load> load() const;
  // nullopt when the page has no complete size/free/avail triple for the mount point.
  std::optional<DiskSpace> disk(const std::string& mount) const;

 private:
  struct Filesystem {
    std::optional<double> size;
    std::optional<double> free;
    std::optional<double> avail;
  };
  std::vector<std::string> mounts_;
  std::vector<Filesystem> filesystems_;  // parallel to mounts_
  double cpu_busy_ = 0;
  double cpu_total_ = 0;
  bool saw_cpu_ = false;
  std::optional<double> mem_total_;
  std::optional<double> mem_available_;
  std::optional<double> load1_;
  std::optional<double> load5_;
  std::optional<double> load15_;
};

}  // namespace vigil::node_resources
