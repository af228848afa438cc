"""enable_telemetry() in a real process: what it reports, idempotency, service-name inference,
a no-op without an endpoint, and an exporter that cannot start."""

import json

from conftest import run_json, run_python


def test_without_an_endpoint_nothing_is_exported_unless_the_console_is_asked_for():
    got = run_json("""
import dataclasses, json, coretel
print(json.dumps(dataclasses.asdict(coretel.enable_telemetry(service_name="quiet"))))
""")
    assert (got["traces"], got["metrics"], got["logs"]) == ("none", "none", "none")
    assert got["enabled"] is True and got["already_enabled"] is False
    console = run_json("""
import dataclasses, json, coretel
print(json.dumps(dataclasses.asdict(coretel.enable_telemetry(service_name="loud"))))
""", env={"OTEL_TRACES_EXPORTER": "console", "OTEL_LOGS_EXPORTER": "console"})
    assert (console["traces"], console["metrics"], console["logs"]) == ("console", "none", "console")


def test_a_second_call_changes_nothing_and_says_so():
    got = run_json("""
import dataclasses, json, warnings, coretel
first = coretel.enable_telemetry(service_name="first", endpoint="http://127.0.0.1:9")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    second = coretel.enable_telemetry(service_name="second", traces=False)
print(json.dumps({"first": dataclasses.asdict(first), "second": dataclasses.asdict(second),
                  "warnings": [str(w.message) for w in caught]}))
""")
    first, second = got["first"], got["second"]
    assert first["traces"] == "otlp" and first["service_name"] == "first"
    assert second["already_enabled"] is True and second["enabled"] is False
    assert second["traces"] == "otlp" and second["service_name"] == "first"
    assert "already enabled" in second["message"]
    assert len(got["warnings"]) == 1 and "already enabled" in got["warnings"][0]


def test_service_name_inference_from_the_decorated_classes():
    one = run_json("""
import json, coretel
@coretel.service
class Billing:
    pass
print(json.dumps(coretel.enable_telemetry().service_name))
""")
    assert one == "__main__.Billing"  # `python -c`: the class's module is __main__
    several = run_json("""
import json, coretel
@coretel.service
class A: pass
@coretel.service
class B: pass
print(json.dumps(coretel.enable_telemetry().service_name))
""")
    assert several == "coretel-multi"
    none = run_json("import json, coretel; print(json.dumps(coretel.enable_telemetry().service_name))")
    assert none == "unknown_service:python"
    from_env = run_json("""
import json, coretel
@coretel.service
class A: pass
print(json.dumps(coretel.enable_telemetry().service_name))
""", env={"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attributes,team=core"})
    assert from_env == "from-attributes"


def test_the_resource_keeps_the_other_attributes(sink):
    done = run_python("""
import coretel
coretel.enable_telemetry(service_name="svc", endpoint=%r)
with coretel.start_as_current_span("s"):
    pass
""" % sink.endpoint, env={"OTEL_RESOURCE_ATTRIBUTES": "team=core,service.name=ignored"})
    assert done.returncode == 0, done.stderr
    (request,) = sink.requests("traces")
    resource = {a["key"]: list(a["value"].values())[0]
                for a in request["request"]["resourceSpans"][0]["resource"]["attributes"]}
    assert resource["service.name"] == "svc" and resource["team"] == "core"
    assert resource["telemetry.sdk.name"] == "coretel"


def test_an_exporter_that_cannot_start_warns_once_and_falls_back_to_none():
    done = run_python("""
import dataclasses, json, coretel
status = coretel.enable_telemetry(service_name="svc", endpoint="https://127.0.0.1:9")
print(json.dumps(dataclasses.asdict(status)))
""", env={"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
          "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": "/nonexistent/ca.pem"})
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["traces"] == "none" and got["metrics"] == "otlp" and got["logs"] == "otlp"
    (warning,) = [w for w in got["warnings"] if w.startswith("traces:")]
    assert "/nonexistent/ca.pem" in warning
    assert done.stderr.count("traces: the exporter could not start") == 1


def test_bad_arguments_are_clear_errors():
    done = run_python("""
import coretel
coretel.enable_telemetry(sampler="sometimes")
""")
    assert done.returncode == 1
    assert "ValueError" in done.stderr and "sometimes" in done.stderr
