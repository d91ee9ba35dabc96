// HeapRelease: freed heap pages go back to the kernel, at most once per gap.
#include "core/memory/heap_release.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using vigil::core::HeapRelease;
using namespace std::chrono_literals;

std::size_t resident_bytes() {
  long pages = 0;
  long resident = 0;
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr)
    return 0;
  if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  std::fclose(statm);
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(HeapRelease, TrimsAtMostOncePerGap) {
  HeapRelease release(200ms);
  const HeapRelease::SteadyTime t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(release.after_burst(t0));
  EXPECT_FALSE(release.after_burst(t0 + 100ms));
  EXPECT_FALSE(release.after_burst(t0 + 199ms));
  EXPECT_TRUE(release.after_burst(t0 + 200ms));
  EXPECT_FALSE(release.after_burst(t0 + 250ms));
}

// What a large check run leaves behind: freed blocks between blocks that stay, so glibc can
// neither merge them into the top of the heap nor shrink the heap, and keeps their pages until
// they are trimmed.
TEST(HeapRelease, GivesFreedPagesBack) {
  constexpr std::size_t kBlocks = 512;
  constexpr std::size_t kBlockBytes = 64 * 1024;  // below the mmap threshold: heap memory
  std::size_t before_trim = 0;
  std::size_t after_trim = 0;
  std::thread worker([&] {  // a thread of its own, as a scheduler worker is
    std::vector<char*> blocks;
    blocks.reserve(kBlocks);
    for (std::size_t i = 0; i < kBlocks; ++i) {
      blocks.push_back(new char[kBlockBytes]);
      std::memset(blocks.back(), 1, kBlockBytes);  // touched, so resident
    }
    for (std::size_t i = 0; i < kBlocks; i += 2)
      delete[] blocks[i];  // every other one: 16 MiB free, none of it at the top
    before_trim = resident_bytes();
    HeapRelease release;
    EXPECT_TRUE(release.after_burst(std::chrono::steady_clock::now()));
    after_trim = resident_bytes();
    for (std::size_t i = 1; i < kBlocks; i += 2)
      delete[] blocks[i];
  });
  worker.join();
  // 16 MiB were freed; at least half of it must have left the resident set.
  EXPECT_GT(before_trim, after_trim + kBlocks / 2 * kBlockBytes / 2)
      << "resident before " << before_trim << " after " << after_trim;
}

}  // namespace
