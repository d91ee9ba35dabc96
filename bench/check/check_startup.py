#!/usr/bin/env python3
"""`vigil check` start-to-exit against monitoring-plugins' check_disk, side by side.

Both commands are started the same way (fork+exec from this script, output discarded) in
interleaved rounds so that machine noise hits both alike; the figure that matters is the ratio
of medians. Targets: vigil check noop within 1.5x of check_disk on / (issue 2), and
`vigil check node_resources` (this host, no url) within 2x of it (issue 3).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def run_once(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vigil", default=os.path.join(here, "..", "..", "build", "bin", "vigil"))
    parser.add_argument("--check-disk", default="/usr/lib/nagios/plugins/check_disk")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--plugin-dir", help="load plugins from here first (vigil check -P)")
    args = parser.parse_args()

    extra = ["--plugin-dir", args.plugin_dir] if args.plugin_dir else []
    peers = {
        "vigil check noop": [args.vigil, "check", "noop"] + extra,
        # cpu_window=0s: no 200 ms sample on a first run, so this is start-up plus one reading
        "vigil check node_resources -o cpu_window=0s":
            [args.vigil, "check", "node_resources", "-o", "cpu_window=0s"] + extra,
        "check_disk -w 10% -c 5% -p /": [args.check_disk, "-w", "10%", "-c", "5%", "-p", "/"],
    }
    for name, argv in peers.items():
        if not os.access(argv[0], os.X_OK):
            sys.exit(f"{argv[0]} not found: build vigil / apt-get install monitoring-plugins-basic")
        for _ in range(10):  # warm the page cache
            run_once(argv)
    times = {name: [] for name in peers}
    for _ in range(args.rounds):
        for name, argv in peers.items():
            times[name].append(run_once(argv))

    base = statistics.median(times["check_disk -w 10% -c 5% -p /"])
    # Peak RSS of children, from the kernel's accounting of everything this script waited for.
    rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"| command | median ms | p90 ms | ratio to check_disk |")
    print(f"|---|---|---|---|")
    for name, samples in times.items():
        samples.sort()
        med = statistics.median(samples)
        p90 = samples[int(len(samples) * 0.9)]
        print(f"| `{name}` | {med * 1000:.2f} | {p90 * 1000:.2f} | {med / base:.2f}x |")
    print(f"\n{args.rounds} interleaved rounds; largest child peak RSS {rss_kib / 1024:.1f} MiB; "
          "load average %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
