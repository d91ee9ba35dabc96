#!/usr/bin/env python3
"""Launching an action command: vigil's `command` action against Python's subprocess.run.

Both launch /bin/true N times in a row, in interleaved rounds (so machine noise hits both
alike), each round a fresh process measured whole: wall time per launch and CPU (self and
children) per launch. The figure that matters is the ratio of medians. Target (issue 4): vigil
at most the cost of subprocess.run.

  python3 bench/actions/bench_action_launch.py --bench build/bench/actions/vigil_action_launch_bench
"""
import argparse
import os
import statistics
import subprocess
import sys

PYTHON_PEER = r"""
import resource, subprocess, sys, time
n = int(sys.argv[1])
start = time.perf_counter()
failures = 0
for _ in range(n):
    if subprocess.run(["/bin/true"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).returncode:
        failures += 1
wall = time.perf_counter() - start
s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"launches={n} failures={failures} wall_s={wall:.6f} cpu_s={s.ru_utime+s.ru_stime+c.ru_utime+c.ru_stime:.6f}")
"""


def parse(line):
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split())}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(here, "..", "..", "build", "bench", "actions",
                                                    "vigil_action_launch_bench"))
    ap.add_argument("--launches", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    peers = {
        "vigil command action": [args.bench, str(args.launches)],
        "python3 subprocess.run": [sys.executable, "-c", PYTHON_PEER, str(args.launches)],
    }
    wall = {k: [] for k in peers}
    cpu = {k: [] for k in peers}
    for _ in range(args.rounds):
        for name, argv in peers.items():
            out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
            r = parse(out)
            if r["failures"]:
                sys.exit(f"{name}: {int(r['failures'])} launches failed")
            wall[name].append(r["wall_s"] / r["launches"] * 1000)
            cpu[name].append(r["cpu_s"] / r["launches"] * 1000)
    print(f"{args.launches} launches of /bin/true per round, {args.rounds} interleaved rounds, medians")
    print(f"{'':26} {'wall ms/launch':>15} {'CPU ms/launch':>14}")
    for name in peers:
        print(f"{name:26} {statistics.median(wall[name]):15.3f} {statistics.median(cpu[name]):14.3f}")
    v, p = "vigil command action", "python3 subprocess.run"
    print(f"ratio vigil/python: wall {statistics.median(wall[v]) / statistics.median(wall[p]):.2f}x, "
          f"CPU {statistics.median(cpu[v]) / statistics.median(cpu[p]):.2f}x (target <= 1.0x)")


if __name__ == "__main__":
    main()
