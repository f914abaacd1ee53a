#!/usr/bin/python3
"""Measure a served estate as a user of `slsim serve` meets it.

Two measurements, each printing its figures (medians over --runs):

  table   new estates of standalone C9300-24P (--sizes, default 100 and 1000):
          start-up (launch until every switch's SSH port answers), then 20
          paramiko shells on 20 switches typing `show version` 50 times each:
          the server's CPU per command (from /proc), the latency of a command
          (typed to prompt back) at p50 and p99, and commands per second.

  aged    an estate of 1,000 C9300-24P, registered, aged ten virtual years
          with the operator console (`lab advance 365d` ten times), then run
          for --minutes at --speed 14400 with 50 sessions, each sending
          `show license status` and waiting a second after each answer:
          p50/p99 of a command, the server's peak RSS, and the size of
          world.json after a clean stop. With --client go the sessions are
          scripts/sshload's (Go, x/crypto/ssh), whose own cost is next to
          nothing; paramiko's threads add tens of milliseconds at the tail
          on a 2-core machine that also runs the server.

  twin    an estate of --switches (default 10,000) standalone C9300-24P served
          with --loopback (each switch its own address, one listening socket
          per protocol): start-up (launch until the last switch answers),
          the server's RSS idle and per switch, its open descriptors, then
          --minutes at --speed 60 with 50 scripts/sshload sessions on 50
          switches, each sending `show license status` and waiting a second
          after each answer: p50/p99 of a command. Then it registers every
          switch from the operator console and times the portal's Product
          Instances pages over 10,000 instances (python requests): the first
          page, a search for one serial, the last page.

It needs python3 and paramiko (Debian: python3-paramiko) and an slsim binary
(--slsim, default: built with `go build` into a temporary directory). All
servers listen on 127.0.0.1 and stop at the end.

  python3 scripts/estate-soak.py table
  python3 scripts/estate-soak.py aged --minutes 1
  python3 scripts/estate-soak.py twin --minutes 1
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import paramiko

PASSWORD = "cisco"
USER = "admin"


def estate_file(path, n):
    with open(path, "w") as f:
        f.write("# %d standalone C9300-24P, each at Network Advantage\n" % n)
        for i in range(1, n + 1):
            f.write("device sw%05d version 17.3.1 level network-advantage\n" % i)
            f.write("  switch C9300-24P FOC%07dX\n" % i)
        f.write("pool\n  %d C9300-24 Network Advantage\n" % n)


def ticks(pid):
    """CPU seconds (user + system) a process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_mb(pid, key):
    """A memory figure of /proc/<pid>/status (VmHWM: peak RSS, VmRSS: now) in MB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb(pid):
    return status_mb(pid, "VmHWM")


def wait_port(port, deadline, proc, host="127.0.0.1"):
    while time.time() < deadline and proc.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                s.recv(64)  # the SSH banner: the switch answers
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Shell:
    """An interactive paramiko shell on one switch, read up to its prompt."""

    def __init__(self, port, host):
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect("127.0.0.1", port=port, username=USER, password=PASSWORD,
                            look_for_keys=False, allow_agent=False, timeout=30, banner_timeout=30, auth_timeout=30)
        self.chan = self.client.invoke_shell(width=511, height=1000)
        self.prompt = (host + "#").encode()
        self.read()
        self.run("terminal length 0")

    def read(self):
        buf = b""
        end = time.time() + 60
        while not buf.rstrip().endswith(self.prompt):
            if time.time() > end:
                raise TimeoutError("no prompt from %s: %r" % (self.prompt, buf[-200:]))
            buf += self.chan.recv(65536)
        return buf

    def run(self, cmd):
        t = time.perf_counter()
        self.chan.send(cmd + "\r")
        self.read()
        return time.perf_counter() - t

    def close(self):
        self.client.close()


def serve(slsim, estate, state, ssh_base, speed=1.0, console=False):
    try:
        socket.create_connection(("127.0.0.1", ssh_base), timeout=1).close()
        sys.exit("port %d is already taken: is another server running? (--port)" % ssh_base)
    except OSError:
        pass
    args = [slsim, "serve", "--estate", estate, "--state", state, "--ssh-port-base", str(ssh_base),
            "--https-port-base", str(ssh_base + 10000), "--cssm-port-base", "-1", "--speed", str(speed),
            "--save-every", "1h", "--password", PASSWORD]
    return subprocess.Popen(args, stdin=subprocess.PIPE if console else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def register_all(proc, n):
    """Types, on the operator console, a registration of every switch."""
    for i in range(1, n + 1):
        proc.stdin.write("lab device sw%05d\nenable\nlicense smart register idtoken $TOKEN\n" % i)


def go_load(args, targets):
    """Runs scripts/sshload on targets (host:port, hostname) for --minutes,
    `show license status` a second apart: each command's latency in s."""
    cmd = [args.sshload, "-command", "show license status", "-pause", "1s", "-for", "%gs" % (args.minutes * 60),
           "-password", PASSWORD]
    for addr, host in targets:
        cmd += ["-addr", "%s,%s" % (addr, host)]
    got = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
    return [int(x) / 1e6 for x in got]


