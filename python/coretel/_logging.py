"""The logging bridge: a ``logging.Handler`` that forwards records into the native pipeline.

enable_telemetry() installs one :class:`TelemetryHandler` on the root logger when logs are
exported. Each record becomes an OpenTelemetry LogRecord (logs/data-model.md;
logs/bridge-api.md "Emit a LogRecord"):

* SeverityNumber from the level by OpenTelemetry Python's ``std_to_otel`` mapping
  (logs/data-model.md, "Field: SeverityNumber"; data-model-appendix "Python"),
  SeverityText = ``record.levelname``.
* Body = ``record.getMessage()``; a formatter set on the handler is not used.
* Instrumentation scope = the logger's name.
* Attributes, in this order: ``code.file.path``, ``code.function.name``,
  ``code.line.number``, ``thread.name``, ``thread.id`` (semantic conventions "code" and
  "thread"; absent values are left out), then ``exception.type``, ``exception.message``,
  ``exception.stacktrace`` when the record carries an exception (semantic conventions
  "Exceptions"), then every ``extra=`` field: str, bool, int and float values as they are,
  anything else as ``str(value)`` (``<unprintable T>`` when that raises). An extra whose key
  is one of the attributes above is dropped.
* Trace context: the current coretel span (``coretel._context.current``), if valid.

Records of the ``coretel`` logger and its children are ignored: coretel reports its own
problems there, and forwarding them could loop.
"""

from __future__ import annotations

import logging
import weakref
from types import TracebackType

from . import _native, _self_telemetry

__all__ = ["TelemetryHandler", "dropped_records"]

_SELF_LOGGER = "coretel"
_SELF_PREFIX = _SELF_LOGGER + "."

# The keys LogRecord.__init__ sets, in its order: every record's __dict__ starts with them (the
# native forwarder skips them on a pointer compare).
_RECORD_KEYS = tuple(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)
# Attributes every LogRecord has: the rest of record.__dict__ came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(_RECORD_KEYS) | {
    "message",
    "asctime",
    "taskName",
}
_FIXED_KEYS = frozenset(
    {
        "code.file.path",
        "code.function.name",
        "code.line.number",
        "thread.name",
        "thread.id",
        "exception.type",
        "exception.message",
        "exception.stacktrace",
    }
)

def dropped_records() -> int:
    """Records the handler could not forward (an error reading or emitting them, or a record
    logged while the same thread was forwarding another). Thread-safe.

    A queue-full drop inside the native pipeline is not counted here: see
    ``_native.dropped_logs()``.
    """
    return _native.dropped_records()


# Keys of a LogRecord's __dict__ that are not `extra=` fields: the standard attributes, and the
# attribute names the handler sets itself (an `extra` of one of those names is dropped).
_NOT_EXTRA = frozenset(_STANDARD_ATTRIBUTES | _FIXED_KEYS)


def stacktrace(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> str:
    """``exception.stacktrace``: the text of ``traceback.format_exception()``, chained
    exceptions included, without the ``^^^^`` lines that mark a frame's failing expression.

    Python 3.11 finds those by parsing each frame's source line, which makes
    ``format_exception()`` several times slower than this on a logging call. Native
    (python/src/log_bindings.cc); raises TypeError for a traceback that is not one.
    """
    return _native.stacktrace(exc_type, exc, tb)


class TelemetryHandler(logging.Handler):
    """Forwards ``logging`` records into the native pipeline (see the module docstring)
    through ``_native.LogForwarder``, which reads each record and emits it in one call.

    Never raises into the logging call and never blocks: a record that cannot be built or
    emitted is dropped and counted (:func:`dropped_records`), ``handleError`` is not called
    (it would print to stderr), and the native queue drops rather than waits when full.
    ``handle`` does not take the handler's lock: ``emit`` is thread-safe, so threads logging at
    once do not wait on each other. A record logged while this handler is formatting another
    one on the same thread (a ``__str__`` that logs) is dropped, not recursed into.

    Also counts forwarded records in ``coretel.python.logs.forwarded`` ({record}), with
    attribute ``coretel.log.level`` = the level name (registry/coretel_python; after 256
    distinct level names, further ones are counted as ``other``).
    """

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        # Declared in registry/coretel_python (generated into _self_telemetry).
        forwarded = _self_telemetry.CoretelPythonLogsForwarded
        counter = _native.counter(
            "coretel.python", forwarded.NAME, forwarded.UNIT, forwarded.DESCRIPTION, "int"
        )
        # The native half reads the filters through a weak reference: no cycle through it.
        self._forwarder = _native.LogForwarder(
            weakref.ref(self), _NOT_EXTRA, _RECORD_KEYS, counter,
            _self_telemetry.CORETEL_LOG_LEVEL,
        )
        if type(self).handle is TelemetryHandler.handle:
            # Logger.callHandlers() then calls the native method itself: no Python frame.
            self.handle = self._forwarder.handle  # type: ignore[method-assign]

    def handle(self, record: logging.LogRecord) -> bool:
        """Filter, then emit without the handler lock. Returns whether the record passed."""
        return self._forwarder.handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Forward ``record``; drops it (counted) on any error. Thread-safe."""
        self._forwarder.emit(record)

    def flush(self) -> None:
        """No-op: use ``coretel.force_flush()`` to push buffered records out."""
