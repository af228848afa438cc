"""Starts coretel-demo on free loopback ports and reads its admin endpoint.

Shared by the integration tests. Every process a test starts is stopped by its pid when the
test ends, and every wait is bounded.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

DEMO = os.environ.get("CORETEL_DEMO", "build/bin/coretel-demo")


def free_port(kind=socket.SOCK_STREAM):
    """A port that is free for both TCP and UDP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


def wait_until(predicate, timeout=15.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def require_peer(program, package):
    """The path of `program`; a missing peer is a failure, never a skip (scripts/install-deps.sh
    installs every peer the tests use)."""
    path = shutil.which(program)
    if path is None:
        raise AssertionError(f"{program} not found on PATH: install the Debian package {package} "
                             "(scripts/install-deps.sh)")
    return path


def http_get(url, headers=None, timeout=5):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.headers, response.read().decode()


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text):
    """Prometheus text 0.0.4 -> list of (name, {label: value}, float)."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise AssertionError(f"unparsable exposition line: {line!r}")
        labels = dict(_LABEL.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples


def sum_samples(samples, name, **labels):
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == w for k, w in labels.items()))


class Demo:
    """One coretel-demo process on free ports."""

    def __init__(self, *extra_args, cores=2, preexec_fn=None, env=None):
        """`preexec_fn` runs in the child before exec (pin it to a CPU, lower its RLIMIT_NOFILE);
        `env`: variables added to this process' environment for the child (OTEL_*)."""
        self.port = free_port()
        self.admin_port = free_port()
        self.args = [DEMO, "--listen", f"127.0.0.1:{self.port}", "--admin",
                     f"127.0.0.1:{self.admin_port}", "--cores", str(cores), *extra_args]
        # The child writes through append-mode files, and output() reads through handles of its
        # own: a reader sharing the child's file offset (one open file) would make the child's
        # next write land wherever the reader last seeked, over earlier output.
        self.dir = tempfile.TemporaryDirectory()  # removed by stop() and kill()
        self.stdout_path = os.path.join(self.dir.name, "stdout")
        self.stderr_path = os.path.join(self.dir.name, "stderr")
        self._result = None
        child_env = None
        if env:
            child_env = dict(os.environ)
            child_env.update(env)
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen(self.args, stdout=out, stderr=err,
                                            preexec_fn=preexec_fn, env=child_env)
        try:
            wait_until(self._ready, what="coretel-demo /readyz")
        except BaseException:
            out, err = self.output()
            self.kill()
            raise AssertionError(f"coretel-demo did not become ready: {err}") from None

    @property
    def admin(self):
        return f"http://127.0.0.1:{self.admin_port}"

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"coretel-demo exited with {self.process.returncode}: {self.output()[1]}")
        try:
            return http_get(self.admin + "/readyz", timeout=1)[0] == 200
        except OSError:
            return False

    @property
    def pid(self):
        return self.process.pid

    def cpu_seconds(self):
        """User + system CPU time of the whole process so far (/proc/PID/stat, proc(5))."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def open_fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def admin_connections(self):
        """How many accepted admin-endpoint connections the demo still holds a descriptor for
        (its socket inodes matched against the TCP table, proc(5) /proc/PID/net/tcp). A client
        closing its end does not close the server's at once: count before relying on
        open_fds() as a baseline."""
        inodes = set()
        for fd in os.listdir(f"/proc/{self.pid}/fd"):
            try:
                link = os.readlink(f"/proc/{self.pid}/fd/{fd}")
            except OSError:  # closed since the listing
                continue
            if link.startswith("socket:["):
                inodes.add(link[len("socket:["):-1])
        held = 0
        with open(f"/proc/{self.pid}/net/tcp") as table:
            next(table)  # the header line
            for line in table:
                fields = line.split()
                local_port = int(fields[1].split(":")[1], 16)
                listening = fields[3] == "0A"  # TCP_LISTEN
                if local_port == self.admin_port and not listening and fields[9] in inodes:
                    held += 1
        return held

    def metrics(self):
        return parse_exposition(http_get(self.admin + "/metrics")[2])

    def metrics_text(self):
        return http_get(self.admin + "/metrics")[2]

    def json_metrics(self):
        return json.loads(http_get(self.admin + "/api/v1/telemetry/metrics")[2])

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig` and waits; returns (exit code, stdout, stderr). Idempotent."""
        if self._result is not None:
            return self._result
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"coretel-demo did not stop within {timeout}s of {sig!r}")
        out, err = self.output()
        self._result = (self.process.returncode, out, err)
        self.dir.cleanup()
        return self._result

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self._result is None:
            self._result = (self.process.returncode, *self.output())
            self.dir.cleanup()

    def output(self):
        """(stdout, stderr) so far; after stop() or kill(), what they held then."""
        if self._result is not None:
            return self._result[1], self._result[2]
        with open(self.stdout_path, "rb") as out, open(self.stderr_path, "rb") as err:
            return out.read().decode(errors="replace"), err.read().decode(errors="replace")


def logger(port, lines, *args):
    """Sends `lines` (one message each) through Debian's logger to 127.0.0.1:port."""
    subprocess.run([require_peer("logger", "bsdutils"), "-n", "127.0.0.1", "-P", str(port), *args],
                   input="".join(line + "\n" for line in lines).encode(), check=True, timeout=30)


def json_sum(document, set_name, field, transport=None, **measurement):
    """Sums one field over every series (and matching bucket) of a metric set in the JSON."""
    total = 0
    for s in document["metric_sets"]:
        if s["name"] != set_name:
            continue
        if transport is not None and s["entity"].get("network.transport") != transport:
            continue
        for bucket in s["buckets"]:
            if any(bucket["attributes"].get(k) != v for k, v in measurement.items()):
                continue
            for f in bucket["fields"]:
                if f["name"] == field:
                    total += f["value"]
    return total
