"""enable_telemetry(endpoint=...) against a real OTLP receiver (coretel-otlp-sink, which decodes
every request with libprotobuf): one trace across Python and C++, the forwarded `logging`
records with their trace ids, and the RPC metrics of the example, from the example itself
(examples/python/telemetry_demo.py), over OTLP/HTTP protobuf and over gRPC."""

import subprocess

import pytest

from conftest import EXAMPLES, PYTHON, python_env, wait_until


def run_demo(sink, extra_env=None, requests=6, endpoint=None):
    env = python_env({"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BLRP_SCHEDULE_DELAY": "100",
                      "OTEL_METRIC_EXPORT_INTERVAL": "500", **(extra_env or {})})
    done = subprocess.run([PYTHON, str(EXAMPLES / "telemetry_demo.py"), "--requests", str(requests),
                           "--endpoint", endpoint or sink.endpoint], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def value_of(attributes, key):
    for a in attributes:
        if a["key"] == key:
            (v,) = a["value"].values()
            return v
    return None


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_the_example_exports_one_trace_its_logs_and_the_rpc_metrics(sink, protocol):
    grpc = protocol == "grpc"
    run_demo(sink, {"OTEL_EXPORTER_OTLP_PROTOCOL": protocol},
             endpoint=f"http://127.0.0.1:{sink.grpc_port}" if grpc else None)
    # The process has exited: what it buffered was exported at exit.
    spans = sink.spans()
    servers = [s for s in spans if s["name"] == "EchoService/Compress"]
    assert len(servers) == 5  # one request of six is EchoService/Fail
    server = servers[0]
    trace = [s for s in spans if s["traceId"] == server["traceId"]]
    names = sorted(s["name"] for s in trace)
    assert names.count("demo.engine.process") == 1
    assert names.count("demo.engine.chunk") == 4  # 64 KiB in 16 KiB chunks
    assert names.count("python.checkpoint") == 4  # the callback's spans, one per chunk
    by_id = {s["spanId"]: s for s in trace}
    process = next(s for s in trace if s["name"] == "demo.engine.process")
    assert process["parentSpanId"] == server["spanId"]
    for checkpoint in (s for s in trace if s["name"] == "python.checkpoint"):
        assert by_id[checkpoint["parentSpanId"]]["name"] == "demo.engine.chunk"

    logs = sink.log_records()
    handled = [r for r in logs if r["scope"] == "telemetry_demo"
               and r.get("body", {}).get("stringValue", "").startswith("handled EchoService/Compress")]
    assert len(handled) == 5
    assert {r["severityText"] for r in handled} == {"INFO"}
    assert any(r.get("traceId") == server["traceId"] and r.get("spanId") == server["spanId"]
               for r in handled)
    failed = [r for r in logs if r["scope"] == "telemetry_demo" and r["severityText"] == "ERROR"]
    assert len(failed) == 1
    assert value_of(failed[0]["attributes"], "exception.type") == "ValueError"
    # Larger than the pipeline's fixed block: spilled, and delivered whole.
    trace = value_of(failed[0]["attributes"], "exception.stacktrace")
    assert trace.startswith("Traceback (most recent call last):\n")
    assert trace.endswith("ValueError: the request asked to fail\n")
    assert "droppedAttributesCount" not in failed[0]
    native = [r for r in logs if r["scope"] == "demo.engine"]
    assert len(native) == 5 and all(r.get("traceId") for r in native)

    metrics = wait_until(lambda: (m := sink.metrics()) and "demo.rpc.errors" in m and m,
                         what="the RPC metrics")
    durations = metrics["rpc.server.call.duration"][-1]["histogram"]["dataPoints"]
    counts = {(value_of(p["attributes"], "rpc.method"), value_of(p["attributes"], "error.type")):
              int(p["count"]) for p in durations}
    assert counts == {("EchoService/Compress", None): 5, ("EchoService/Fail", "ValueError"): 1}
    errors = metrics["demo.rpc.errors"][-1]["sum"]
    assert errors["isMonotonic"] is True
    assert [int(p["asInt"]) for p in errors["dataPoints"]] == [1]
    sizes = metrics["demo.rpc.request.size"][-1]["histogram"]["dataPoints"]
    assert sum(float(p["sum"]) for p in sizes) == 6 * 64 * 1024
    sessions = metrics["demo.rpc.active_sessions"][-1]["sum"]
    assert sessions.get("isMonotonic", False) is False and int(sessions["dataPoints"][0]["asInt"]) == 0
    forwarded = metrics["coretel.python.logs.forwarded"][-1]["sum"]["dataPoints"]
    by_level = {value_of(p["attributes"], "coretel.log.level"): int(p["asInt"]) for p in forwarded}
    assert by_level["INFO"] >= 5 and by_level["ERROR"] == 1
    resources = {value_of(rs["resource"]["attributes"], "service.name")
                 for r in sink.requests() for rs in r["request"].get("resourceSpans", []) +
                 r["request"].get("resourceLogs", []) + r["request"].get("resourceMetrics", [])}
    assert resources == {"telemetry_demo.EchoService"}
