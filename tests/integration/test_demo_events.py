"""coretel-demo's events (docs/events.md): the console line, exact, for every event the demo
declares in registry/syslog_receiver/events.yaml; CORETEL_LOG filtering; the parse-failure rate
limit and its suppressed count; the `its` provider configured by `--config`, its recent-events
view on the admin endpoint and its OTLP logs; configuration errors naming the file and line.

Peers: Debian's `logger` (bsdutils) for a TCP connection, raw UDP sockets for malformed input,
coretel-otlp-sink (libprotobuf decoding) for OTLP logs.
"""
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error

from demo_harness import DEMO, Demo, free_port, http_get, logger, sum_samples, wait_until
from test_demo_otlp import Sink

SCHEMA = os.environ.get("CORETEL_SCHEMA", "build/bin/coretel-schema")
REGISTRIES = os.environ.get("CORETEL_REGISTRIES", "../../registry")

ERRORS = "syslog_receiver_parse_errors_total"
CLOSED = "syslog_receiver_connections_closed_total"
# The console line (include/coretel/events/console_format.h).
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (DEBUG|INFO |WARN |ERROR) "
                  r"\[syslog\.receiver\] (\S+)(.*)$")


def events(stderr):
    """(severity, name, {attribute: value}) of every event line, in order."""
    out = []
    for line in stderr.splitlines():
        m = LINE.match(line)
        if m:
            attributes = dict(kv.split("=", 1) for kv in m.group(3).split())
            out.append((m.group(1).strip(), m.group(2), attributes))
    return out


def send_bad_datagrams(port, count):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for i in range(count):
            udp.sendto(b"no priority %d" % i, ("127.0.0.1", port))


class DemoEvents(unittest.TestCase):

    def test_every_declared_event_at_debug(self):
        demo = Demo(cores=1, env={"CORETEL_LOG": "debug"})
        try:
            logger(demo.port, ["over tcp"], "--tcp", "--octet-count", "--rfc5424")
            # The connection's events come first: wait for its close before the datagrams.
            wait_until(lambda: sum_samples(demo.metrics(), CLOSED) == 1, what="the TCP close")
            send_bad_datagrams(demo.port, 3)  # one event now, two suppressed
            wait_until(lambda: sum_samples(demo.metrics(), ERRORS) == 3, what="3 parse errors")
            # After the 1 s rate-limit window, the next failure carries the suppressed count.
            time.sleep(1.1)  # the rate limit's window, not a wait for an event
            send_bad_datagrams(demo.port, 1)
            wait_until(lambda: sum_samples(demo.metrics(), ERRORS) == 4, what="4 parse errors")
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        seen = events(err)
        names = [name for _, name, _ in seen]
        self.assertEqual(names, ["syslog.receiver.start", "syslog.receiver.worker.start",
                                 "syslog.receiver.connection.accept",
                                 "syslog.receiver.connection.close",
                                 "syslog.receiver.parse.fail", "syslog.receiver.parse.fail",
                                 "syslog.receiver.stop"], err)
        by_name = {}
        for severity, name, attributes in seen:
            by_name.setdefault(name, []).append((severity, attributes))
        self.assertEqual(by_name["syslog.receiver.start"],
                         [("INFO", {"server.address": "127.0.0.1", "server.port": str(demo.port),
                                    "syslog.receiver.cores": "1"})])
        severity, accept = by_name["syslog.receiver.connection.accept"][0]
        self.assertEqual(severity, "DEBUG")
        self.assertEqual(accept["client.address"], "127.0.0.1")
        self.assertGreater(int(accept["client.port"]), 0)
        self.assertEqual(by_name["syslog.receiver.connection.close"][0][1]
                         ["syslog.connection.close_reason"], "peer_closed")
        failures = by_name["syslog.receiver.parse.fail"]
        self.assertEqual([s for s, _ in failures], ["WARN", "WARN"])
        self.assertEqual([a["error.type"] for _, a in failures], ["missing_priority"] * 2)
        self.assertEqual([a["network.transport"] for _, a in failures], ["udp", "udp"])
        self.assertEqual([a["syslog.event.suppressed"] for _, a in failures], ["0", "2"])
        self.assertEqual(by_name["syslog.receiver.stop"],
                         [("INFO", {"syslog.receiver.message.count": "1"})])

    def test_the_default_filter_hides_debug_and_coretel_log_silences(self):
        demo = Demo(cores=1, env={"CORETEL_LOG": ""})  # empty is unset: info
        try:
            logger(demo.port, ["over tcp"], "--tcp", "--octet-count", "--rfc5424")
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual([name for _, name, _ in events(err)],
                         ["syslog.receiver.start", "syslog.receiver.worker.start",
                          "syslog.receiver.stop"], err)
        quiet = Demo(cores=1, env={"CORETEL_LOG": "info,syslog.receiver=off"})
        code, out, err = quiet.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(events(err), [])

    def test_a_bad_directive_is_reported_and_skipped(self):
        demo = Demo(cores=1, env={"CORETEL_LOG": "info,syslog.receiver=loud"})
        code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("coretel: CORETEL_LOG directive 2 `syslog.receiver=loud`: unknown level "
                      "`loud` (debug, info, warn, error, off); skipped\n", err)
        self.assertEqual(len(events(err)), 3)  # the default applies


