#!/usr/bin/env python3
"""node_resources against the tools a user would otherwise reach for, side by side.

1. CPU per check inside a long-running process: node_resources_bench (the plugin driven through
   LocalPlugin, getrusage) against one scrape of a running node_exporter with its default
   collectors (its CPU from /proc/<pid>/stat before and after N scrapes).
2. Whole process: `vigil check node_resources` against check_disk, interleaved rounds, medians.
   A one-shot vigil check has no previous CPU reading, so by default it waits cpu_window
   (200 ms) for two; `-o cpu_window=0s` is the like-for-like figure (check_disk reads no CPU).
Targets (issue 3): at most 1 ms of CPU per check in the daemon; whole process within 2x of
check_disk.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def node_exporter_scrape_cpu(binary, scrapes):
    port = free_port()
    proc = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        for _ in range(200):  # bounded wait until it answers
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        for _ in range(5):
            urllib.request.urlopen(url, timeout=5).read()
        before = process_cpu_seconds(proc.pid)
        size = 0
        for _ in range(scrapes):
            size = len(urllib.request.urlopen(url, timeout=5).read())
        return (process_cpu_seconds(proc.pid) - before) / scrapes, size
    finally:
        proc.terminate()
        proc.wait()


def run_once(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(here, "..", "..", "build")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", default=build, help="build directory")
    parser.add_argument("--node-exporter", default="/usr/bin/prometheus-node-exporter")
    parser.add_argument("--check-disk", default="/usr/lib/nagios/plugins/check_disk")
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    vigil = os.path.join(args.build, "bin", "vigil")
    bench = os.path.join(args.build, "plugins", "node_resources", "node_resources_bench")
    plugin_dir = os.path.join(args.build, "plugins-out")
    for path in (vigil, bench, args.node_exporter, args.check_disk):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} not found: build vigil, apt-get install prometheus-node-exporter "
                     "monitoring-plugins-basic")

    inproc = json.loads(subprocess.run([bench, str(args.iterations)], check=True,
                                       capture_output=True, text=True).stdout)
    scrape_cpu, page_bytes = node_exporter_scrape_cpu(args.node_exporter, args.scrapes)
    print("| in a long-running process | CPU per check |")
    print("|---|---|")
    print(f"| node_resources (plugin, {inproc['iterations']} runs) | "
          f"{inproc['cpu_us_per_check'] / 1000:.3f} ms |")
    print(f"| node_exporter scrape, default collectors ({args.scrapes} scrapes, "
          f"{page_bytes / 1024:.0f} KiB page) | {scrape_cpu * 1000:.2f} ms |")
    print(f"\nratio node_exporter / node_resources: "
          f"{scrape_cpu * 1e6 / inproc['cpu_us_per_check']:.0f}x\n")

    peers = {
        "vigil check node_resources": [vigil, "check", "node_resources", "-P", plugin_dir],
        "vigil check node_resources -o cpu_window=0s":
            [vigil, "check", "node_resources", "-o", "cpu_window=0s", "-P", plugin_dir],
        "check_disk -w 10% -c 5% -p /": [args.check_disk, "-w", "10%", "-c", "5%", "-p", "/"],
    }
    for argv in peers.values():
        for _ in range(5):  # warm the page cache
            run_once(argv)
    times = {name: [] for name in peers}
    for _ in range(args.rounds):
        for name, argv in peers.items():
            times[name].append(run_once(argv))
    base = statistics.median(times["check_disk -w 10% -c 5% -p /"])
    print("| whole process | median ms | p90 ms | ratio to check_disk |")
    print("|---|---|---|---|")
    for name, samples in times.items():
        samples.sort()
        med = statistics.median(samples)
        print(f"| `{name}` | {med * 1000:.2f} | {samples[int(len(samples) * 0.9)] * 1000:.2f} | "
              f"{med / base:.2f}x |")
    print(f"\n{args.rounds} interleaved rounds")


if __name__ == "__main__":
    main()