def drain(proc, sink):
    for line in proc.stdout:
        sink.append(line)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def table(args, slsim):
    for n in args.sizes:
        starts, cpus, p50s, p99s, rates = [], [], [], [], []
        for run in range(args.runs):
            work = tempfile.mkdtemp(prefix="slsim-soak-")
            est = os.path.join(work, "estate.txt")
            estate_file(est, n)
            t0 = time.time()
            proc = serve(slsim, est, os.path.join(work, "state"), args.port)
            out = []
            threading.Thread(target=drain, args=(proc, out), daemon=True).start()
            try:
                if not wait_port(args.port + n - 1, t0 + 300, proc):
                    sys.exit("the server did not answer: " + "".join(out[-20:]))
                starts.append(time.time() - t0)
                picks = [1 + i * n // args.sessions for i in range(args.sessions)]
                shells = [Shell(args.port + i - 1, "sw%05d" % i) for i in picks]
                lat, lock = [], threading.Lock()

                def work_on(sh):
                    mine = [sh.run("show version") for _ in range(args.commands)]
                    with lock:
                        lat.extend(mine)

                c0, w0 = ticks(proc.pid), time.perf_counter()
                threads = [threading.Thread(target=work_on, args=(sh,)) for sh in shells]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()
                c1, w1 = ticks(proc.pid), time.perf_counter()
                for sh in shells:
                    sh.close()
                cpus.append((c1 - c0) / len(lat) * 1000)
                p50s.append(pct(lat, 0.50) * 1000)
                p99s.append(pct(lat, 0.99) * 1000)
                rates.append(len(lat) / (w1 - w0))
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=120)
                shutil.rmtree(work, ignore_errors=True)
        print("%6d switches: start %.2f s, server CPU %.3f ms/command, p50 %.1f ms, p99 %.1f ms, %.0f commands/s"
              " (medians of %d runs; %d sessions x %d show version)" % (
                  n, statistics.median(starts), statistics.median(cpus), statistics.median(p50s),
                  statistics.median(p99s), statistics.median(rates), args.runs, args.sessions, args.commands),
              flush=True)


