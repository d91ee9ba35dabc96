#!/usr/bin/env python3
"""The idle daemon: `vigil run` against node_exporter and blackbox_exporter in one run.

Part 1, idle (all three started together, then left alone):
  vigil      `vigil run` with every built-in plugin loaded and 20 checks at 5 m intervals
             (every plugin type at least twice, on local fixtures and a loopback nginx)
  node       prometheus-node-exporter, default collectors, not scraped
  blackbox   prometheus-blackbox-exporter, not probed
After the first runs are done (vigil's checks run once at start, then not again for 5 m), over
--seconds (60): RSS (VmRSS at the end) and wake-ups, counted as the context switches
(voluntary + involuntary) of every thread, from /proc/PID/task/*/status at the start and end.

Part 2, RSS across cycles: `vigil run` with one http_probe check of 1,000 loopback targets
every second; VmRSS after cycle 1 and after cycle --cycles (100). A cycle's end is the moment
its result line appears in the log (`--log-level info` writes one per run); a second sample
--idle-delay (0.1 s) later is the RSS between runs, once the worker has gone idle.
"""
import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, what):
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("%s did not start" % what)
            time.sleep(0.02)


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def context_switches(pid):
    """Context switches of every thread of pid so far, and how many threads there are."""
    total = 0
    tasks = glob.glob("/proc/%d/task/*/status" % pid)
    for path in tasks:
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:",
                                        "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            pass  # the thread ended between glob and open
    return total, len(tasks)


def write_fixtures(d):
    with open(os.path.join(d, "latency.prom"), "w") as f:
        f.write("# TYPE http_request_duration_seconds histogram\n")
        for le, n in (("0.1", 90), ("0.5", 99), ("+Inf", 100)):
            f.write('http_request_duration_seconds_bucket{le="%s"} %d\n' % (le, n))
        f.write("http_request_duration_seconds_sum 12.5\nhttp_request_duration_seconds_count 100\n")
        f.write("# TYPE http_requests_total counter\nhttp_requests_total 1000\n")
        f.write("# TYPE http_requests_failed_total counter\nhttp_requests_failed_total 3\n")
    with open(os.path.join(d, "junit.xml"), "w") as f:
        f.write('<testsuite name="s" tests="2"><testcase name="a"/><testcase name="b"/>'
                "</testsuite>\n")


def idle_config(d, nginx_port, blackbox_port):
    """20 checks at 5 m covering every built-in plugin type."""
    prom = os.path.join(d, "latency.prom")
    kinds = [
        ("noop", "{}"),
        ("exec", "{command: [/bin/true]}"),
        ("latency_histogram", "{file: %s, metric: http_request_duration_seconds}" % prom),
        ("error_rate", "{file: %s, errors_metric: http_requests_failed_total, "
                       "total_metric: http_requests_total}" % prom),
        ("junit_pass_rate", "{path: %s}" % os.path.join(d, "junit.xml")),
        ("http_probe", "{url: 'http://127.0.0.1:%d/svc/0'}" % nginx_port),
        ("node_resources", "{cpu_window: 0s}"),
        # a Prometheus API that answers: blackbox_exporter's own is not one, so this is UNKNOWN
        # every 5 m; what counts here is that the plugin is loaded and the check scheduled
        ("prometheus_query", "{url: 'http://127.0.0.1:%d', query: up}" % blackbox_port),
    ]
    # a state directory of its own: one vigil per state directory, and others may be running
    lines = ["vigil: {state_dir: %s}" % os.path.join(d, "state-idle"), "pipelines:",
             "  - name: idle", "    defaults: {interval: 5m, timeout: 30s}", "    checks:"]
    for i in range(20):
        plugin, options = kinds[i % len(kinds)]
        lines.append("      - {name: c%02d-%s, plugin: %s, options: %s}"
                     % (i, plugin.replace("_", "-"), plugin, options))
    return "\n".join(lines) + "\n"


def cycles_config(d, nginx_port, endpoints):
    targets = ", ".join("'http://127.0.0.1:%d/svc/%d'" % (nginx_port, i) for i in range(endpoints))
    return ("vigil: {state_dir: %s}\n" % os.path.join(d, "state-cycles") +
            "pipelines:\n  - name: cycles\n    checks:\n"
            "      - {name: probes, plugin: http_probe, interval: 1s, timeout: 1s,\n"
            "         options: {targets: [%s]}}\n" % targets)


