#!/usr/bin/env python3
"""http_probe on 1,000 loopback endpoints, 16 at a time, against blackbox_exporter and a curl loop.

Starts nginx from ../shared/bench-data/gen_nginx_conf.py on 127.0.0.1 (every path in a
temporary directory) and Debian's prometheus-blackbox-exporter, then runs interleaved rounds of
  vigil     `vigil check http_probe -o targets=[...1000 URLs] -o concurrency=16`: one process,
            the curl multi interface, a fresh connection per probe (GNU time, whole process)
  blackbox  blackbox_exporter's /probe?module=http_2xx&target=... for the same 1,000 URLs, 16
            requests in flight (a `curl --parallel --parallel-max 16` driver, not counted); its
            own probes open a fresh connection each. CPU is the exporter's utime+stime delta
            over the round from /proc, RSS its VmHWM (peak since start, warmed up by one
            untimed round first, as a long-running exporter would be)
  curl      `xargs -P16 -n1 curl`: the shell loop a user would write, one process per probe
and prints probes/s, CPU-seconds per 1,000 probes and peak RSS (medians).
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
import urllib.parse
import urllib.request

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


def process_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def wait_for_port(port, proc, what, log):
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("%s did not start; see %s" % (what, log))
            time.sleep(0.02)


def start_blackbox(binary, run_dir):
    """blackbox_exporter on a free loopback port with one http module; (process, port)."""
    config = os.path.join(run_dir, "blackbox.yml")
    with open(config, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n"
                "    http:\n      preferred_ip_protocol: ip4\n")
    port = free_port()
    log = os.path.join(run_dir, "blackbox.log")
    proc = subprocess.Popen([binary, "--config.file=" + config,
                             "--web.listen-address=127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    wait_for_port(port, proc, "blackbox_exporter", log)
    return proc, port


def blackbox_round(proc, driver_config):
    """(wall s, exporter CPU s, exporter VmHWM KiB, driver exit code) of one pass."""
    cpu_before = process_cpu_seconds(proc.pid)
    started = time.monotonic()
    rc = subprocess.run(["curl", "-s", "--parallel", "--parallel-max", "16", "-K", driver_config],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.monotonic() - started
    cpu = process_cpu_seconds(proc.pid) - cpu_before
    return wall, cpu, process_status_kib(proc.pid, "VmHWM"), rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--plugin-dir", help="load plugins from here first (vigil check -P)")
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
    blackbox_binary = shutil.which("prometheus-blackbox-exporter") or shutil.which(
        "blackbox_exporter")
    if blackbox_binary is None:
        sys.exit("needs blackbox_exporter: apt-get install prometheus-blackbox-exporter")
    server = subprocess.Popen([nginx, "-p", run_dir, "-e", os.path.join(run_dir, "error.log"),
                               "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    blackbox = None
    try:
        wait_for_port(port, server, "nginx", os.path.join(run_dir, "error.log"))
        blackbox, blackbox_port = start_blackbox(blackbox_binary, run_dir)
        urls = ["http://127.0.0.1:%d/svc/%d" % (port, i) for i in range(a.endpoints)]
        vigil_argv = [vigil, "check", "http_probe", "-o", "targets=[" + ", ".join(urls) + "]",
                      "-o", "concurrency=%d" % a.concurrency, "-o", "timeout=10s",
                      "--timeout", "300s"]
        if a.plugin_dir:
            vigil_argv += ["--plugin-dir", a.plugin_dir]
        curl_argv = ["xargs", "-P%d" % a.concurrency, "-n1", "curl", "-s", "-o", "/dev/null",
                     "--max-time", "10"]
        probe_urls = ["http://127.0.0.1:%d/probe?module=http_2xx&target=%s"
                      % (blackbox_port, urllib.parse.quote(u, safe="")) for u in urls]
        driver_config = os.path.join(run_dir, "blackbox-driver.cfg")
        with open(driver_config, "w") as f:
            for u in probe_urls:
                f.write('url = "%s"\noutput = "/dev/null"\n' % u)
        # The exporter answers 200 whatever the probe found; make sure its probes succeed.
        for u in (probe_urls[0], probe_urls[-1]):
            page = urllib.request.urlopen(u, timeout=10).read().decode()
            if "\nprobe_success 1\n" not in "\n" + page:
                sys.exit("blackbox_exporter's probe failed: %s" % u)
        blackbox_round(blackbox, driver_config)  # warm-up, untimed
        results = {"vigil": [], "blackbox": [], "curl": []}
        for _ in range(a.rounds):
            for name in results:
                if name == "vigil":
                    wall, cpu, rss, rc = timed(vigil_argv)
                elif name == "blackbox":
                    wall, cpu, rss, rc = blackbox_round(blackbox, driver_config)
                else:
                    wall, cpu, rss, rc = timed(curl_argv, "\n".join(urls) + "\n")
                if rc != 0:
                    sys.exit("%s exited %d" % (name, rc))
                results[name].append((wall, cpu, rss))
        print("%d probes, %d at a time, fresh connection each, %d rounds (medians)"
              % (a.endpoints, a.concurrency, a.rounds))
        print("%-8s %12s %22s %14s" % ("peer", "probes/s", "CPU-s per 1,000 probes",
                                         "peak RSS MiB"))
        medians = {}
        for name, rows in results.items():
            wall = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            rss = statistics.median(r[2] for r in rows)
            medians[name] = (a.endpoints / wall, cpu * 1000 / a.endpoints, rss / 1024)
            print("%-8s %12.0f %22.3f %14.1f" % ((name,) + medians[name]))
        v, b = medians["vigil"], medians["blackbox"]
        print("vigil/blackbox: %.2fx the throughput (target >= 1.7x), %.3f of the CPU per probe "
              "(target <= 0.333); vigil peak RSS %.1f MiB (target <= 24 MB)"
              % (v[0] / b[0], v[1] / b[1], v[2]))
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    finally:
        if blackbox is not None:
            blackbox.terminate()
            blackbox.wait()
        server.terminate()
        server.wait()
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
