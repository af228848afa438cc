"""Type stub of coretel._native, the pybind11 extension built by CMake (python/src/*.cc).

Mirrors the native API contract; see the docstrings there for behaviour.
"""

import logging
import weakref
from types import TracebackType
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias, final

_Scalar: TypeAlias = str | bool | int | float
_AttributeValue: TypeAlias = _Scalar  # any other value is recorded as its str()

# Runtime (process-wide; at most one live)

def start(
    env: dict[str, str], default_service_name: str, *, testing: bool = False
) -> dict[str, Any]:
    """Build the pipeline from the OTEL_* overlay ``env``. Returns {"traces", "metrics", "logs":
    "otlp"|"console"|"none" (traces also "memory"), "service_name": str, "resource": dict,
    "warnings": list[str]}. RuntimeError if already started."""

def started() -> bool: ...
def shutdown(timeout_ms: int = 5000) -> bool: ...
def force_flush(timeout_ms: int = 5000) -> bool: ...
def after_fork_in_child() -> None: ...

# Traces

@final
class SpanContext:
    @property
    def trace_id(self) -> str: ...
    @property
    def span_id(self) -> str: ...
    @property
    def trace_flags(self) -> int: ...
    @property
    def is_remote(self) -> bool: ...
    @property
    def is_valid(self) -> bool: ...
    @property
    def sampled(self) -> bool: ...
    @property
    def trace_state(self) -> str: ...

@final
class Context:
    def __init__(self) -> None: ...
    @property
    def span(self) -> SpanContext | None: ...
    @property
    def baggage(self) -> dict[str, str]: ...

class Span:
    @property
    def context(self) -> SpanContext: ...
    @property
    def is_recording(self) -> bool: ...
    def set_attribute(self, key: str, value: _AttributeValue) -> None: ...
    def add_event(
        self, name: str, attributes: Mapping[str, _AttributeValue] | None = None, time_ns: int = 0
    ) -> None: ...
    def record_exception(self, type: str, message: str) -> None: ...
    def set_status(self, code: int, description: str = "") -> None: ...
    def end(self, end_time_ns: int = 0) -> None: ...

@final
class Tracer:
    def start_span(
        self,
        name: str,
        kind: int = 0,
        attributes: Mapping[str, _AttributeValue] | None = None,
        parent: Context | None = None,
        start_time_ns: int = 0,
    ) -> Span: ...

def tracer(scope: str) -> Tracer: ...

@final
class SpanScope(Span):
    """A Span that starts on __enter__ (returning itself) and ends on __exit__; made by
    start_as_current_span()."""

    def __enter__(self) -> SpanScope: ...
    def __exit__(self, type: object, value: object, traceback: object) -> bool: ...

def start_as_current_span(
    name: str,
    *,
    kind: int = 0,
    attributes: Mapping[str, _AttributeValue] | None = None,
    tracer: Tracer | None = None,
    record_exception: bool = True,
    set_status_on_exception: bool = True,
) -> SpanScope: ...
def default_tracer() -> Tracer: ...
def inject(context: Context | None) -> dict[str, str]: ...
def extract(headers: Mapping[str, str] | list[tuple[str, str]]) -> Context: ...
def finished_spans() -> list[dict[str, Any]]: ...

# Logs

@final
class LogForwarder:
    def __init__(
        self,
        handler: weakref.ReferenceType[logging.Handler],
        skip: frozenset[str],
        record_keys: tuple[str, ...],
        forwarded: Instrument,
        level_attribute: str,
    ) -> None: ...
    def handle(self, record: logging.LogRecord) -> bool: ...
    def emit(self, record: logging.LogRecord) -> None: ...

def dropped_records() -> int: ...
def stacktrace(
    type: type[BaseException], value: BaseException | None, traceback: TracebackType | None
) -> str: ...
def emitted_logs() -> list[dict[str, Any]]: ...
def dropped_logs() -> int: ...

# Metrics

@final
class Series:
    def add(self, value: int | float) -> None: ...
    def record(self, value: float) -> None: ...

@final
class Instrument:
    def series(self, attributes: tuple[tuple[str, object], ...]) -> Series: ...

def counter(meter: str, name: str, unit: str, description: str, value_type: str) -> Instrument: ...
def up_down_counter(
    meter: str, name: str, unit: str, description: str, value_type: str
) -> Instrument: ...
def histogram(meter: str, name: str, unit: str, description: str) -> Instrument: ...

# Demo engine (a pybind11 submodule, typed here as an object with one function)

class _Demo:
    def process(
        self, payload: bytes, on_chunk: Callable[[int], None] | None = None
    ) -> tuple[int, int]: ...

demo: _Demo
