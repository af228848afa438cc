"""The telemetry lifecycle: enable_telemetry(), force_flush(), shutdown(), exit and fork.

One native runtime per process (``_native.start``). enable_telemetry() resolves the
configuration (``coretel._settings``), starts the runtime, installs the logging bridge
(``coretel._logging``) and registers two process hooks, once per process:

* ``atexit``: a bounded shutdown (``_native.shutdown(5000)``), so buffered telemetry is
  exported on a normal exit (trace/sdk.md and logs/sdk.md "Shutdown": flush, then stop).
* ``os.register_at_fork(after_in_child=...)``: the child inherits the runtime's memory but
  not its threads, so it forgets the runtime (``_native.after_fork_in_child()``), removes the
  logging handler and may call enable_telemetry() again.

Thread-safety: all functions here may be called from any thread; a module lock serializes
enable/shutdown.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import warnings
from dataclasses import dataclass, replace

from . import _native
from ._logging import TelemetryHandler
from ._service import registered_service_names
from ._settings import SIGNALS, resolve_environment, resolve_service_name

__all__ = ["TelemetryStatus", "enable_telemetry", "force_flush", "shutdown"]

_logger = logging.getLogger("coretel")

_ALREADY = (
    "coretel telemetry is already enabled in this process: this enable_telemetry() call changed "
    "nothing and its arguments were ignored (call coretel.shutdown() first to reconfigure)"
)


@dataclass(frozen=True)
class TelemetryStatus:
    """What enable_telemetry() did.

    Attributes:
        enabled: this call started the native runtime (True even when every signal is "none":
            spans, metrics and log records are then accepted and dropped). False when
            ``already_enabled``.
        already_enabled: an earlier call had enabled telemetry; this one changed nothing, and
            the exporter, service-name and warning fields describe the earlier call's result.
        traces, metrics, logs: each signal's exporter: "otlp", "console" or "none" (with
            ``_testing``, traces may be "memory"). "none" for a signal asked for means it is off:
            no endpoint (see ``message``) or an exporter that could not be created (see
            ``warnings``).
        service_name: the resource's ``service.name``.
        warnings: configuration problems, each also logged once to the ``coretel`` logger.
        message: one human-readable sentence summing this up.
    """

    enabled: bool
    already_enabled: bool
    traces: str
    metrics: str
    logs: str
    service_name: str
    warnings: tuple[str, ...]
    message: str


@dataclass
class _Runtime:
    status: TelemetryStatus
    handler: TelemetryHandler | None
    root_level_before: int | None  # the root logger's level before we lowered it, if we did
    root_level_set: int


_lock = threading.Lock()
_runtime: _Runtime | None = None
_hooks_registered = False  # atexit and at-fork hooks survive fork: never reset


def _level_number(log_level: int | str) -> int:
    if isinstance(log_level, bool) or not isinstance(log_level, (int, str)):
        raise TypeError(f"log_level must be an int or a level name, not {log_level!r}")
    if isinstance(log_level, int):
        return log_level
    levels = logging.getLevelNamesMapping()
    if log_level not in levels:
        raise ValueError(f"unknown log_level {log_level!r}; known: {', '.join(levels)}")
    return levels[log_level]


def _timeout_ms(timeout_s: float) -> int:
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)):
        raise TypeError(f"timeout_s must be a number of seconds, not {timeout_s!r}")
    if not math.isfinite(timeout_s) or timeout_s < 0:
        raise ValueError(f"timeout_s must be a finite number of seconds >= 0, not {timeout_s!r}")
    return round(timeout_s * 1000)


def _off_signals(
    wanted: dict[str, bool], exporters: dict[str, str], overlay: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Signals asked for but "none": (for lack of an endpoint, for another reason)."""
    no_endpoint: list[str] = []
    other: list[str] = []
    for signal in SIGNALS:
        if not wanted[signal] or exporters[signal] != "none":
            continue
        upper = signal.upper()
        exporter_from_user = bool(os.environ.get(f"OTEL_{upper}_EXPORTER"))
        has_endpoint = bool(
            overlay.get("OTEL_EXPORTER_OTLP_ENDPOINT")
            or overlay.get(f"OTEL_EXPORTER_OTLP_{upper}_ENDPOINT")
        )
        (other if exporter_from_user or has_endpoint else no_endpoint).append(signal)
    return no_endpoint, other


