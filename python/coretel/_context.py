"""The current coretel context: one ContextVar shared by Python and the native extension.

``current`` holds the active ``_native.Context`` (a span context plus baggage), or None when
no span is active (OpenTelemetry context/README.md: the "current Context" of the implicit
context; Python's contextvars make it follow threads and asyncio tasks).

The native extension reads and sets this variable through the Python C API when native code
is entered from Python and when it calls back into Python, so its module path
(``coretel._context``) and attribute name (``current``) are part of the native contract.
Python code changes it only with ``set``/``reset`` pairs (``start_as_current_span``,
``attach``/``detach``, ``use_context``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._native import Context

__all__ = ["current"]

current: ContextVar[Context | None] = ContextVar("coretel.context", default=None)
