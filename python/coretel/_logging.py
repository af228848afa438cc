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

import linecache
import logging
import threading
import traceback
from types import TracebackType
from typing import Any

from . import _native, _self_telemetry

__all__ = ["TelemetryHandler", "dropped_records"]

_SELF_LOGGER = "coretel"
_SELF_PREFIX = _SELF_LOGGER + "."

# Attributes every LogRecord has: the rest of record.__dict__ came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
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

_dropped_lock = threading.Lock()
_dropped = 0


def dropped_records() -> int:
    """Records the handler could not forward (an error building or emitting them). Thread-safe.

    A queue-full drop inside the native pipeline is not counted here: see
    ``_native.dropped_logs()``.
    """
    return _dropped


def _count_drop() -> None:
    global _dropped
    with _dropped_lock:
        _dropped += 1


# Keys of a LogRecord's __dict__ that are not `extra=` fields: the standard attributes, and the
# attribute names the handler sets itself (an `extra` of one of those names is dropped).
_NOT_EXTRA = frozenset(_STANDARD_ATTRIBUTES | _FIXED_KEYS)


def stacktrace(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> str:
    """``exception.stacktrace``: the text of ``traceback.format_exception()``, chained
    exceptions included, without the ``^^^^`` lines that mark a frame's failing expression.

    Python 3.11 finds those by parsing each frame's source line, which makes
    ``format_exception()`` several times slower than this on a logging call.
    """
    parts: list[str] = []
    seen: set[int] = set()

    def one(kind: type[BaseException], value: BaseException | None, trace: TracebackType | None) -> None:
        if value is not None:
            seen.add(id(value))
            cause, context = value.__cause__, value.__context__
            if cause is not None and id(cause) not in seen:
                one(type(cause), cause, cause.__traceback__)
                parts.append("\nThe above exception was the direct cause of the following exception:\n\n")
            elif context is not None and not value.__suppress_context__ and id(context) not in seen:
                one(type(context), context, context.__traceback__)
                parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        if trace is not None:
            parts.append("Traceback (most recent call last):\n")
            for frame, lineno in traceback.walk_tb(trace):
                code = frame.f_code
                parts.append(f'  File "{code.co_filename}", line {lineno}, in {code.co_name}\n')
                line = linecache.getline(code.co_filename, lineno, frame.f_globals).strip()
                if line:
                    parts.append(f"    {line}\n")
        parts.extend(traceback.format_exception_only(kind, value))

    one(exc_type, exc, tb)
    return "".join(parts)


class TelemetryHandler(logging.Handler):
    """Forwards ``logging`` records to ``_native.forward_record`` (see the module docstring).

    Never raises into the logging call and never blocks: a record that cannot be built or
    emitted is dropped and counted (:func:`dropped_records`), ``handleError`` is not called
    (it would print to stderr), and the native queue drops rather than waits when full.
    ``handle`` does not take the handler's lock: ``emit`` is thread-safe, so threads logging at
    once do not wait on each other. A record logged while this handler is formatting another
    one on the same thread (a ``__str__`` that logs) is dropped, not recursed into.

    Also counts forwarded records in ``coretel.python.logs.forwarded`` ({record}), with
    attribute ``coretel.log.level`` = the level name (registry/coretel_python).
    """

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        # Declared in registry/coretel_python (generated into _self_telemetry); the series of
        # each level is kept here, so a record costs one native add.
        forwarded = _self_telemetry.CoretelPythonLogsForwarded
        self._forwarded = _native.counter(
            "coretel.python", forwarded.NAME, forwarded.UNIT, forwarded.DESCRIPTION, "int"
        )
        self._forwarded_by_level: dict[str, Any] = {}
        self._busy = threading.local()

    def handle(self, record: logging.LogRecord) -> bool:
        """Filter, then emit without the handler lock. Returns whether the record passed."""
        passed = self.filter(record)
        if isinstance(passed, logging.LogRecord):  # Python 3.12+: a filter may replace it
            record = passed
        if passed:
            self.emit(record)
        return bool(passed)

    def emit(self, record: logging.LogRecord) -> None:
        """Forward ``record``; drops it (counted) on any error. Thread-safe."""
        name = record.name
        if name == _SELF_LOGGER or name.startswith(_SELF_PREFIX):
            return
        busy = self._busy
        if getattr(busy, "active", False):
            _count_drop()
            return
        busy.active = True
        try:
            self._forward(record)
        except Exception:  # noqa: BLE001 - logging must never fail the caller
            _count_drop()
        finally:
            busy.active = False

    def _forward(self, record: logging.LogRecord) -> None:
        # One native call reads the record, its span (the contextvar) and emits it
        # (python/src/log_bindings.cc: forward_record).
        _native.forward_record(record, _NOT_EXTRA, stacktrace)
        levelname = record.levelname
        series = self._forwarded_by_level.get(levelname)
        if series is None:
            series = self._forwarded_by_level.setdefault(
                levelname,
                self._forwarded.series(((_self_telemetry.CORETEL_LOG_LEVEL, levelname),)),
            )
        series.add(1)

    def flush(self) -> None:
        """No-op: use ``coretel.force_flush()`` to push buffered records out."""