def _message(
    status_fields: dict[str, str],
    off_no_endpoint: list[str],
    off_other: list[str],
    warning_count: int,
    root_level_note: str,
) -> str:
    parts = [
        f"coretel telemetry enabled for service {status_fields['service_name']!r}: "
        + ", ".join(f"{signal}={status_fields[signal]}" for signal in SIGNALS)
    ]
    if off_no_endpoint:
        parts.append(
            " and ".join(off_no_endpoint)
            + " off: no OTLP endpoint is set (pass endpoint= or set OTEL_EXPORTER_OTLP_ENDPOINT)"
        )
    if off_other:
        parts.append(" and ".join(off_other) + " off by the OTEL_*_EXPORTER variables or an error")
    if root_level_note:
        parts.append(root_level_note)
    if warning_count:
        parts.append(f"{warning_count} warning(s), in .warnings")
    return "; ".join(parts)


def _install_handler(level: int) -> tuple[TelemetryHandler, int | None, str]:
    """Put a handler on the root logger; lower the root's level to ``level`` if above it."""
    handler = TelemetryHandler(level)
    root = logging.getLogger()
    before: int | None = None
    note = ""
    if root.level > level:
        before = root.level
        root.setLevel(level)
        note = (
            f"root logger level lowered from {logging.getLevelName(before)} to "
            f"{logging.getLevelName(level)} so that those records reach the handler"
        )
    root.addHandler(handler)
    return handler, before, note


def _remove_handler(runtime: _Runtime) -> None:
    handler = runtime.handler
    if handler is None:
        return
    root = logging.getLogger()
    root.removeHandler(handler)
    handler.close()
    if runtime.root_level_before is not None and root.level == runtime.root_level_set:
        root.setLevel(runtime.root_level_before)


def _at_exit() -> None:
    try:
        shutdown(5.0)
    except Exception:  # noqa: BLE001 - nothing to report to at interpreter exit
        pass


def _after_fork_in_child() -> None:
    global _lock, _runtime
    _lock = threading.Lock()  # the parent's may have been held by another thread
    runtime, _runtime = _runtime, None
    if runtime is None:
        return
    try:
        _native.after_fork_in_child()
    finally:
        _remove_handler(runtime)


def _register_hooks() -> None:
    global _hooks_registered
    if not _hooks_registered:
        atexit.register(_at_exit)
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _hooks_registered = True


def _start(
    *,
    traces: bool,
    metrics: bool,
    logs: bool,
    endpoint: str | None,
    service_name: str | None,
    level: int,
    sampler: str | None,
    testing: bool,
) -> _Runtime:
    registered = registered_service_names()
    overlay, notes = resolve_environment(
        os.environ,
        traces=traces,
        metrics=metrics,
        logs=logs,
        endpoint=endpoint,
        service_name=service_name,
        sampler=sampler,
        registered_services=registered,
    )
    name, _source = resolve_service_name(os.environ, service_name, registered)
    result = _native.start(overlay, name, testing=testing)
    if result.get("metrics_renewed"):
        from .metrics import _forget_series

        _forget_series()  # their pipeline was stopped by an earlier shutdown()
    try:
        all_warnings = tuple(notes) + tuple(str(w) for w in result.get("warnings", ()))
        # Logged before the handler exists (and the handler ignores "coretel" records anyway).
        for text in all_warnings:
            _logger.warning("coretel: %s", text)
        fields = {signal: str(result[signal]) for signal in SIGNALS}
        fields["service_name"] = str(result.get("service_name") or name)
        handler, root_before, note = None, None, ""
        if logs and (fields["logs"] != "none" or testing):
            handler, root_before, note = _install_handler(level)
        wanted = {"traces": traces, "metrics": metrics, "logs": logs}
        off_no_endpoint, off_other = _off_signals(wanted, fields, overlay)
        status = TelemetryStatus(
            enabled=True,
            already_enabled=False,
            traces=fields["traces"],
            metrics=fields["metrics"],
            logs=fields["logs"],
            service_name=fields["service_name"],
            warnings=all_warnings,
            message=_message(fields, off_no_endpoint, off_other, len(all_warnings), note),
        )
        _register_hooks()
    except BaseException:
        _native.shutdown(1000)  # leave no half-enabled runtime behind
        raise
    return _Runtime(status, handler, root_before, level)


