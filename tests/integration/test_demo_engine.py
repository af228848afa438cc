"""coretel-demo end to end: real syslog clients in, exact counts out of /metrics and the JSON.

Peers: Debian's `logger` (bsdutils) for RFC 5424 over TCP with octet counting and RFC 3164 over
UDP, raw sockets for malformed input, `promtool check metrics` for the exposition.
"""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from demo_harness import (DEMO, Demo, free_port, json_sum, logger, require_peer, sum_samples,
                          wait_until)

MESSAGES = "syslog_receiver_messages_total"
_CONSOLE_DELTA = re.compile(r"^\s+(\S+) = \+(\d+) ", re.MULTILINE)


def console_total(text, field):
    """Sums the `FIELD = +N` deltas the console exporter printed."""
    return sum(int(n) for name, n in _CONSOLE_DELTA.findall(text) if name == field)

ERRORS = "syslog_receiver_parse_errors_total"


class LoggerCounts(unittest.TestCase):
    """A known number of messages per transport and severity, counted exactly."""

    @classmethod
    def setUpClass(cls):
        cls.demo = Demo(cores=2)
        cls.tcp_errors, cls.udp_warnings, cls.udp_debug = 120, 75, 5
        logger(cls.demo.port, [f"tcp message {i}" for i in range(cls.tcp_errors)],
               "--tcp", "--octet-count", "--rfc5424", "-p", "user.err", "-t", "coretel-test")
        logger(cls.demo.port, [f"udp message {i}" for i in range(cls.udp_warnings)],
               "--udp", "--rfc3164", "-p", "daemon.warning", "-t", "coretel-test")
        logger(cls.demo.port, [f"udp debug {i}" for i in range(cls.udp_debug)],
               "--udp", "--rfc3164", "-p", "local3.debug")

    @classmethod
    def tearDownClass(cls):
        cls.demo.stop()

    def expected(self, samples):
        return (sum_samples(samples, MESSAGES, otel_scope_network_transport="tcp", syslog_severity="error"),
                sum_samples(samples, MESSAGES, otel_scope_network_transport="udp", syslog_severity="warning"),
                sum_samples(samples, MESSAGES, otel_scope_network_transport="udp", syslog_severity="debug"))

    def test_prometheus_counts_are_exact(self):
        want = (self.tcp_errors, self.udp_warnings, self.udp_debug)
        wait_until(lambda: self.expected(self.demo.metrics()) == want, what=f"counts {want}")
        samples = self.demo.metrics()
        # Nothing else was counted: no other severity, no parse error.
        self.assertEqual(sum_samples(samples, MESSAGES), sum(want))
        self.assertEqual(sum_samples(samples, ERRORS), 0)
        # One series per core and transport, with scope labels.
        series = [l for n, l, v in samples if n == MESSAGES]
        self.assertTrue(all(l["otel_scope_name"] == "syslog.receiver.messages" for l in series))
        self.assertTrue(all("otel_scope_cpu_logical_number" in l for l in series))
        # TCP connections were accepted and are closed again.
        wait_until(lambda: sum_samples(self.demo.metrics(), "syslog_receiver_connections_open") == 0,
                   what="open connections back to 0")
        self.assertEqual(sum_samples(self.demo.metrics(), "syslog_receiver_connections_accepted_total"), 1)

    def test_json_counts_are_exact(self):
        want = (self.tcp_errors, self.udp_warnings, self.udp_debug)
        wait_until(lambda: self.expected(self.demo.metrics()) == want, what=f"counts {want}")
        doc = self.demo.json_metrics()
        self.assertEqual(json_sum(doc, "syslog.receiver.messages", "syslog.receiver.messages", "tcp",
                                  **{"syslog.severity": "error"}), self.tcp_errors)
        self.assertEqual(json_sum(doc, "syslog.receiver.messages", "syslog.receiver.messages", "udp",
                                  **{"syslog.severity": "warning"}), self.udp_warnings)
        self.assertEqual(json_sum(doc, "syslog.receiver.messages", "syslog.receiver.messages", "udp",
                                  **{"syslog.severity": "debug"}), self.udp_debug)
        # Multivariate: the receiver set carries all of its fields in one object.
        receiver = [s for s in doc["metric_sets"] if s["name"] == "syslog.receiver"]
        self.assertEqual(len(receiver), 4)  # 2 cores x 2 transports
        names = {f["name"] for f in receiver[0]["buckets"][0]["fields"]}
        self.assertEqual(names, {"syslog.receiver.bytes", "syslog.receiver.message.size",
                                 "syslog.receiver.processing.duration",
                                 "syslog.receiver.processing.duration_distribution",
                                 "syslog.receiver.connections.accepted",
                                 "syslog.receiver.connections.open"})
        processed = sum(f["value"]["count"] for s in receiver for f in s["buckets"][0]["fields"]
                        if f["name"] == "syslog.receiver.processing.duration")
        # One message in 256 per worker and transport is timed, the first one included.
        self.assertGreaterEqual(processed, -(-sum(want) // 256))
        self.assertLessEqual(processed, sum(want) // 256 + len(receiver))
        # Every message's size is in the exponential histogram: counts add up to the messages,
        # and every size lies between min and max, within the positive range.
        sizes = [f["value"] for s in receiver for f in s["buckets"][0]["fields"]
                 if f["name"] == "syslog.receiver.message.size"]
        self.assertEqual(sum(v["count"] for v in sizes), sum(want))
        for v in sizes:
            self.assertEqual(sum(v["positive"]["counts"]) + v["zero_count"], v["count"])
            self.assertEqual(v["negative"]["counts"], [])
            if v["count"]:
                self.assertGreater(v["min"], 20)  # "<131>... udp debug 0" and longer
                self.assertLessEqual(v["min"], v["max"])
                self.assertLessEqual(v["scale"], 20)

    def test_exponential_histogram_is_a_classic_histogram_in_prometheus(self):
        want = (self.tcp_errors, self.udp_warnings, self.udp_debug)
        wait_until(lambda: self.expected(self.demo.metrics()) == want, what=f"counts {want}")
        samples = self.demo.metrics()
        self.assertEqual(sum_samples(samples, "syslog_receiver_message_size_bytes_count"), sum(want))
        self.assertEqual(sum_samples(samples, "syslog_receiver_message_size_bytes_bucket", le="+Inf"),
                         sum(want))
        # Per series, the buckets rise with `le` and end at the count.
        by_series = {}
        for name, labels, value in samples:
            if name != "syslog_receiver_message_size_bytes_bucket":
                continue
            key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            by_series.setdefault(key, []).append((float(labels["le"]), value))
        self.assertEqual(len(by_series), 4)  # 2 cores x 2 transports
        for buckets in by_series.values():
            ordered = sorted(buckets)
            self.assertEqual([v for _, v in ordered], sorted(v for _, v in ordered))

    def test_promtool_accepts_the_exposition(self):
        promtool = require_peer("promtool", "prometheus")
        wait_until(lambda: sum_samples(self.demo.metrics(), MESSAGES) > 0, what="some messages")
        result = subprocess.run([promtool, "check", "metrics"], input=self.demo.metrics_text().encode(),
                                capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stdout.decode() + result.stderr.decode())
        self.assertEqual(result.stdout.decode().strip(), "")


class BadInput(unittest.TestCase):
    """Malformed input is counted by reason and never stops the engine."""

    def test_malformed_lines_are_counted_by_reason(self):
        demo = Demo(cores=1)
        try:
            with socket.create_connection(("127.0.0.1", demo.port), timeout=5) as s:
                s.sendall(b"no priority at all\n"
                          b"<999>1 - - - - - - too high\n"
                          b"<13>7 2026-11-22T03:58:27Z host app - - - wrong version\n"
                          b"<13>1 2026-13-40T99:00:00Z host app - - - bad timestamp\n"
                          + b"<13>" + b"x" * (64 * 1024 + 10) + b"\n"
                          + b"<13>Nov 22 03:58:27 host app: still fine\n")
            for bad in (b"", b"\x00\xff\xfe", b"<>", b"<13>1 ", b"[" * 1000):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                    u.sendto(bad, ("127.0.0.1", demo.port))
            want = {"missing_priority": 1 + 3, "invalid_priority": 1 + 1, "invalid_version": 1,
                    "invalid_timestamp": 1 + 1, "message_too_long": 1}

            def errors():
                samples = demo.metrics()
                return {k: sum_samples(samples, ERRORS, error_type=k) for k in want}
            got = wait_until(lambda: errors() if errors() == want else None, what=f"errors {want}")
            self.assertEqual(got, want)
            samples = demo.metrics()
            self.assertEqual(sum_samples(samples, MESSAGES, syslog_severity="notice"), 1)
            # Still serving.
            with socket.create_connection(("127.0.0.1", demo.port), timeout=5) as s:
                s.sendall(b"<14>Nov 22 03:58:27 host app: after the garbage\n")
            wait_until(lambda: sum_samples(demo.metrics(), MESSAGES, syslog_severity="informational") == 1,
                       what="a message after the bad input")
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)


class Shutdown(unittest.TestCase):
    """SIGINT and SIGTERM stop it cleanly and the last values are exported."""

    def check_signal(self, sig):
        # Reports every 60 s: after the first (empty) report, values only leave the workers at
        # shutdown. The console exporter prints that final export.
        demo = Demo("--report-interval-ms", "60000", "--console-interval-ms", "3600000", cores=2)
        logger(demo.port, [f"last words {i}" for i in range(33)], "--tcp", "--octet-count",
               "--rfc5424", "-p", "user.notice")
        # No wait for the workers to read the socket: nothing is reported yet, and what is still
        # in the sockets when the signal arrives is drained and counted (Worker::run).
        self.assertEqual(sum_samples(demo.metrics(), MESSAGES), 0)
        code, out, err = demo.stop(sig)
        self.assertEqual(code, 0, err)
        self.assertIn("tcp: 33 messages, 0 rejected", err)
        self.assertIn("syslog.receiver.messages", out)

    def test_sigterm(self):
        self.check_signal(signal.SIGTERM)

    def test_final_totals_survive_earlier_exports(self):
        # The console exporter commits deltas every 200 ms; the series must still be there for
        # the final collection and the shutdown totals.
        demo = Demo("--console-interval-ms", "200", cores=2)
        logger(demo.port, [f"tcp {i}" for i in range(21)], "--tcp", "--octet-count", "--rfc5424")
        logger(demo.port, [f"udp {i}" for i in range(4)], "--udp", "--rfc3164")
        wait_until(lambda: sum_samples(demo.metrics(), MESSAGES) == 25, what="25 messages")
        # The console exporter printed (and so committed) deltas adding up to all 25 messages.
        wait_until(lambda: console_total(demo.output()[0], "syslog.receiver.messages") == 25,
                   what="the console to print 25 messages")
        code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("udp: 4 messages, 0 rejected; tcp: 21 messages, 0 rejected", err)

    def test_sigint(self):
        self.check_signal(signal.SIGINT)


class Replay(unittest.TestCase):
    """--replay streams a real text file through the TCP socket, one message per line."""

    def test_replays_a_real_log_file(self):
        source = "/var/log/dpkg.log"
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as copy:
            if os.path.exists(source) and os.path.getsize(source) > 0:
                with open(source, errors="replace") as f:
                    copy.writelines(f.readlines()[:2000])
            else:  # a fresh container may have no dpkg.log: use another real text file
                with open("/etc/services", errors="replace") as f:
                    copy.writelines(f.readlines()[:2000])
            path = copy.name
        try:
            with open(path) as f:
                lines = sum(1 for _ in f)
            demo = Demo("--replay", path, cores=2)
            try:
                wait_until(lambda: sum_samples(demo.metrics(), MESSAGES, syslog_severity="notice") == lines,
                           what=f"{lines} replayed lines")
                self.assertEqual(sum_samples(demo.metrics(), ERRORS), 0)
            finally:
                code, out, err = demo.stop()
            self.assertEqual(code, 0, err)
            self.assertIn(f"replayed {lines} lines", err)
        finally:
            os.unlink(path)

    def test_sigterm_stops_a_long_replay_at_a_line_boundary(self):
        # 3 million lines take seconds to replay; SIGTERM must not wait for the rest of the file,
        # and every line sent before it stopped is counted.
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as big:
            big.write("r\n" * 3_000_000)
            path = big.name
        try:
            demo = Demo("--replay", path, cores=1)
            wait_until(lambda: sum_samples(demo.metrics(), MESSAGES) > 0, what="the replay under way")
            started = time.monotonic()
            code, out, err = demo.stop()
            stopped_after = time.monotonic() - started
        finally:
            os.unlink(path)
        self.assertEqual(code, 0, err)
        self.assertLess(stopped_after, 2.0)
        m = re.search(r"replay stopped after (\d+) lines", err)
        self.assertIsNotNone(m, err)
        self.assertIn(f"tcp: {m.group(1)} messages, 0 rejected", err)


class ExitAfterReplay(unittest.TestCase):
    """--exit-after-replay stops once every line was processed and prints the worker's throughput;
    --telemetry says what the worker records and reports (bench/demo_throughput.sh)."""

    def run_demo(self, telemetry, lines):
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.writelines(f"line {i}\n" for i in range(lines))
            path = f.name
        try:
            args = [DEMO, "--listen", f"127.0.0.1:{free_port()}", "--admin", "127.0.0.1:0",
                    "--cores", "1", "--telemetry", telemetry, "--replay", path,
                    "--exit-after-replay"]
            done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        finally:
            os.unlink(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        m = re.search(r"worker 0 processed (\d+) records in [0-9.]+ s of CPU: (\d+) records per "
                      r"CPU-second \(telemetry (\w+)\)", done.stderr)
        self.assertIsNotNone(m, done.stderr)
        self.assertEqual(int(m.group(1)), lines)
        self.assertGreater(int(m.group(2)), 0)
        self.assertEqual(m.group(3), telemetry)
        return done.stderr

    def test_on_records_and_reports_every_line(self):
        self.assertIn("tcp: 5000 messages, 0 rejected", self.run_demo("on", 5000))

    def test_unreported_and_off_report_nothing(self):
        # Recorded values that are never reported never reach the views.
        self.assertIn("tcp: 0 messages, 0 rejected", self.run_demo("unreported", 5000))
        self.assertIn("tcp: 0 messages, 0 rejected", self.run_demo("off", 5000))

    def test_needs_replay(self):
        done = subprocess.run([DEMO, "--exit-after-replay"], capture_output=True, text=True,
                              timeout=20)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("--exit-after-replay requires --replay", done.stderr)


if __name__ == "__main__":
    unittest.main()
