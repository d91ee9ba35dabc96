#!/usr/bin/env python3
"""http_probe on 1,000 loopback endpoints, 16 at a time, against a curl loop in the same run.

Starts nginx from ../shared/bench-data/gen_nginx_conf.py on 127.0.0.1 (every path in a
temporary directory), then runs interleaved rounds of
  vigil    `vigil check http_probe -o targets=[...1000 URLs] -o concurrency=16`: one process,
           the curl multi interface, a fresh connection per probe
  curl     `xargs -P16 -n1 curl`: the shell loop a user would write, one process per probe
under GNU time, and prints probes/s, CPU-seconds per 1,000 probes and peak RSS (medians).
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(argv, stdin_text=None):
    """(wall s, cpu s, peak RSS KiB, exit code) of argv under GNU time."""
    fd, report = tempfile.mkstemp()
    os.close(fd)
    started = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-o", report, "-f", "%U %S %M"] + argv,
                          input=stdin_text, text=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    wall = time.monotonic() - started
    with open(report) as f:
        user, system, rss = f.read().split()[-3:]
    os.remove(report)
    return wall, float(user) + float(system), int(rss), proc.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--endpoints", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    a = ap.parse_args()

    vigil = os.path.join(a.build, "bin", "vigil")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(vigil, os.X_OK) or not os.access(nginx, os.X_OK) or not shutil.which("curl"):
        sys.exit("needs %s, nginx and curl" % vigil)
    run_dir = tempfile.mkdtemp(prefix="vigil-http-bench-")
    os.makedirs(os.path.join(run_dir, "tmp"))
    port = free_port()
    conf = os.path.join(run_dir, "nginx.conf")
    subprocess.run([sys.executable, os.path.join(a.shared, "bench-data", "gen_nginx_conf.py"),
                    "--endpoints", str(a.endpoints), "--port", str(port), "--run-dir", run_dir,
                    "-o", conf], check=True)
    server = subprocess.Popen([nginx, "-p", run_dir, "-e", os.path.join(run_dir, "error.log"),
                               "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("nginx did not start; see %s/error.log" % run_dir)
                time.sleep(0.02)
        urls = ["http://127.0.0.1:%d/svc/%d" % (port, i) for i in range(a.endpoints)]
        vigil_argv = [vigil, "check", "http_probe", "-o", "targets=[" + ", ".join(urls) + "]",
                      "-o", "concurrency=%d" % a.concurrency, "-o", "timeout=10s",
                      "--timeout", "300s"]
        curl_argv = ["xargs", "-P%d" % a.concurrency, "-n1", "curl", "-s", "-o", "/dev/null",
                     "--max-time", "10"]
        results = {"vigil": [], "curl": []}
        for _ in range(a.rounds):
            for name in ("vigil", "curl"):
                if name == "vigil":
                    wall, cpu, rss, rc = timed(vigil_argv)
                else:
                    wall, cpu, rss, rc = timed(curl_argv, "\n".join(urls) + "\n")
                if rc != 0:
                    sys.exit("%s exited %d" % (name, rc))
                results[name].append((wall, cpu, rss))
        print("%d probes, %d at a time, fresh connection each, %d rounds (medians)"
              % (a.endpoints, a.concurrency, a.rounds))
        print("%-6s %12s %22s %14s" % ("peer", "probes/s", "CPU-s per 1,000 probes", "peak RSS MiB"))
        for name, rows in results.items():
            wall = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            rss = statistics.median(r[2] for r in rows)
            print("%-6s %12.0f %22.3f %14.1f" % (name, a.endpoints / wall,
                                                 cpu * 1000 / a.endpoints, rss / 1024))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
