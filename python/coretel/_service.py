"""The ``@coretel.service`` decorator: names the service for ``service.name`` inference.

enable_telemetry() uses the registered names when neither its ``service_name`` argument nor
the OTEL_* variables name the service (see ``coretel._settings.resolve_service_name``).
"""

from __future__ import annotations

import sys
import threading
from typing import TypeVar

from ._settings import service_name_for_class

__all__ = ["registered_service_names", "service"]

_T = TypeVar("_T", bound=type)

_lock = threading.Lock()
_names: list[str] = []  # distinct, in registration order


def service(cls: _T) -> _T:
    """Register ``cls`` as the program's service and return it unchanged.

    The name is ``"<package>.<ClassName>"``, computed now: ``package`` is the top-level package
    of ``cls.__module__`` (for ``__main__``: the ``-m`` module's top-level package, else the
    stem of ``sys.argv[0]``). Registering several classes (or one twice) is allowed; several
    distinct names make the service ``"coretel-multi"``.

    Thread-safe. Raises TypeError when ``cls`` is not a class.
    """
    if not isinstance(cls, type):
        raise TypeError(f"@coretel.service decorates a class, not {type(cls).__name__}")
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    name = service_name_for_class(
        cls.__module__,
        cls.__name__,
        argv0=sys.argv[0] if sys.argv else "",
        main_spec_name=getattr(spec, "name", None),
    )
    with _lock:
        if name not in _names:
            _names.append(name)
    return cls


def registered_service_names() -> tuple[str, ...]:
    """The distinct names registered so far, in registration order. Thread-safe."""
    with _lock:
        return tuple(_names)
