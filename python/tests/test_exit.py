"""Interpreter exit and os.fork(): never a deadlock, and what was buffered before exit is
exported (the atexit flush, bounded)."""

import time

from conftest import run_python, wait_until


def test_spans_and_logs_buffered_at_exit_are_exported_without_calling_shutdown(sink):
    started = time.monotonic()
    done = run_python("""
import logging, coretel
coretel.enable_telemetry(service_name="exit", endpoint=%r)
with coretel.start_as_current_span("last.span"):
    logging.getLogger("app").warning("last record")
# no shutdown(): the atexit hook exports what the batch processors hold
""" % sink.endpoint, env={"OTEL_BSP_SCHEDULE_DELAY": "60000", "OTEL_BLRP_SCHEDULE_DELAY": "60000"},
        timeout=30)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 20
    assert [s["name"] for s in sink.spans()] == ["last.span"]
    assert [r["body"]["stringValue"] for r in sink.log_records()] == ["last record"]


def test_exit_with_a_dead_endpoint_is_bounded():
    started = time.monotonic()
    done = run_python("""
import coretel
coretel.enable_telemetry(service_name="dead", endpoint="http://127.0.0.1:9")
with coretel.start_as_current_span("unsendable"):
    pass
""", env={"OTEL_EXPORTER_OTLP_TIMEOUT": "1000"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30


def test_a_child_of_a_parent_that_only_recorded_metrics_enables_twice_and_exits(sink):
    # The parent never enabled telemetry but its metrics pipeline runs (an instrument was used):
    # the child must not wait on the parent's threads, at shutdown or at exit.
    done = run_python("""
import os, sys, coretel
jobs = coretel.get_meter("app").create_counter("app.jobs", "{job}")
jobs.add(1, {"kind": "parent"})
pid = os.fork()
if pid == 0:
    for round in (1, 2):
        coretel.enable_telemetry(service_name="child", endpoint=%r)
        jobs.add(round, {"kind": "child"})
        assert coretel.shutdown(5.0)
    sys.exit(0)
_, code = os.waitpid(pid, 0)
assert code == 0, code
""" % sink.endpoint, timeout=60)
    assert done.returncode == 0, done.stderr
    points = [p for m in wait_until(lambda: sink.metrics().get("app.jobs"), what="app.jobs")
              for p in m["sum"]["dataPoints"]]
    kinds = {a["value"]["stringValue"] for p in points for a in p["attributes"]}
    assert kinds == {"child"}  # the parent's series stayed the parent's


def test_a_forked_child_neither_deadlocks_nor_takes_the_parents_telemetry(sink):
    done = run_python("""
import logging, os, sys, coretel
coretel.enable_telemetry(service_name="forking", endpoint=%r)
log = logging.getLogger("app")
with coretel.start_as_current_span("parent.before"):
    log.warning("parent before fork")
for exit_kind in ("sys.exit", "os._exit"):
    pid = os.fork()
    if pid == 0:
        # The child: the parent's threads are not here. Telemetry calls must not hang, and the
        # child may enable its own.
        with coretel.start_as_current_span("child.unexported"):
            log.warning("child record, not forwarded")
        status = coretel.enable_telemetry(service_name="child", endpoint=%r)
        with coretel.start_as_current_span("child." + exit_kind):
            pass
        if exit_kind == "sys.exit":
            sys.exit(0)
        coretel.shutdown()
        os._exit(0)
    _, code = os.waitpid(pid, 0)
    assert code == 0, code
with coretel.start_as_current_span("parent.after"):
    log.warning("parent after fork")
""" % (sink.endpoint, sink.endpoint), timeout=60)
    assert done.returncode == 0, done.stderr
    names = wait_until(lambda: sorted(s["name"] for s in sink.spans())
                       if len(sink.spans()) >= 4 else None, what="4 spans")
    assert names == ["child.os._exit", "child.sys.exit", "parent.after", "parent.before"]
    bodies = sorted(r["body"]["stringValue"] for r in sink.log_records())
    assert bodies == ["parent after fork", "parent before fork"]