ITS_CONFIG = """\
# An application's own keys around coretel's section are not coretel's to judge.
receivers: {syslog: {}}
service:
  pipelines: {}
  telemetry:
    logs:
      level: debug
      providers: {engine: its, admin: its, global: its, internal: console_direct}
      its: {recent_capacity: 64, interval_ms: 20, console: true}
      batch: {schedule_delay_ms: 100}
"""


def write_config(directory, text):
    path = os.path.join(directory, "coretel.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def log_records(requests):
    """(scope, event name, severity text, {attribute: value}) of every OTLP log record."""
    out = []
    for r in requests:
        if r.get("signal") != "logs":
            continue
        for rl in r["request"].get("resourceLogs", []):
            for sl in rl.get("scopeLogs", []):
                for rec in sl.get("logRecords", []):
                    attributes = {a["key"]: next(iter(a["value"].values()))
                                  for a in rec.get("attributes", [])}
                    out.append((sl["scope"]["name"], rec["eventName"], rec["severityText"],
                                attributes))
    return out


class DemoEventsThroughIts(unittest.TestCase):

    def its_demo(self, env_for_sink, cores):
        """A sink, and the demo with ITS_CONFIG and the variables `env_for_sink(sink)` gives."""
        sink = Sink()
        self.addCleanup(sink.stop)
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        config = write_config(directory.name, ITS_CONFIG)
        demo = Demo("--config", config, cores=cores, env=env_for_sink(sink))
        self.addCleanup(demo.kill)
        return sink, demo

    def test_its_feeds_the_console_the_admin_view_and_otlp_logs(self):
        # OTLP logs only: metrics stay off, the logs endpoint turns `its`'s OTLP output on.
        sink, demo = self.its_demo(lambda sink: {
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": f"http://127.0.0.1:{sink.port}/v1/logs",
            "OTEL_SERVICE_NAME": "edge-logs", "CORETEL_LOG": ""}, cores=1)
        logger(demo.port, ["over tcp"], "--tcp", "--octet-count", "--rfc5424")
        wait_until(lambda: sum_samples(demo.metrics(), CLOSED) == 1, what="the TCP close")

        def view_names():
            status, _, body = http_get(demo.admin + "/api/v1/telemetry/events")
            self.assertEqual(status, 200)
            return [e["event_name"] for e in json.loads(body)["events"]]
        wait_until(lambda: "syslog.receiver.connection.close" in view_names(),
                   what="the close in the recent-events view")
        status, _, body = http_get(demo.admin + "/api/v1/telemetry/events?limit=64")
        view = json.loads(body)
        self.assertEqual(view["enabled"], True)
        self.assertEqual(view["capacity"], 64)
        by_name = {e["event_name"]: e for e in view["events"]}
        start = by_name["syslog.receiver.start"]
        self.assertEqual((start["severity_text"], start["scope"], start["aspect"]),
                         ("INFO", "syslog.receiver", "global"))
        self.assertEqual(start["attributes"], {"server.address": "127.0.0.1",
                                               "server.port": demo.port,
                                               "syslog.receiver.cores": 1})
        accept = by_name["syslog.receiver.connection.accept"]
        self.assertEqual((accept["severity_text"], accept["aspect"]), ("DEBUG", "engine"))
        self.assertEqual(by_name["syslog.receiver.connection.close"]["attributes"]
                         ["syslog.connection.close_reason"], "peer_closed")
        with self.assertRaises(urllib.error.HTTPError) as bad:
            http_get(demo.admin + "/api/v1/telemetry/events?limit=0")
        self.assertEqual(bad.exception.code, 400)

        code, _, err = demo.stop()
        self.assertEqual(code, 0, err)
        # The console got every event, through its collector.
        self.assertEqual([name for _, name, _ in events(err)],
                         ["syslog.receiver.start", "syslog.receiver.worker.start",
                          "syslog.receiver.connection.accept", "syslog.receiver.connection.close",
                          "syslog.receiver.stop"], err)
        # OTLP logs got them too, the last (stop) included: shutdown flushed the batch.
        wait_until(lambda: len(log_records(sink.requests())) >= 5, what="five log records")
        records = log_records(sink.requests())
        self.assertEqual(sorted(name for _, name, _, _ in records),
                         sorted(["syslog.receiver.start", "syslog.receiver.worker.start",
                                 "syslog.receiver.connection.accept",
                                 "syslog.receiver.connection.close", "syslog.receiver.stop"]))
        self.assertEqual({scope for scope, _, _, _ in records}, {"syslog.receiver"})
        stop = [r for r in records if r[1] == "syslog.receiver.stop"][0]
        self.assertEqual((stop[2], stop[3]), ("INFO", {"syslog.receiver.message.count": "1"}))
        resource = sink.requests()[0]["request"]["resourceLogs"][0]["resource"]["attributes"]
        self.assertIn({"key": "service.name", "value": {"stringValue": "edge-logs"}}, resource)

    def test_otlp_logs_over_every_protocol(self):
        """`its` feeding OTLP logs over HTTP with protobuf, HTTP with JSON, and gRPC: the same
        records, decoded by libprotobuf in the sink."""
        for protocol, content_type in (("http/protobuf", "application/x-protobuf"),
                                       ("http/json", "application/json"),
                                       ("grpc", "application/grpc")):
            with self.subTest(protocol=protocol):
                def env(sink):
                    port = sink.grpc_port if protocol == "grpc" else sink.port
                    path = "" if protocol == "grpc" else "/v1/logs"
                    return {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": f"http://127.0.0.1:{port}{path}",
                            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": protocol, "CORETEL_LOG": ""}
                sink, demo = self.its_demo(env, cores=1)
                code, _, err = demo.stop()
                self.assertEqual(code, 0, err)
                wait_until(lambda: len(log_records(sink.requests())) >= 3, what="3 log records")
                self.assertEqual([name for _, name, _, _ in log_records(sink.requests())],
                                 ["syslog.receiver.start", "syslog.receiver.worker.start",
                                  "syslog.receiver.stop"])
                self.assertEqual({r["contentType"] for r in sink.requests()
                                  if r["signal"] == "logs"}, {content_type})

    def live_check(self, lines):
        """coretel-schema live-check of `lines` (JSON documents) against the demo's registry,
        coretel's and the semantic conventions' subset: (exit code, output)."""
        result = subprocess.run([SCHEMA, "live-check", f"{REGISTRIES}/syslog_receiver",
                                 f"{REGISTRIES}/coretel", f"{REGISTRIES}/semconv"],
                                input="\n".join(lines) + "\n", capture_output=True, text=True,
                                timeout=60)
        return result.returncode, result.stdout + result.stderr

    def test_live_check_passes_on_everything_the_demo_emits_and_fails_on_the_undeclared(self):
        # Metrics and logs over OTLP; every event, at debug, through its.
        sink, demo = self.its_demo(lambda sink: {
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{sink.port}",
            "OTEL_METRIC_EXPORT_INTERVAL": "200", "CORETEL_LOG": ""}, cores=2)
        logger(demo.port, ["over tcp"], "--tcp", "--octet-count", "--rfc5424")
        send_bad_datagrams(demo.port, 2)
        wait_until(lambda: sum_samples(demo.metrics(), ERRORS) == 2, what="2 parse errors")
        wait_until(lambda: len(sink.requests()) >= 2, what="two metric pushes")
        view = http_get(demo.admin + "/api/v1/telemetry/events")[2]
        code, _, err = demo.stop()
        self.assertEqual(code, 0, err)
        lines = [json.dumps(r) for r in sink.requests()] + [view]
        names = {name for _, name, _, _ in log_records(sink.requests())}
        self.assertIn("syslog.receiver.parse.fail", names)  # what is checked has every kind
        code, output = self.live_check(lines)
        self.assertEqual(code, 0, output)
        self.assertTrue(output.endswith(" findings, 0 violations\n"), output)
        self.assertIn(" 0 findings,", output)

        # An undeclared event, an undeclared attribute, a wrong type: each found, exit 1.
        bogus = {"resourceLogs": [{"resource": {}, "scopeLogs": [{"scope": {"name": "x"},
                 "logRecords": [
                     {"eventName": "syslog.receiver.bogus"},
                     {"eventName": "syslog.receiver.stop", "attributes": [
                         {"key": "syslog.receiver.message.count",
                          "value": {"stringValue": "many"}},
                         {"key": "app.extra", "value": {"boolValue": True}}]}]}]}]}
        code, output = self.live_check(lines + [json.dumps(bogus)])
        self.assertEqual(code, 1, output)
        self.assertEqual(output.splitlines()[:3], [
            "violation missing_event event syslog.receiver.bogus: event "
            "`syslog.receiver.bogus` is not declared by the registry (1 sample)",
            "violation type_mismatch event syslog.receiver.stop: attribute "
            "`syslog.receiver.message.count` is declared int, emitted as string (1 sample)",
            "violation missing_attribute event syslog.receiver.stop: attribute `app.extra` is "
            "not declared by the registry (1 sample)"])

    def run_with_config(self, text):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = write_config(directory.name, text)
        result = subprocess.run([DEMO, "--listen", f"127.0.0.1:{free_port()}", "--admin",
                                 f"127.0.0.1:{free_port()}", "--cores", "1", "--config", path],
                                capture_output=True, text=True, timeout=20)
        return path, result

    def test_a_bad_configuration_names_the_file_the_line_and_the_accepted_values(self):
        path, result = self.run_with_config(
            "service:\n  telemetry:\n    logs:\n      providers:\n        engine: fast\n")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr,
                         f"coretel-demo: {path}:5:17: `service.telemetry.logs.providers.engine`: "
                         "unknown provider mode `fast` (accepted: noop, console_direct, "
                         "console_async, its, otlp)\n")
        path, result = self.run_with_config(
            "service:\n  telemetry:\n    logs:\n      levels: info\n")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr,
                         f"coretel-demo: {path}:4:7: unknown key `levels` in "
                         "`service.telemetry.logs` (accepted: level, providers, queue_capacity, "
                         "its, otlp, batch)\n")
        # The feedback loop is refused, with the reason.
        path, result = self.run_with_config(
            "service:\n  telemetry:\n    logs:\n      providers: {internal: its}\n")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr,
                         "coretel-demo: coretel: events provider `its` for aspect `internal`: "
                         "coretel's own export threads would feed their events back into the "
                         "pipeline they export; use console_direct or noop\n")


if __name__ == "__main__":
    unittest.main()
