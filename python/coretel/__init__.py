"""coretel: OpenTelemetry traces, metrics and logs for Python over coretel's native C++ SDK.

Quick start::

    import coretel

    status = coretel.enable_telemetry(endpoint="http://collector:4318")
    with coretel.start_as_current_span("work"):
        coretel.get_meter("my.app").create_counter("my.app.items", "{item}").add(1)

The native extension (``coretel._native``) does the work; this package is its Python API:
the lifecycle (``enable_telemetry``, ``force_flush``, ``shutdown``), spans and context
propagation (``coretel.trace``), metric instruments (``coretel.metrics``), the ``logging``
bridge, and ``@coretel.service`` for naming the service.
"""

from __future__ import annotations

from ._enable import TelemetryStatus, enable_telemetry, force_flush, shutdown
from ._service import service
from .metrics import Counter, Histogram, Meter, UpDownCounter, get_meter
from .trace import (
    SpanKind,
    StatusCode,
    attach,
    detach,
    extract,
    get_current_span_context,
    get_tracer,
    inject,
    start_as_current_span,
    traced,
    use_context,
)

__version__ = "0.1.0"

__all__ = [
    "Counter",
    "Histogram",
    "Meter",
    "SpanKind",
    "StatusCode",
    "TelemetryStatus",
    "UpDownCounter",
    "__version__",
    "attach",
    "detach",
    "enable_telemetry",
    "extract",
    "force_flush",
    "get_current_span_context",
    "get_meter",
    "get_tracer",
    "inject",
    "service",
    "shutdown",
    "start_as_current_span",
    "traced",
    "use_context",
]