def enable_telemetry(
    *,
    traces: bool = True,
    metrics: bool = True,
    logs: bool = True,
    endpoint: str | None = None,
    service_name: str | None = None,
    log_level: int | str = logging.INFO,
    sampler: str | None = None,
    _testing: bool = False,
) -> TelemetryStatus:
    """Start exporting this process's traces, metrics and logs. Idempotent.

    Each setting comes from its argument, else the standard OTEL_* variable, else the default
    (see ``coretel._settings.resolve_environment`` for the exact rules). With no OTLP endpoint
    anywhere, signals whose ``OTEL_<SIGNAL>_EXPORTER`` is unset stay off ("none").

    Args:
        traces, metrics, logs: False turns the signal off, whatever the variables say.
        endpoint: OTLP base URL (``OTEL_EXPORTER_OTLP_ENDPOINT``), e.g.
            ``"http://collector:4318"``; a signal's own ``OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT``
            still wins for that signal.
        service_name: ``service.name``; default from OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
            the ``@coretel.service`` class(es), else ``"unknown_service:python"``.
        log_level: records at this level and above (int or name, e.g. ``"DEBUG"``) are
            forwarded by a handler on the root logger, installed when logs are exported. If the
            root logger's level is higher it is lowered to this (restored by shutdown()); other
            handlers on the root logger then see those records too.
        sampler: ``"always_on"``, ``"always_off"``, ``"traceidratio:0.1"``,
            ``"parentbased_always_on"``, ``"parentbased_always_off"``,
            ``"parentbased_traceidratio:0.25"`` (``OTEL_TRACES_SAMPLER[_ARG]``).
        _testing: internal, for coretel's own tests: spans, log records and metrics also go to
            in-memory sinks (``_native.finished_spans()`` and friends), and the logging handler
            is installed even when the logs exporter is "none".

    Returns:
        A :class:`TelemetryStatus`. A later call (until shutdown()) returns the first call's
        status with ``enabled=False``, ``already_enabled=True`` and a message saying so, and
        emits one RuntimeWarning (shown once per call site under the default warning filters).

    Raises:
        TypeError / ValueError: a bad argument (e.g. an unknown sampler; the message lists the
            accepted names), before anything starts.
        RuntimeError: the native runtime was started by other means.
    An exporter that cannot be created is not an error: its signal is "none", and the reason
    is in ``warnings`` and logged to the ``coretel`` logger.
    """
    global _runtime
    level = _level_number(log_level)
    with _lock:
        runtime = _runtime
        if runtime is None:
            _runtime = _start(
                traces=traces,
                metrics=metrics,
                logs=logs,
                endpoint=endpoint,
                service_name=service_name,
                level=level,
                sampler=sampler,
                testing=_testing,
            )
            return _runtime.status
        status = replace(runtime.status, enabled=False, already_enabled=True, message=_ALREADY)
    warnings.warn(_ALREADY, RuntimeWarning, stacklevel=2)
    return status


def force_flush(timeout_s: float = 5.0) -> bool:
    """Export everything buffered now; True when it all went out within ``timeout_s`` seconds.

    True when telemetry is not enabled. Blocks the calling thread (not other Python threads:
    the GIL is released) for at most about ``timeout_s``. TypeError/ValueError for a bad
    timeout.
    """
    timeout_ms = _timeout_ms(timeout_s)
    if _runtime is None:
        return True
    return bool(_native.force_flush(timeout_ms))


def shutdown(timeout_s: float = 5.0) -> bool:
    """Flush and stop telemetry; True when it finished within ``timeout_s`` seconds.

    Removes the logging handler (restoring the root logger's level if enable_telemetry()
    lowered it), then stops the native runtime. Afterwards telemetry calls are no-ops and
    enable_telemetry() may be called again. True when telemetry is not enabled; idempotent.
    TypeError/ValueError for a bad timeout. Runs at interpreter exit with a 5 s bound.
    """
    global _runtime
    timeout_ms = _timeout_ms(timeout_s)
    with _lock:
        runtime, _runtime = _runtime, None
        if runtime is None:
            return True
        _remove_handler(runtime)
        return bool(_native.shutdown(timeout_ms))
