#!/usr/bin/python3
"""telemetry_demo.py: a small Python RPC service whose work is done by native C++ code, with
coretel's traces, logs and metrics on both sides, pushed to an OTLP endpoint.

    PYTHONPATH=build/python python3 examples/python/telemetry_demo.py \\
        --endpoint http://127.0.0.1:4318 --requests 20

Each request is one RPC, `EchoService/Compress` (every sixth is `EchoService/Fail`, which
raises): a server span in Python, the native engine (coretel._native.demo: zlib over the
payload in 16 KiB chunks, with a native span per chunk) called from inside it, and a Python
callback per chunk with a span of its own, all in one trace. `logging` records go to the OTLP
logs endpoint with the span's ids; the RPC metrics (rpc.server.call.duration, demo.rpc.*;
declared in examples/python/registry, typed in rpc_metrics.py generated from it) go to the
metrics endpoint. Without --endpoint, the standard OTEL_* variables decide; with neither,
nothing is exported (--console prints spans and logs on stderr instead).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import coretel
from coretel._native import demo  # the example's native engine (examples/python/demo_engine.cc)

import rpc_metrics

log = logging.getLogger("telemetry_demo")


@coretel.service  # service.name: telemetry_demo.EchoService
class EchoService:
    """Handles one request at a time; `handle()` returns the compressed size, None on failure."""

    SYSTEM = "jsonrpc"

    def __init__(self) -> None:
        meter = coretel.get_meter("telemetry_demo")
        self.duration = rpc_metrics.RpcServerCallDuration(meter)
        self.errors = rpc_metrics.DemoRpcErrors(meter)
        self.request_size = rpc_metrics.DemoRpcRequestSize(meter)
        self.response_size = rpc_metrics.DemoRpcResponseSize(meter)
        self.sessions = rpc_metrics.DemoRpcActiveSessions(meter)

    @staticmethod
    def _checkpoint(chunk: int) -> None:
        # Called by the native engine for each chunk: the native chunk span is the parent.
        with coretel.start_as_current_span("python.checkpoint", attributes={"demo.chunk.index": chunk}):
            pass

    def handle(self, method: str, payload: bytes) -> int | None:
        start = time.perf_counter()
        error: str | None = None
        self.sessions.add(1)
        try:
            with coretel.start_as_current_span(
                method, kind=coretel.SpanKind.SERVER,
                attributes={"rpc.system.name": self.SYSTEM, "rpc.method": method},
            ) as span:
                self.request_size.record(len(payload), rpc_method=method)
                try:
                    if method == "EchoService/Fail":
                        raise ValueError("the request asked to fail")
                    crc, size = demo.process(payload, self._checkpoint)
                except ValueError as e:
                    error = type(e).__name__
                    span.set_status(coretel.StatusCode.ERROR, str(e))
                    span.set_attribute("error.type", error)
                    log.exception("failed %s", method)
                    self.errors.add(rpc_method=method, error_type=error)
                    return None
                log.info("handled %s: %d bytes in, %d out", method, len(payload), size,
                         extra={"demo.crc32": crc})
                self.response_size.record(size, rpc_method=method)
                return size
        finally:
            self.duration.record(time.perf_counter() - start, rpc_system_name=self.SYSTEM,
                                 rpc_method=method, error_type=error)
            self.sessions.add(-1)


def payload_for(request: int, size: int) -> bytes:
    text = f"request {request}: coretel telemetry across Python and C++. ".encode()
    return (text * (size // len(text) + 1))[:size]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="OTLP base endpoint (http://host:4318, or the gRPC port)")
    parser.add_argument("--requests", type=int, default=20, help="requests to handle")
    parser.add_argument("--payload-kib", type=int, default=64, help="payload of each request")
    parser.add_argument("--console", action="store_true",
                        help="print spans and log records on stderr (OTEL_*_EXPORTER=console)")
    args = parser.parse_args()
    if args.console:
        for signal in ("TRACES", "LOGS"):
            os.environ.setdefault(f"OTEL_{signal}_EXPORTER", "console")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    status = coretel.enable_telemetry(endpoint=args.endpoint)
    print(f"telemetry: traces={status.traces} metrics={status.metrics} logs={status.logs} "
          f"service.name={status.service_name}", file=sys.stderr)
    service = EchoService()
    for request in range(args.requests):
        method = "EchoService/Fail" if request % 6 == 5 else "EchoService/Compress"
        service.handle(method, payload_for(request, args.payload_kib * 1024))
    ok = coretel.shutdown()  # exports what is buffered (it would also run at exit)
    print(f"handled {args.requests} requests; telemetry {'flushed' if ok else 'NOT all flushed'}",
          file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
