"""Spans from Python: current-span scopes, a decorator, and W3C propagation helpers.

Spans are native (``_native.Tracer.start_span``); this module keeps the current context in
``coretel._context.current`` so that a span started here is the parent of native spans
started by native code called from the body, and the other way round.

Before enable_telemetry() (or with traces off) the native tracer makes non-recording spans:
every function here still works, at the cost of a few attribute lookups.

Thread-safety: everything here may be called from any thread or asyncio task; the current
context is per thread and per task (contextvars).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import Token
from enum import IntEnum
from typing import Any, TypeVar, cast

from . import _native
from ._context import current

__all__ = [
    "DEFAULT_SCOPE",
    "SpanKind",
    "StatusCode",
    "attach",
    "detach",
    "extract",
    "get_current_span_context",
    "get_tracer",
    "inject",
    "start_as_current_span",
    "traced",
    "use_context",
]

#: Instrumentation scope of spans started without an explicit tracer.
DEFAULT_SCOPE = "coretel.python"

_F = TypeVar("_F", bound=Callable[..., Any])


class SpanKind(IntEnum):
    """Span kind (trace/api.md, "SpanKind"); the values are the native ones."""

    INTERNAL = 0
    SERVER = 1
    CLIENT = 2
    PRODUCER = 3
    CONSUMER = 4


class StatusCode(IntEnum):
    """Span status code (trace/api.md, "Set Status"); the values are the native ones."""

    UNSET = 0
    OK = 1
    ERROR = 2


# The default scope's tracer is the one start_as_current_span() uses when given none.
_tracers: dict[str, _native.Tracer] = {DEFAULT_SCOPE: _native.default_tracer()}


def get_tracer(scope: str) -> _native.Tracer:
    """The native tracer of instrumentation scope ``scope`` (one per scope, cached).

    Thread-safe: two racing first calls may both create a tracer; one is kept.
    """
    tracer = _tracers.get(scope)
    if tracer is None:
        tracer = _tracers.setdefault(scope, _native.tracer(scope))
    return tracer


# A context manager that runs its body inside a new span, made current (its docstring has the
# contract). Native (python/src/trace_bindings.cc): making the scope, entering and leaving it
# are one CPython call each, with no Python frame, and the contextvar is set and reset through
# the C API.
start_as_current_span = _native.start_as_current_span


def traced(
    func: _F | None = None,
    *,
    name: str | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
    tracer: _native.Tracer | None = None,
) -> Any:
    """Decorator: every call of the function runs inside :func:`start_as_current_span`.

    ``@coretel.traced`` or ``@coretel.traced(name=..., kind=..., attributes=...)``. The span's
    name defaults to the function's ``__qualname__``. For ``async def`` functions the span
    covers the awaited call (it starts when the coroutine first runs, in the awaiting task).

    Raises TypeError at decoration for generator and async generator functions: a span there
    would cover only the creation of the generator, or leak the current context into the
    consumer between items.
    """

    def decorate(function: _F) -> _F:
        if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
            raise TypeError(
                f"@coretel.traced does not support generator functions ({function.__qualname__}); "
                "use start_as_current_span() inside the generator instead"
            )
        span_name = name if name is not None else function.__qualname__

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with start_as_current_span(
                    span_name, kind=kind, attributes=attributes, tracer=tracer
                ):
                    return await function(*args, **kwargs)

            return cast(_F, async_wrapper)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with start_as_current_span(span_name, kind=kind, attributes=attributes, tracer=tracer):
                return function(*args, **kwargs)

        return cast(_F, wrapper)

    if func is not None:
        return decorate(func)
    return decorate


def get_current_span_context() -> _native.SpanContext | None:
    """The current span's context, or None when no context is current. Thread-safe."""
    context = current.get()
    return context.span if context is not None else None


def inject(
    headers: MutableMapping[str, str] | None = None,
    context: _native.Context | None = None,
) -> MutableMapping[str, str]:
    """Write propagation headers for ``context`` (default: the current one) into ``headers``.

    Which headers (``traceparent``, ``tracestate``, ``baggage``) follows OTEL_PROPAGATORS
    (context/api-propagators.md, "Inject"). ``headers`` defaults to a new dict; it is returned.
    Nothing is written when there is no valid span context and no baggage.
    """
    carrier: MutableMapping[str, str] = {} if headers is None else headers
    carrier.update(_native.inject(context if context is not None else current.get()))
    return carrier


def extract(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> _native.Context:
    """The context carried by incoming ``headers`` (context/api-propagators.md, "Extract").

    ``headers``: a dict, any mapping with ``items()`` (e.g. ``http.server``'s
    ``self.headers``; repeated fields are all passed), or ``(name, value)`` pairs. Header names
    are matched case-insensitively by the native propagators. Invalid headers yield an empty
    ``Context`` (never an error). Make the result current with :func:`use_context`.
    """
    if isinstance(headers, dict):
        return _native.extract(headers)
    items = getattr(headers, "items", None)
    pairs = list(items()) if callable(items) else list(cast(Iterable[tuple[str, str]], headers))
    return _native.extract([(str(key), str(value)) for key, value in pairs])


def attach(context: _native.Context | None) -> Token[_native.Context | None]:
    """Make ``context`` current; returns the token for :func:`detach`. Pair every call."""
    return current.set(context)


def detach(token: Token[_native.Context | None]) -> None:
    """Restore the context current before the :func:`attach` that returned ``token``.

    Raises ValueError (from contextvars) for a token created in another context.
    """
    current.reset(token)


@contextmanager
def use_context(context: _native.Context | None) -> Iterator[_native.Context | None]:
    """``with coretel.use_context(coretel.extract(headers)):`` makes ``context`` current."""
    token = current.set(context)
    try:
        yield context
    finally:
        current.reset(token)
