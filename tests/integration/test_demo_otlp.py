"""coretel-demo pushing its metrics over OTLP (HTTP with protobuf or JSON, gRPC), configured only by
OTEL_* variables.

Peers: Debian's `logger` sends syslog messages in; coretel-otlp-sink (tests/tools/otlp_sink.cc)
receives the pushes (cpp-httplib, gRPC C++) and decodes each with the libprotobuf classes generated
from proto/, printing it as JSON. The totals decoded out of OTLP must equal what was sent, exactly.
"""
import json
import os
import subprocess
import tempfile
import time
import unittest

from demo_harness import Demo, logger, wait_until

SINK = os.environ.get("CORETEL_OTLP_SINK", "build/bin/coretel-otlp-sink")


class Sink:
    """One coretel-otlp-sink on an ephemeral loopback port."""

    def __init__(self):
        # The sink writes through append-mode files and the test reads through handles of its
        # own: a reader sharing the writer's file offset (one open file) would make the sink's
        # next write land wherever the reader last seeked, over earlier lines.
        self.dir = tempfile.TemporaryDirectory()
        self.out_path = os.path.join(self.dir.name, "out")
        self.err_path = os.path.join(self.dir.name, "err")
        with open(self.out_path, "ab") as out, open(self.err_path, "ab") as err:
            self.process = subprocess.Popen([SINK], stdout=out, stderr=err)
        self.port = int(wait_until(self._port, timeout=10, what="coretel-otlp-sink's port"))
        self.grpc_port = int(self._port("grpc listening on "))

    def _read(self, path):
        with open(path, "rb") as f:
            return f.read().decode()

    def _port(self, prefix="listening on "):
        text = self._read(self.err_path)
        for line in text.splitlines():
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        if self.process.poll() is not None:
            raise AssertionError(f"coretel-otlp-sink exited: {text}")
        return None

    def requests(self):
        """Every request the sink has printed in full: a line still being written (the sink's
        output is flushed in pieces) is left for the next call."""
        text = self._read(self.out_path)
        complete = text[:text.rfind("\n") + 1]
        docs = []
        for line in complete.split("\n"):  # not splitlines(): JSON text may hold U+2028 etc.
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise AssertionError(f"the sink printed a line that is not JSON ({e}): {line[:300]!r}")
        for d in docs:
            if "error" in d:
                raise AssertionError(f"the sink could not decode a request: {d}")
        return docs

    def content_types(self):
        return {d["contentType"] for d in self.requests()}

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.dir.cleanup()


def points(requests, metric, **scope_attributes):
    """(scope attributes, data point) of every point of `metric` in every request."""
    out = []
    for r in requests:
        for rm in r["request"].get("resourceMetrics", []):
            for sm in rm.get("scopeMetrics", []):
                attrs = {a["key"]: next(iter(a["value"].values())) for a in sm["scope"].get("attributes", [])}
                if any(attrs.get(k) != v for k, v in scope_attributes.items()):
                    continue
                for m in sm.get("metrics", []):
                    if m["name"] != metric:
                        continue
                    data = (m.get("sum") or m.get("gauge") or m.get("histogram")
                            or m.get("exponentialHistogram") or m.get("summary"))
                    for p in data["dataPoints"]:
                        out.append((attrs, m, p))
    return out


def resource_of(requests):
    rm = requests[0]["request"]["resourceMetrics"][0]
    return {a["key"]: next(iter(a["value"].values())) for a in rm["resource"]["attributes"]}


