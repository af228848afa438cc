"""coretel-tracecontext-service against our own harness: every case of the W3C Trace Context
recommendation (https://www.w3.org/TR/trace-context-2/) that the official test suite exercises, at
level 2 (traceparent parsing and versioning, tracestate validation and combination, the random
flag), plus the service's own contract (status codes, failures, baggage), and its spans and HTTP
metrics pushed over OTLP (HTTP with protobuf or JSON, gRPC) to coretel-otlp-sink, which decodes them
with libprotobuf.

The harness plays the test suite's part: it sends the service a POST /test whose body lists
callbacks to itself, with the headers of the case, and reads the trace context the service sent
with each callback.
"""
import base64
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import unittest

from demo_harness import wait_until
from test_demo_otlp import Sink

SERVICE = os.environ.get("CORETEL_TRACECONTEXT_SERVICE",
                         "build/bin/coretel-tracecontext-service")

TRACE_ID = "12345678901234567890123456789012"
PARENT_ID = "1234567890123456"
VALID = f"00-{TRACE_ID}-{PARENT_ID}-01"
TRACEPARENT_RE = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class Harness:
    """An HTTP server on loopback that records each callback: (path, [(name, value)], body)."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()
        harness = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with harness.lock:
                    harness.calls.append((self.path, list(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def take(self):
        with self.lock:
            calls, self.calls = self.calls, []
        return calls

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Service:
    """coretel-tracecontext-service on an ephemeral loopback port."""

    def __init__(self, env=None, args=()):
        self.dir = tempfile.TemporaryDirectory()
        self.err_path = os.path.join(self.dir.name, "err")
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        full_env.update({"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"})
        full_env.update(env or {})
        with open(self.err_path, "ab") as err:
            self.process = subprocess.Popen([SERVICE, "--listen", "127.0.0.1:0", *args],
                                            stdout=subprocess.DEVNULL, stderr=err, env=full_env)
        self.port = int(wait_until(self._port, timeout=10, what="the service's port"))

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode()

    def _port(self):
        m = re.search(r"POST http://127\.0\.0\.1:(\d+)/test", self.stderr())
        if m:
            return m.group(1)
        if self.process.poll() is not None:
            raise AssertionError(f"the service exited: {self.stderr()}")
        return None

    def post(self, path, headers, body):
        """POST with exactly these header lines (duplicates and odd names kept): (status, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("POST", path)
            for name, value in headers:
                connection.putheader(name, value)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        code = self.process.returncode
        self.dir.cleanup()
        return code


def header_values(headers, name):
    return [v for k, v in headers if k.lower() == name]


class TraceContextCases(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.harness = Harness()
        cls.service = Service()

    @classmethod
    def tearDownClass(cls):
        code = cls.service.stop()
        cls.harness.stop()
        assert code == 0, f"the service exited with {code}"

    def callbacks(self, headers, count=1):
        """The headers of each of `count` callbacks the service makes for one request."""
        body = [{"url": self.harness.url(f"/cb/{i}"), "arguments": [i]} for i in range(count)]
        status, text = self.service.post("/test", headers, body)
        self.assertEqual(status, 200, text)
        self.assertEqual(json.loads(text),
                         {"calls": [{"url": c["url"], "status": 200} for c in body]})
        calls = sorted(self.harness.take())
        self.assertEqual([path for path, _, _ in calls], [f"/cb/{i}" for i in range(count)])
        self.assertEqual([json.loads(b) for _, _, b in calls], [[i] for i in range(count)])
        return [h for _, h, _ in calls]

    def context(self, headers):
        """(trace id, parent id, flags, tracestate lines) of the one callback."""
        out = self.callbacks(headers)[0]
        parents = header_values(out, "traceparent")
        self.assertEqual(len(parents), 1, out)
        m = TRACEPARENT_RE.match(parents[0])
        self.assertIsNotNone(m, parents[0])
        return m.group(1), m.group(2), m.group(3), header_values(out, "tracestate")

    def assert_new_trace(self, headers):
        trace_id, _, _, state = self.context(headers)
        self.assertNotEqual(trace_id, TRACE_ID, headers)
        self.assertNotEqual(trace_id, "0" * 32)
        self.assertEqual(state, [], "a restarted trace carries no tracestate")
        return trace_id

    def assert_continued(self, headers, flags="01"):
        trace_id, parent_id, out_flags, _ = self.context(headers)
        self.assertEqual(trace_id, TRACE_ID, headers)
        self.assertNotEqual(parent_id, PARENT_ID, "the parent-id must change")
        self.assertEqual(out_flags, flags)

    # --- traceparent

    def test_missing_traceparent_starts_a_trace(self):
        trace_id, parent_id, flags, state = self.context([])
        self.assertNotEqual(trace_id, "0" * 32)
        self.assertNotEqual(parent_id, "0" * 16)
        self.assertEqual(flags, "03")  # sampled (parentbased_always_on), random (Level 2)
        self.assertEqual(state, [])

    def test_valid_traceparent_is_continued_with_a_new_parent_id(self):
        self.assert_continued([("traceparent", VALID)])

    def test_two_traceparent_lines_are_invalid(self):
        self.assert_new_trace([("traceparent", f"00-{TRACE_ID[:-1]}1-{PARENT_ID}-01"),
                               ("traceparent", VALID)])

    def test_wrong_header_names_are_ignored(self):
        for name in ("trace-parent", "trace.parent"):
            self.assert_new_trace([(name, VALID)])

    def test_header_names_are_case_insensitive(self):
        for name in ("TraceParent", "TrAcEpArEnT", "TRACEPARENT"):
            self.assert_continued([(name, VALID)])

    def test_version_00_must_be_exactly_55_characters(self):
        for value in (VALID + ".", VALID + "-what-the-future-will-be-like"):
            self.assert_new_trace([("traceparent", value)])

    def test_a_future_version_is_read_by_its_first_55_characters(self):
        future = f"cc-{TRACE_ID}-{PARENT_ID}-01"
        self.assert_continued([("traceparent", future)])
        self.assert_continued([("traceparent", future + "-what-the-future-will-be-like")])
        self.assert_new_trace([("traceparent", future + ".what-the-future-will-be-like")])

    def test_version_ff_is_invalid(self):
        self.assert_new_trace([("traceparent", f"ff-{TRACE_ID}-{PARENT_ID}-01")])

    def test_illegal_characters_and_lengths_are_invalid(self):
        for value in (f".0-{TRACE_ID}-{PARENT_ID}-01", f"0.-{TRACE_ID}-{PARENT_ID}-01",
                      f"000-{TRACE_ID}-{PARENT_ID}-01", f"0000-{TRACE_ID}-{PARENT_ID}-01",
                      f"0-{TRACE_ID}-{PARENT_ID}-01",
                      f"00-.{TRACE_ID[1:]}-{PARENT_ID}-01", f"00-{TRACE_ID[:-1]}.-{PARENT_ID}-01",
                      f"00-{TRACE_ID}3-{PARENT_ID}-01", f"00-{TRACE_ID[:-1]}-{PARENT_ID}-01",
                      f"00-{TRACE_ID}-.{PARENT_ID[1:]}-01", f"00-{TRACE_ID}-{PARENT_ID[:-1]}.-01",
                      f"00-{TRACE_ID}-{PARENT_ID}7-01", f"00-{TRACE_ID}-{PARENT_ID[:-1]}-01",
                      f"00-{TRACE_ID}-{PARENT_ID}-.0", f"00-{TRACE_ID}-{PARENT_ID}-0.",
                      f"00-{TRACE_ID}-{PARENT_ID}-001", f"00-{TRACE_ID}-{PARENT_ID}-1"):
            with self.subTest(value=value):
                self.assert_new_trace([("traceparent", value)])

    def test_uppercase_hex_is_invalid(self):
        self.assert_new_trace([("traceparent", f"00-ABCDEF{TRACE_ID[6:]}-{PARENT_ID}-01")])
        self.assert_new_trace([("traceparent", f"00-{TRACE_ID}-ABCDEF{PARENT_ID[6:]}-01")])

    def test_all_zero_ids_are_invalid(self):
        self.assert_new_trace([("traceparent", f"00-{'0' * 32}-{PARENT_ID}-01")])
        self.assert_new_trace([("traceparent", f"00-{TRACE_ID}-{'0' * 16}-01")])

    def test_spaces_and_tabs_around_the_value_are_accepted(self):
        for value in (" " + VALID, VALID + " ", "\t" + VALID, VALID + "\t", " \t" + VALID + "\t "):
            with self.subTest(value=repr(value)):
                self.assert_continued([("traceparent", value)])

    def test_each_callback_gets_its_own_parent_id_in_the_same_trace(self):
        outs = self.callbacks([("traceparent", VALID)], count=3)
        ids = [TRACEPARENT_RE.match(header_values(h, "traceparent")[0]).groups() for h in outs]
        self.assertEqual({t for t, _, _ in ids}, {TRACE_ID})
        self.assertEqual(len({p for _, p, _ in ids}), 3)
        self.assertNotIn(PARENT_ID, {p for _, p, _ in ids})

    def test_an_invalid_traceparent_with_three_callbacks_gets_one_new_trace(self):
        outs = self.callbacks([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-.0")], count=3)
        ids = [TRACEPARENT_RE.match(header_values(h, "traceparent")[0]).groups() for h in outs]
        self.assertEqual(len({t for t, _, _ in ids}), 1)
        self.assertNotEqual(ids[0][0], TRACE_ID)
        self.assertEqual(len({p for _, p, _ in ids}), 3)

    def test_level_2_keeps_the_random_flag(self):
        self.assert_continued([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-03")], flags="03")
        # Not sampled upstream: parentbased_always_on follows; the random bit stays.
        self.assert_continued([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-02")], flags="02")
        self.assert_continued([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-00")], flags="00")

    # --- tracestate

    def state(self, *lines):
        """The tracestate the service sends on for these tracestate lines, after VALID."""
        trace_id, _, _, state = self.context([("traceparent", VALID)] +
                                             [("tracestate", line) for line in lines])
        self.assertEqual(trace_id, TRACE_ID)
        return ",".join(state)

    def test_tracestate_without_a_valid_traceparent_is_discarded(self):
        self.assert_new_trace([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-.0"),
                               ("tracestate", "foo=1")])
        self.assert_new_trace([("tracestate", "foo=1")])

    def test_tracestate_names(self):
        for name in ("trace-state", "trace.state"):
            _, _, _, state = self.context([("traceparent", VALID), (name, "foo=1")])
            self.assertEqual(state, [])
        for name in ("TraceState", "TrAcEsTaTe", "TRACESTATE"):
            _, _, _, state = self.context([("traceparent", VALID), (name, "foo=1")])
            self.assertEqual(state, ["foo=1"])

    def test_empty_tracestate_lines_are_accepted_and_ignored(self):
        self.assertEqual(self.state(""), "")
        self.assertEqual(self.state("foo=1", ""), "foo=1")
        self.assertEqual(self.state("", "foo=1"), "foo=1")

    def test_several_lines_are_combined_in_order(self):
        self.assertEqual(self.state("foo=1", "bar=2"), "foo=1,bar=2")
        self.assertEqual(self.state("foo=1,bar=2", "baz=3"), "foo=1,bar=2,baz=3")

    def test_spaces_and_tabs_around_members_are_accepted(self):
        self.assertEqual(self.state("foo=1 ,\tbar=2\t, baz=3"), "foo=1,bar=2,baz=3")
        self.assertEqual(self.state(",foo=1,,bar=2,"), "foo=1,bar=2")

    def test_a_duplicate_key_discards_the_whole_tracestate(self):
        for lines in (("foo=1,foo=1",), ("foo=1,foo=2",), ("foo=1", "foo=1"), ("foo=1", "foo=2")):
            with self.subTest(lines=lines):
                self.assertEqual(self.state(*lines), "")

    def test_key_lengths(self):
        self.assertEqual(self.state("z" * 256 + "=1"), "z" * 256 + "=1")
        self.assertEqual(self.state("foo=1", "z" * 257 + "=1"), "")

    def test_multi_tenant_keys(self):
        key = "t" * 241 + "@" + "v" * 14
        self.assertEqual(self.state("foo=1", key + "=1"), "foo=1," + key + "=1")
        for bad in ("t" * 242 + "@v", "t@" + "v" * 15, "foo@", "@foo", "foo@@bar", "foo@bar@baz"):
            with self.subTest(key=bad):
                self.assertEqual(self.state("foo=1", bad + "=1,bar=2"), "")

    def test_invalid_keys_and_values_discard_the_whole_tracestate(self):
        for line in ("foo =1", "FOO=1", "foo.bar=1", "foo=bar=baz", "foo=,bar=3", "foo=1 x=2"):
            with self.subTest(line=line):
                self.assertEqual(self.state("ok=1", line), "")

    def test_value_characters(self):
        value = "".join(chr(c) for c in range(0x20, 0x7f) if chr(c) not in ",= ")
        self.assertEqual(self.state("foo=" + value), "foo=" + value)
        self.assertEqual(self.state("foo=a b"), "foo=a b")  # inner spaces are allowed

    def test_member_counts(self):
        members = [f"k{i}=v" for i in range(33)]
        self.assertEqual(self.state(",".join(members[:32])), ",".join(members[:32]))
        self.assertEqual(self.state(",".join(members)), "")

    # --- the service's own contract

    def test_baggage_is_propagated(self):
        out = self.callbacks([("traceparent", VALID), ("baggage", "user=alice,tier=gold;p=1")])[0]
        self.assertEqual(header_values(out, "baggage"), ["user=alice,tier=gold;p=1"])

    def test_header_values_are_taken_as_sent(self):
        # No percent-decoding: "%31" is not a hex digit, "%2C" is not a comma.
        self.assert_new_trace([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-0%31")])
        self.assertEqual(self.state("k=a%2Cb"), "k=a%2Cb")
        # A control character in a value is not HTTP: the request is refused, nothing is called.
        status, _ = self.service.post("/test", [("tracestate", "foo=\x7f")],
                                      [{"url": self.harness.url("/cb/0")}])
        self.assertEqual(status, 400)
        self.assertEqual(self.harness.take(), [])

    def test_bounds(self):
        # JSON nested deeper than 64: refused before anything dumps it.
        deep = b'[{"url": "http://127.0.0.1:1/", "arguments": ' + b"[" * 100000 + b"]" * 100000 + b"}]"
        status, _ = self.service.post("/test", [], deep)
        self.assertEqual(status, 400)
        # A body declared over 1 MiB: refused once the head is read.
        with socket.create_connection(("127.0.0.1", self.service.port), timeout=10) as sock:
            sock.sendall(b"POST /test HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n[")
            self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 413 "))
        # A URL with a space or a control character would go out raw: not called.
        status, text = self.service.post("/test", [], [{"url": "http://127.0.0.1:1/a b"},
                                                        {"url": "http://127.0.0.1:1/a\r\nX: y"},
                                                        {"url": "http://example.com/"}])
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(text), {"calls": [
            {"url": "http://127.0.0.1:1/a b", "error": "not an http:// URL"},
            {"url": "http://127.0.0.1:1/a\r\nX: y", "error": "not an http:// URL"},
            {"url": "http://example.com/", "error": "not an IP address"}]})
        self.assertEqual(self.service.post("/test", [], b"[]")[0], 200)  # still serving

    def test_bad_requests(self):
        status, text = self.service.post("/test", [], b"{not json")
        self.assertEqual(status, 400, text)
        status, _ = self.service.post("/test", [], {"url": "x"})
        self.assertEqual(status, 400)
        status, _ = self.service.post("/test", [], [{"url": "http://127.0.0.1:1/"}] * 17)
        self.assertEqual(status, 400)  # more than --max-calls (16)
        status, _ = self.service.post("/other", [], [])
        self.assertEqual(status, 404)
        status, text = self.service.post("/test", [], [{"url": "ftp://127.0.0.1/x"}, {"nourl": 1}])
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(text), {"calls": [
            {"url": "ftp://127.0.0.1/x", "error": "not an http:// URL"},
            {"error": "no \"url\" string"}]})


def hex_id(value):
    """An id as the sink prints it: hex from OTLP/JSON, base64 from protobuf."""
    if re.fullmatch(r"[0-9a-f]{16}|[0-9a-f]{32}", value):
        return value
    return base64.b64decode(value).hex()


def spans(requests):
    out = []
    for r in requests:
        if r["signal"] != "traces":
            continue
        for rs in r["request"]["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    out.append((ss["scope"]["name"], s))
    return out


def attributes(kvs):
    out = {}
    for kv in kvs:
        (kind, value), = kv["value"].items()
        out[kv["key"]] = value
    return out


class ServiceTelemetry(unittest.TestCase):
    def test_spans_over_every_protocol_and_http_metrics(self):
        for protocol, content_type in (("http/protobuf", "application/x-protobuf"),
                                       ("http/json", "application/json"),
                                       ("grpc", "application/grpc")):
            with self.subTest(protocol=protocol):
                sink = Sink()
                self.addCleanup(sink.stop)
                harness = Harness()
                self.addCleanup(harness.stop)
                port = sink.grpc_port if protocol == "grpc" else sink.port
                base = f"http://127.0.0.1:{port}"
                service = Service(env={
                    "OTEL_TRACES_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "otlp",
                    "OTEL_EXPORTER_OTLP_ENDPOINT": base, "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
                    "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "200",
                    "OTEL_SERVICE_NAME": "w3c-service"})
                body = [{"url": harness.url("/cb/0"), "arguments": []},
                        {"url": "http://127.0.0.1:1/refused", "arguments": []}]
                status, _ = service.post("/test", [("traceparent", VALID)], body)
                self.assertEqual(status, 200)
                self.assertEqual(service.stop(), 0)

                wait_until(lambda: len(spans(sink.requests())) >= 3, what="3 spans")
                got = spans(sink.requests())
                self.assertEqual(len(got), 3)
                self.assertEqual({r["contentType"] for r in sink.requests()
                                  if r["signal"] == "traces"}, {content_type})
                by_kind = {}
                for scope, s in got:
                    self.assertEqual(scope, "coretel.tracecontext_service")
                    self.assertEqual(hex_id(s["traceId"]), TRACE_ID)
                    by_kind.setdefault(s["kind"], []).append(s)
                server = by_kind["SPAN_KIND_SERVER"][0]
                self.assertEqual(server["name"], "POST /test")
                self.assertEqual(hex_id(server["parentSpanId"]), PARENT_ID)
                self.assertEqual(server["flags"], 0x301)  # sampled, remote parent
                a = attributes(server["attributes"])
                self.assertEqual((a["http.request.method"], a["http.route"],
                                  a["http.response.status_code"]), ("POST", "/test", "200"))
                clients = sorted(by_kind["SPAN_KIND_CLIENT"], key=lambda s: attributes(s["attributes"])["url.full"])
                self.assertEqual([c["name"] for c in clients], ["POST", "POST"])
                for c in clients:
                    self.assertEqual(hex_id(c["parentSpanId"]), hex_id(server["spanId"]))
                    self.assertEqual(c["flags"], 0x101)  # sampled, local parent
                refused, ok = (attributes(c["attributes"]) for c in clients)
                self.assertEqual(ok["http.response.status_code"], "200")
                self.assertNotIn("status", {k: v for k, v in clients[1].items() if v})
                self.assertEqual(refused["error.type"], "connection_error")
                self.assertEqual(clients[0]["status"]["code"], "STATUS_CODE_ERROR")
                # The span the harness saw is the client span.
                (_, headers, _), = harness.take()
                self.assertEqual(header_values(headers, "traceparent"),
                                 [f"00-{TRACE_ID}-{hex_id(clients[1]['spanId'])}-01"])

                # The HTTP metrics, from the final export at shutdown.
                points = {}
                for r in sink.requests():
                    if r["signal"] != "metrics":
                        continue
                    for rm in r["request"]["resourceMetrics"]:
                        for sm in rm["scopeMetrics"]:
                            for m in sm["metrics"]:
                                for p in m.get("histogram", {}).get("dataPoints", []):
                                    key = (m["name"], tuple(sorted(
                                        (k, v) for k, v in attributes(p["attributes"]).items())))
                                    # Cumulative: the latest export has the total.
                                    points[key] = (int(p.get("count", "0")), m["unit"])
                server_key = ("http.server.request.duration", tuple(sorted({
                    "http.request.method": "POST", "url.scheme": "http", "http.route": "/test",
                    "http.response.status_code": "200",
                    "network.protocol.version": "1.1"}.items())))
                ok_key = ("http.client.request.duration", tuple(sorted({
                    "http.request.method": "POST", "server.address": "127.0.0.1",
                    "server.port": str(harness.port), "http.response.status_code": "200",
                    "network.protocol.version": "1.1"}.items())))
                refused_key = ("http.client.request.duration", tuple(sorted({
                    "http.request.method": "POST", "server.address": "127.0.0.1",
                    "server.port": "1", "error.type": "connection_error",
                    "network.protocol.version": "1.1"}.items())))
                for key in (server_key, ok_key, refused_key):
                    self.assertEqual(points.get(key), (1, "s"), (key, sorted(points)))


if __name__ == "__main__":
    unittest.main()
