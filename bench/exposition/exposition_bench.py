#!/usr/bin/env python3
"""Exposition parsing, side by side: vigil's latency_histogram against promtool and the Python
client, on the 100k-series page of ../shared/bench-data/gen_prom.py (issue 3, "Exposition").

Every command is a whole process started the same way (fork+exec from this script, output
discarded), in interleaved rounds so that machine noise hits all alike; the figures that matter
are the ratios of medians. Peak RSS is measured in a separate run of each command under GNU time.

Rows:
  vigil check latency_histogram ... -o mode=cumulative   the CLI, one histogram's P95 of a page
  every_histogram (SDK parser)                            parse + P95 of every histogram, no host
  two_scrapes (increase mode)                             the plugin over two scrapes in one process
  promtool check metrics                                  Prometheus's own linter, page on stdin
  python prometheus_client: parse / parse + P95 / increase over two scrapes

Before timing, the answers are checked: sample and histogram counts against the generator's
sidecar, the P95 checksum of every histogram against the Python computation, and the increase
mode's P95 against Python's.

promtool: from PATH, or --promtool, or --fetch-promtool (apt-get download prometheus, unpacked
with dpkg-deb -x into the work dir; no server is started). The Python client: python3-prometheus-
client (any python3 on the machine that can import it).
"""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
GEN_PROM = os.path.normpath(os.path.join(REPO, "..", "shared", "bench-data", "gen_prom.py"))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def generate(series, tick, out):
    sidecar = out + ".json"
    if os.path.exists(out) and os.path.exists(sidecar):
        with open(sidecar) as f:
            meta = json.load(f)
        if meta.get("tick") == tick and os.path.getsize(out) == meta.get("bytes"):
            return meta
    log(f"generating {out}")
    subprocess.run([sys.executable, GEN_PROM, "--series", str(series), "--tick", str(tick), "-o",
                    out], check=True, stdout=subprocess.DEVNULL)
    with open(sidecar) as f:
        return json.load(f)


def first_histogram(page):
    with open(page, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"# TYPE (\S+) histogram$", line.rstrip("\n"))
            if m and m.group(1).endswith("_seconds"):
                return m.group(1)
    sys.exit(f"{page}: no histogram in seconds")


def compile_drivers(cxx, workdir):
    include = os.path.join(REPO, "sdk", "include")
    flags = ["-std=c++20", "-O2", "-DNDEBUG", "-I", include]
    every = os.path.join(workdir, "every_histogram")
    two = os.path.join(workdir, "two_scrapes")
    log("compiling the drivers")
    subprocess.run([cxx, *flags, os.path.join(HERE, "every_histogram.cpp"), "-o", every],
                   check=True)
    subprocess.run([cxx, *flags, os.path.join(HERE, "two_scrapes.cpp"),
                    os.path.join(REPO, "plugins", "latency_histogram", "latency_histogram.cpp"),
                    "-o", two], check=True)
    return every, two