class DemoPushesOtlp(unittest.TestCase):

    def run_demo(self, temporality, protocol):
        sink = Sink()
        self.addCleanup(sink.stop)
        port = sink.grpc_port if protocol == "grpc" else sink.port
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
               "OTEL_SERVICE_NAME": "edge-1",
               "OTEL_METRIC_EXPORT_INTERVAL": "200",
               "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": temporality,
               "OTEL_EXPORTER_OTLP_PROTOCOL": protocol}
        demo = Demo(cores=2, env=env)
        self.addCleanup(demo.kill)
        tcp, udp = 150, 60
        logger(demo.port, [f"tcp message {i}" for i in range(tcp)],
               "--tcp", "--octet-count", "--rfc5424", "-p", "user.err", "-t", "coretel-test")
        logger(demo.port, [f"udp message {i}" for i in range(udp)],
               "--udp", "--rfc3164", "-p", "daemon.warning", "-t", "coretel-test")
        wait_until(lambda: len(sink.requests()) >= 2, what="two pushes")
        code, _, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("pushing metrics every 200 ms", err)
        self.assertIn("OTLP: final export success", err)
        want_type = {"http/json": "application/json", "grpc": "application/grpc"}.get(
            protocol, "application/x-protobuf")
        self.assertEqual(sink.content_types(), {want_type})
        return sink.requests(), tcp, udp

    @staticmethod
    def add_up(pts, temporality, value):
        """Delta: every window's value added; cumulative: the last point of each series (entity)
        holds its total."""
        if temporality == "delta":
            return sum(value(p) for _, _, p in pts)
        last = {}
        for a, _, p in pts:
            key = tuple(sorted(a.items()))
            if key not in last or int(p["timeUnixNano"]) >= int(last[key]["timeUnixNano"]):
                last[key] = p
        return sum(value(p) for p in last.values())

    def total(self, requests, temporality, transport, severity):
        """Messages counted for one transport and severity, from the OTLP points."""
        pts = [(a, m, p) for a, m, p in points(requests, "syslog.receiver.messages",
                                                 **{"network.transport": transport})
               if any(x["key"] == "syslog.severity" and x["value"]["stringValue"] == severity
                      for x in p.get("attributes", []))]
        return self.add_up(pts, temporality, lambda p: int(p["asInt"]))

    def check_message_sizes(self, requests, temporality, messages):
        """The exponential histogram of message sizes counts every message, in its buckets too."""
        pts = points(requests, "syslog.receiver.message.size")
        self.assertTrue(pts)
        _, metric, _ = pts[0]
        want = "AGGREGATION_TEMPORALITY_DELTA" if temporality == "delta" else "AGGREGATION_TEMPORALITY_CUMULATIVE"
        self.assertEqual(metric["exponentialHistogram"]["aggregationTemporality"], want)
        self.assertEqual(self.add_up(pts, temporality, lambda p: int(p.get("count", "0"))), messages)
        self.assertEqual(self.add_up(pts, temporality, lambda p: sum(
            int(c) for c in p.get("positive", {}).get("bucketCounts", []))), messages)
        for _, _, p in pts:
            if int(p.get("count", "0")):
                self.assertGreater(p["min"], 20)
                self.assertLessEqual(p["min"], p["max"])

    def check(self, temporality, protocol="http/protobuf"):
        requests, tcp, udp = self.run_demo(temporality, protocol)
        self.assertEqual(self.total(requests, temporality, "tcp", "error"), tcp)
        self.assertEqual(self.total(requests, temporality, "udp", "warning"), udp)
        self.check_message_sizes(requests, temporality, tcp + udp)
        resource = resource_of(requests)
        self.assertEqual(resource["service.name"], "edge-1")
        self.assertEqual(resource["telemetry.sdk.name"], "coretel")
        # The counter's temporality is the one asked for.
        _, metric, point = points(requests, "syslog.receiver.messages")[0]
        want = "AGGREGATION_TEMPORALITY_DELTA" if temporality == "delta" else "AGGREGATION_TEMPORALITY_CUMULATIVE"
        self.assertEqual(metric["sum"]["aggregationTemporality"], want)
        self.assertTrue(metric["sum"]["isMonotonic"])
        self.assertEqual(metric["unit"], "{message}")
        self.assertLessEqual(int(point["startTimeUnixNano"]), int(point["timeUnixNano"]))

    def test_cumulative_totals_are_exact(self):
        self.check("cumulative")

    def test_delta_totals_are_exact(self):
        self.check("delta")

    def test_json_cumulative_totals_are_exact(self):
        self.check("cumulative", "http/json")

    def test_json_delta_totals_are_exact(self):
        self.check("delta", "http/json")

    def test_grpc_cumulative_totals_are_exact(self):
        self.check("cumulative", "grpc")

    def test_grpc_delta_totals_are_exact(self):
        self.check("delta", "grpc")

    def test_nothing_is_pushed_without_an_endpoint(self):
        demo = Demo(cores=1, env={"OTEL_METRIC_EXPORT_INTERVAL": "100"})
        self.addCleanup(demo.kill)
        time.sleep(0.5)
        code, _, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertNotIn("pushing metrics", err)
        self.assertNotIn("OTLP", err)

    def test_sdk_disabled_makes_every_exporter_a_no_op(self):
        sink = Sink()
        self.addCleanup(sink.stop)
        demo = Demo("--console-interval-ms", "100", cores=1,
                    env={"OTEL_SDK_DISABLED": "true",
                         "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{sink.port}",
                         "OTEL_METRIC_EXPORT_INTERVAL": "100"})
        self.addCleanup(demo.kill)
        logger(demo.port, ["one message"], "--udp", "--rfc3164", "-p", "user.err")
        time.sleep(0.5)
        self.assertEqual(demo.metrics_text(), "")
        self.assertEqual(demo.json_metrics()["metric_sets"], [])
        code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("OTEL_SDK_DISABLED=true: every exporter is a no-op", err)
        self.assertNotIn("pushing metrics", err)
        self.assertEqual(sink.requests(), [])
        self.assertNotIn("syslog.receiver", out)  # no console output


if __name__ == "__main__":
    unittest.main()
