"""Fixtures of the coretel package's tests.

Every scenario runs in a fresh interpreter (enable_telemetry() is process-wide), Debian's
/usr/bin/python3 with PYTHONPATH set to the build tree's package (CORETEL_PYTHONPATH, set by
CTest: build/python) and the example's folder. OTLP scenarios push to coretel-otlp-sink
(CORETEL_OTLP_SINK), which decodes each request with libprotobuf and prints it as JSON. Both
variables are required: a missing one fails the suite, it is not skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests" / "integration"))
# The integration tests' harness: coretel-otlp-sink's driver and wait_until().
from demo_harness import wait_until  # noqa: E402,F401
from test_demo_otlp import Sink as IntegrationSink  # noqa: E402

EXAMPLES = HERE.parent.parent / "examples" / "python"
PYTHON = "/usr/bin/python3"


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the suite through ctest (or set it by hand)")
    return value


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a scenario: no OTEL_* of the caller's, the package on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and k != "CORETEL_LOG"}
    env["PYTHONPATH"] = os.pathsep.join([_required("CORETEL_PYTHONPATH"), str(EXAMPLES)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 60,
               args: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs `code` (dedented) in a fresh interpreter; raises when it outlives `timeout` s."""
    return subprocess.run([PYTHON, "-c", textwrap.dedent(code), *(args or [])], env=python_env(env),
                          capture_output=True, text=True, timeout=timeout)


def run_json(code: str, env: dict[str, str] | None = None, timeout: float = 60) -> Any:
    """Runs `code`, which prints one JSON document last on stdout, and returns it; the process
    must exit 0."""
    done = run_python(code, env, timeout)
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


class Sink(IntegrationSink):
    """One coretel-otlp-sink on ephemeral loopback ports (HTTP and gRPC): the integration
    tests' harness (tests/integration/test_demo_otlp.py), with a reader per signal."""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self, signal: str | None = None) -> list[dict[str, Any]]:
        """The requests printed in full so far (of one signal: metrics, logs, traces), each
        {"contentType": ..., "signal": ..., "request": <the Export*ServiceRequest as JSON>}."""
        return [d for d in super().requests() if signal is None or d["signal"] == signal]

    def spans(self) -> list[dict[str, Any]]:
        return [span for r in self.requests("traces") for rs in r["request"].get("resourceSpans", [])
                for ss in rs.get("scopeSpans", []) for span in ss.get("spans", [])]

    def log_records(self) -> list[dict[str, Any]]:
        return [dict(lr, scope=sl.get("scope", {}).get("name", ""))
                for r in self.requests("logs") for rl in r["request"].get("resourceLogs", [])
                for sl in rl.get("scopeLogs", []) for lr in sl.get("logRecords", [])]

    def metrics(self) -> dict[str, list[dict[str, Any]]]:
        """Metric name -> its Metric messages, across requests."""
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self.requests("metrics"):
            for rm in r["request"].get("resourceMetrics", []):
                for sm in rm.get("scopeMetrics", []):
                    for m in sm.get("metrics", []):
                        out.setdefault(m["name"], []).append(m)
        return out


@pytest.fixture
def sink():
    _required("CORETEL_OTLP_SINK")
    s = Sink()
    yield s
    s.stop()