def find_promtool(args, workdir):
    if args.promtool:
        return args.promtool
    found = shutil.which("promtool")
    if found:
        return found
    unpacked = os.path.join(workdir, "prometheus-deb", "usr", "bin", "promtool")
    if os.access(unpacked, os.X_OK):
        return unpacked
    if not args.fetch_promtool:
        return None
    log("fetching promtool: apt-get download prometheus")
    subprocess.run(["apt-get", "download", "prometheus"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    deb = sorted(glob.glob(os.path.join(workdir, "prometheus_*.deb")))[-1]
    subprocess.run(["dpkg-deb", "-x", deb, os.path.join(workdir, "prometheus-deb")], check=True)
    return unpacked


def python_with_client():
    for python in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if python and subprocess.run([python, "-c", "import prometheus_client"],
                                     stderr=subprocess.DEVNULL).returncode == 0:
            return python
    return None


def output_of(argv, stdin_path=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        r = subprocess.run(argv, stdin=stdin, capture_output=True, text=True)
    finally:
        if stdin_path:
            stdin.close()
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def run_once(argv, stdin_path=None):
    """Wall time of one whole process."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    start = time.perf_counter()
    subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if stdin_path:
        stdin.close()
    return elapsed


def peak_rss_kib(argv, stdin_path=None):
    """Peak RSS of one run, measured apart from the timed runs. A child forked from this script
    starts with the script's own ~15 MB counted in its ru_maxrss (the high-water mark survives
    exec), so the figure comes from GNU time, whose own footprint is ~2 MB; without it, wait4's
    figure is an upper bound."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        if os.access("/usr/bin/time", os.X_OK):
            r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdin=stdin,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            return int(r.stderr.strip().splitlines()[-1]), ""
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        return usage.ru_maxrss, " (upper bound)"
    finally:
        if stdin_path:
            stdin.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(REPO, "build", "bin", "vigil"))
    ap.add_argument("--plugin-dir", help="passed to vigil check (default: the build tree's)")
    ap.add_argument("--promtool")
    ap.add_argument("--fetch-promtool", action="store_true")
    ap.add_argument("--series", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--workdir", default="/tmp/vigil-bench-exposition")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    t0 = os.path.join(args.workdir, f"prom-{args.series // 1000}k.t0.txt")
    t1 = os.path.join(args.workdir, f"prom-{args.series // 1000}k.t1.txt")
    truth = generate(args.series, 0, t0)
    generate(args.series, 1, t1)
    metric = first_histogram(t0)
    every, two = compile_drivers(args.cxx, args.workdir)
    promtool = find_promtool(args, args.workdir)
    python = python_with_client()
    peer = os.path.join(HERE, "python_peer.py")

    # --- answers first --------------------------------------------------------------------
    rc, every_out, err = output_of([every, t0])
    want = f"{truth['series']} samples, {truth['histograms']} histograms"
    if rc != 0 or not every_out.startswith(want):
        sys.exit(f"every_histogram: {every_out or err}, expected {want}")
    log(f"every_histogram: {every_out}")
    rc, two_out, err = output_of([two, metric, t0, t1])
    if rc != 0:
        sys.exit(f"two_scrapes: {two_out or err}")
    log(f"two_scrapes: {two_out}")
    vigil_argv = None
    if os.access(args.vigil, os.X_OK):
        vigil_argv = [args.vigil, "check"]
        if args.plugin_dir:
            vigil_argv += ["--plugin-dir", args.plugin_dir]
        vigil_argv += ["latency_histogram", "-o", f"file={t0}", "-o", f"metric={metric}", "-o",
                       "mode=cumulative"]
        rc, out, err = output_of(vigil_argv)
        if rc != 0 or "p95" not in out:
            sys.exit(f"{' '.join(vigil_argv)}: exit {rc}: {out or err}")
        log(f"vigil check: {out}")
    else:
        log(f"{args.vigil} not found: no vigil check row (build the CLI)")
    if python:
        rc, out, err = output_of([python, peer, "p95", t0])
        if out.split("checksum")[-1] != every_out.split("checksum")[-1]:
            sys.exit(f"P95 checksums differ: python {out!r}, vigil {every_out!r}")
        rc, out, err = output_of([python, peer, "increase", metric, t0, t1])
        p95 = re.search(r"p95 (\S+)", out).group(1)
        if f"p95 {float(p95):.4g}s" not in two_out and f"p95 {float(p95):.4g} " not in two_out:
            sys.exit(f"increase-mode P95 differs: python {out!r}, vigil {two_out!r}")
        log(f"python increase: {out}")
    else:
        log("the Python prometheus_client is not importable: no Python rows")

    commands = {}
    if vigil_argv:
        commands["vigil check latency_histogram (cumulative, 1 histogram)"] = (vigil_argv, None)
    commands["every_histogram: SDK parser, P95 of every histogram"] = ([every, t0], None)
    commands["two_scrapes: latency_histogram increase mode, 2 pages"] = ([two, metric, t0, t1],
                                                                         None)
    if promtool:
        commands["promtool check metrics"] = ([promtool, "check", "metrics"], t0)
    else:
        log("promtool not found (try --fetch-promtool): no promtool row")
    if python:
        commands["python prometheus_client: parse"] = ([python, peer, "parse", t0], None)
        commands["python prometheus_client: parse + P95 of every histogram"] = (
            [python, peer, "p95", t0], None)
        commands["python prometheus_client: increase mode, 2 pages"] = (
            [python, peer, "increase", metric, t0, t1], None)

    for argv, stdin in commands.values():
        for _ in range(2):  # page cache, dynamic loader, pyc files
            run_once(argv, stdin)
    rss = {name: peak_rss_kib(argv, stdin) for name, (argv, stdin) in commands.items()}
    times = {name: [] for name in commands}
    for i in range(args.rounds):
        log(f"round {i + 1}/{args.rounds}")
        for name, (argv, stdin) in commands.items():
            times[name].append(run_once(argv, stdin))

    base_name = next(iter(commands))
    base = statistics.median(times[base_name])
    print(f"Page: {os.path.basename(t0)}, {os.path.getsize(t0) / 1e6:.1f} MB, "
          f"{truth['series']} series, {truth['histograms']} histograms; metric {metric}")
    print()
    print("| command | median s | p90 s | peak RSS MiB | x slower than first row |")
    print("|---|---|---|---|---|")
    for name, samples in times.items():
        samples.sort()
        med = statistics.median(samples)
        p90 = samples[min(len(samples) - 1, int(len(samples) * 0.9))]
        print(f"| {name} | {med:.3f} | {p90:.3f} | {rss[name][0] / 1024:.1f}{rss[name][1]} | "
              f"{med / base:.1f} |")
    print()
    print(f"{args.rounds} interleaved rounds, medians; whole processes.")

    def ratio(slow, fast):
        if slow in times and fast in times:
            return statistics.median(times[slow]) / statistics.median(times[fast])
        return None

    vigil_row = "vigil check latency_histogram (cumulative, 1 histogram)"
    targets = [
        ("promtool / vigil check (target >= 9)", ratio("promtool check metrics", vigil_row)),
        ("python parse+P95 / vigil check (target >= 20)",
         ratio("python prometheus_client: parse + P95 of every histogram", vigil_row)),
        ("python increase / two_scrapes (target >= 20)",
         ratio("python prometheus_client: increase mode, 2 pages",
               "two_scrapes: latency_histogram increase mode, 2 pages")),
    ]
    for label, value in targets:
        if value is not None:
            print(f"- {label}: {value:.1f}x")
    if vigil_row in rss:
        print(f"- vigil check peak RSS {rss[vigil_row][0] / 1024:.1f} MiB (target <= 16)")


if __name__ == "__main__":
    main()