def aged(args, slsim):
    n = args.switches
    work = tempfile.mkdtemp(prefix="slsim-soak-")
    est = os.path.join(work, "estate.txt")
    state = os.path.join(work, "state")
    estate_file(est, n)
    proc = serve(slsim, est, state, args.port, speed=args.speed, console=True)
    out = []
    threading.Thread(target=drain, args=(proc, out), daemon=True).start()
    try:
        if not wait_port(args.port + n - 1, time.time() + 300, proc):
            sys.exit("the server did not answer: " + "".join(out[-20:]))
        # Register every switch, then ten virtual years, from the console.
        console_start = time.time()
        register_all(proc, n)
        proc.stdin.write("lab advance 1h\n")
        for _ in range(10):
            proc.stdin.write("lab advance 365d\n")
        proc.stdin.write("lab time\n")
        proc.stdin.flush()
        mark = len(out)
        end = time.time() + 600
        while time.time() < end and proc.poll() is None and not any(
                l.strip().startswith(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")) and l.strip().endswith("UTC") for l in out[mark:]):
            time.sleep(0.2)
        if proc.poll() is not None or time.time() >= end:
            sys.exit("the console did not finish: " + "".join(out[-20:]))
        aged_at = time.time()
        picks = [1 + i * n // args.sessions for i in range(args.sessions)]
        if args.client == "go":
            lat = go_load(args, [("127.0.0.1:%d" % (args.port + i - 1), "sw%05d" % i) for i in picks])
        else:
            shells = [Shell(args.port + i - 1, "sw%05d" % i) for i in picks]
            lat, lock = [], threading.Lock()
            stop = time.time() + args.minutes * 60

            def work_on(sh):
                mine = []
                while time.time() < stop:
                    mine.append(sh.run("show license status"))
                    time.sleep(1)
                with lock:
                    lat.extend(mine)

            threads = [threading.Thread(target=work_on, args=(sh,)) for sh in shells]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            for sh in shells:
                sh.close()
        rss = peak_rss_mb(proc.pid)
    except Exception:
        print("".join(out[-20:]), file=sys.stderr)
        raise
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=300)
    size = os.path.getsize(os.path.join(state, "world.json")) / 1e6 if os.path.exists(os.path.join(state, "world.json")) else float("nan")
    print("%d switches registered and aged 10 years (the console took %.0f s), %g min at --speed %g with %d %s sessions: "
          "%d commands, p50 %.1f ms, p99 %.1f ms; peak RSS %.0f MB; world.json %.1f MB" % (
              n, aged_at - console_start, args.minutes, args.speed, args.sessions, args.client, len(lat),
              pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000, rss, size), flush=True)
    shutil.rmtree(work, ignore_errors=True)


def portal_pages(proc, out, n, port):
    """Registers every switch from the operator console, then times the
    portal's Product Instances pages (first, a serial searched, last)."""
    import re
    import requests
    import urllib3
    urllib3.disable_warnings()
    t = time.time()
    register_all(proc, n)
    proc.stdin.write("lab advance 1m\nlab cssm vas\n")
    proc.stdin.flush()
    mark = len(out)
    end = time.time() + 900
    while time.time() < end and proc.poll() is None and not any(l.startswith("Campus:") for l in out[mark:]):
        time.sleep(0.2)
    registered = time.time() - t
    site = "https://127.0.0.1:%d" % port
    s = requests.Session()
    s.verify = False
    s.post(site + "/login", data={"user": USER, "password": PASSWORD}, timeout=30, verify=False).raise_for_status()
    times, found = [], 0
    for name, path in [("first page", "/inventory?va=Campus&tab=instances"),
                       ("search", "/inventory?va=Campus&tab=instances&q=FOC%07dX" % (n // 2)),
                       ("last page", "/inventory?va=Campus&tab=instances&page=999999")]:
        t = time.perf_counter()
        r = s.get(site + path, timeout=60, verify=False)
        times.append((name, time.perf_counter() - t))
        r.raise_for_status()
        m = re.search(r'<span id="found">(\d+)</span>', r.text)
        if name == "first page" and m:
            found = int(m.group(1))
    return {"instances": found, "registered": registered, "times": times}


def twin(args, slsim):
    n = args.switches
    work = tempfile.mkdtemp(prefix="slsim-twin-")
    est = os.path.join(work, "estate.txt")
    state = os.path.join(work, "state")
    estate_file(est, n)
    cssm_port = args.port - 1000
    cmd = [slsim, "serve", "--estate", est, "--state", state, "--loopback", "--ssh-port-base", str(args.port),
           "--https-port-base", str(args.port + 10000), "--cssm-port-base", str(cssm_port), "--speed", "60",
           "--save-every", "1h", "--password", PASSWORD]
    launched = time.time()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = []
    threading.Thread(target=drain, args=(proc, out), daemon=True).start()
    try:
        last = "127.%d.%d.%d" % (((n + 1) >> 16) & 255, ((n + 1) >> 8) & 255, (n + 1) & 255)
        if not wait_port(args.port, time.time() + 300, proc, host=last):
            sys.exit("the server did not answer: " + "".join(out[-20:]))
        started = time.time() - launched
        time.sleep(2)
        idle = status_mb(proc.pid, "VmRSS")
        fds = len(os.listdir("/proc/%d/fd" % proc.pid))
        picks = [1 + i * n // args.sessions for i in range(args.sessions)]
        lat = go_load(args, [("127.%d.%d.%d:%d" % ((i + 1) >> 16 & 255, (i + 1) >> 8 & 255, (i + 1) & 255, args.port), "sw%05d" % i)
                             for i in picks])
        peak = peak_rss_mb(proc.pid)
        pages = portal_pages(proc, out, n, cssm_port)
    except Exception:
        print("".join(out[-20:]), file=sys.stderr)
        raise
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=300)
    print("%d switches with --loopback: started in %.1f s; idle RSS %.0f MB (%.1f KiB a switch), %d open descriptors; "
          "%g min at --speed 60 with %d sessions: %d commands, p50 %.1f ms, p99 %.1f ms; peak RSS %.0f MB" % (
              n, started, idle, idle * 1024 / n, fds, args.minutes, args.sessions, len(lat),
              pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000, peak), flush=True)
    print("portal over %d product instances (registered in %.0f s): %s" % (
        pages["instances"], pages["registered"], ", ".join("%s %.0f ms" % (k, v * 1000) for k, v in pages["times"])), flush=True)
    shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["table", "aged", "twin"])
    ap.add_argument("--slsim", help="the slsim binary (default: go build ./cmd/slsim)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=None)
    ap.add_argument("--commands", type=int, default=50)
    ap.add_argument("--minutes", type=float, default=1)
    ap.add_argument("--switches", type=int, default=None, help="aged, twin: the estate's size (1,000; 10,000)")
    ap.add_argument("--client", choices=["paramiko", "go"], default="paramiko",
                    help="aged: the SSH client (go: scripts/sshload, which adds next to nothing to the latency)")
    ap.add_argument("--speed", type=float, default=14400)
    ap.add_argument("--port", type=int, default=20000,
                    help="SSH port of the first switch; HTTPS takes port+10000 on (keep both below the ephemeral range, 32768)")
    args = ap.parse_args()
    if args.sessions is None:
        args.sessions = 20 if args.mode == "table" else 50
    if args.switches is None:
        args.switches = 10000 if args.mode == "twin" else 1000
    slsim = args.slsim
    tmp = tempfile.mkdtemp(prefix="slsim-bin-")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not slsim:
        slsim = os.path.join(tmp, "slsim")
        subprocess.run(["go", "build", "-o", slsim, "./cmd/slsim"], cwd=root, check=True)
    args.sshload = os.path.join(tmp, "sshload")
    if args.client == "go" or args.mode == "twin":
        subprocess.run(["go", "build", "-o", args.sshload, "./scripts/sshload"], cwd=root, check=True)
    try:
        {"table": table, "aged": aged, "twin": twin}[args.mode](args, slsim)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