def part_idle(a, vigil, d, nginx_port):
    blackbox_bin = shutil.which("prometheus-blackbox-exporter")
    node_bin = shutil.which("prometheus-node-exporter")
    if blackbox_bin is None or node_bin is None:
        sys.exit("needs prometheus-node-exporter and prometheus-blackbox-exporter (apt-get)")
    with open(os.path.join(d, "blackbox.yml"), "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n")
    blackbox_port, node_port = free_port(), free_port()
    config = os.path.join(d, "idle.yaml")
    with open(config, "w") as f:
        f.write(idle_config(d, nginx_port, blackbox_port))
    procs = {}
    null = subprocess.DEVNULL
    try:
        procs["node_exporter"] = subprocess.Popen(
            [node_bin, "--web.listen-address=127.0.0.1:%d" % node_port], stdout=null, stderr=null)
        procs["blackbox_exporter"] = subprocess.Popen(
            [blackbox_bin, "--config.file=" + os.path.join(d, "blackbox.yml"),
             "--web.listen-address=127.0.0.1:%d" % blackbox_port], stdout=null, stderr=null)
        wait_for_port(node_port, procs["node_exporter"], "node_exporter")
        wait_for_port(blackbox_port, procs["blackbox_exporter"], "blackbox_exporter")
        vigil_argv = [vigil, "run", "--config", config] + a.vigil_args
        procs["vigil run"] = subprocess.Popen(vigil_argv, stdout=null,
                                              stderr=open(os.path.join(d, "idle.log"), "w"))
        time.sleep(a.settle)  # the first runs of the 20 checks, and the exporters' start-up
        for name, p in procs.items():
            if p.poll() is not None:
                sys.exit("%s exited early (%s)" % (name, d))
        before = {n: context_switches(p.pid) for n, p in procs.items()}
        time.sleep(a.seconds)
        after = {n: context_switches(p.pid) for n, p in procs.items()}
        rss = {n: status_kib(p.pid, "VmRSS") for n, p in procs.items()}
        hwm = {n: status_kib(p.pid, "VmHWM") for n, p in procs.items()}
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()
    print("Idle over %d s, after %d s of settling" % (a.seconds, a.settle))
    print("%-18s %10s %10s %8s %14s" % ("process", "RSS MiB", "peak MiB", "threads",
                                        "wake-ups/s"))
    for n in procs:
        print("%-18s %10.1f %10.1f %8d %14.2f" % (n, rss[n] / 1024, hwm[n] / 1024, after[n][1],
                                                  (after[n][0] - before[n][0]) / a.seconds))
    print("vigil RSS / node_exporter RSS: %.2f (target below 1)"
          % (rss["vigil run"] / rss["node_exporter"]))


def part_cycles(a, vigil, d, nginx_port):
    config = os.path.join(d, "cycles.yaml")
    with open(config, "w") as f:
        f.write(cycles_config(d, nginx_port, a.endpoints))
    proc = subprocess.Popen([vigil, "run", "--config", config, "--log-level", "info"]
                            + a.vigil_args, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    samples = []  # VmRSS KiB after each cycle, when its result line appears
    idle_samples = []  # VmRSS KiB --idle-delay later, between that run and the next
    bad = []

    def reader():
        for line in proc.stdout:
            if "probes" not in line:
                continue
            if "\u2713" not in line:  # the log marks an OK run with a check mark
                bad.append(line.strip())
            try:
                samples.append(status_kib(proc.pid, "VmRSS"))
                # and once the run is over and the worker idle (the next run is ~0.6 s away)
                time.sleep(a.idle_delay)
                idle_samples.append(status_kib(proc.pid, "VmRSS"))
            except OSError:
                return
            if len(samples) >= a.cycles:
                return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout=a.cycles * 3 + 30)
    proc.terminate()
    proc.wait()
    if len(samples) < a.cycles:
        sys.exit("only %d cycles seen in %d s" % (len(samples), a.cycles * 3 + 30))
    print("\nRSS across %d cycles of a %d-target http_probe check (1 s interval)"
          % (a.cycles, a.endpoints))
    print("  (at its result line / %.1f s later, between runs)" % a.idle_delay)
    for i in sorted({i for i in (1, 2, 10, 50, a.cycles) if i <= a.cycles}):
        print("  after cycle %3d: %.1f / %.1f MiB"
              % (i, samples[i - 1] / 1024, idle_samples[i - 1] / 1024))
    print("  growth from cycle 1 to %d: %+.1f / %+.1f MiB (max %.1f / %.1f MiB, "
          "median of cycles 2-%d %.1f / %.1f MiB); cycles not all OK: %d"
          % (a.cycles, (samples[-1] - samples[0]) / 1024,
             (idle_samples[-1] - idle_samples[0]) / 1024, max(samples) / 1024,
             max(idle_samples) / 1024, a.cycles, sorted(samples[1:])[len(samples[1:]) // 2] / 1024,
             sorted(idle_samples[1:])[len(idle_samples[1:]) // 2] / 1024, len(bad)))
    if bad:
        print("  first: " + bad[0][:200])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--settle", type=int, default=10)
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--endpoints", type=int, default=1000)
    ap.add_argument("--idle-delay", type=float, default=0.1,
                    help="seconds after a cycle's result line for the between-runs sample")
    ap.add_argument("--plugin-dir", help="load plugins from here first")
    ap.add_argument("--skip-idle", action="store_true")
    ap.add_argument("--skip-cycles", action="store_true")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    a = ap.parse_args()
    a.vigil_args = ["--plugin-dir", a.plugin_dir] if a.plugin_dir else []

    vigil = os.path.join(a.build, "bin", "vigil")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(vigil, os.X_OK) or not os.access(nginx, os.X_OK):
        sys.exit("needs %s and nginx" % vigil)
    d = tempfile.mkdtemp(prefix="vigil-idle-bench-")
    os.makedirs(os.path.join(d, "tmp"))
    nginx_port = free_port()
    conf = os.path.join(d, "nginx.conf")
    subprocess.run([sys.executable, os.path.join(a.shared, "bench-data", "gen_nginx_conf.py"),
                    "--endpoints", str(a.endpoints), "--port", str(nginx_port), "--run-dir", d,
                    "-o", conf], check=True)
    write_fixtures(d)
    server = subprocess.Popen([nginx, "-p", d, "-e", os.path.join(d, "error.log"), "-c", conf],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(nginx_port, server, "nginx")
        if not a.skip_idle:
            part_idle(a, vigil, d, nginx_port)
        if not a.skip_cycles:
            part_cycles(a, vigil, d, nginx_port)
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
