"""Metric instruments from Python: Counter, UpDownCounter, Histogram over native series.

Each instrument wraps one native instrument and caches one native ``Series`` per distinct
attribute set, so a measurement with a seen attribute set costs a sort, a dict lookup and
one native call. Aggregation and export are native.

Cardinality (metrics/sdk.md, "Cardinality limits"): at most
:data:`CARDINALITY_LIMIT` distinct attribute sets per instrument (the SDK default, 2000);
measurements with further sets go to the overflow series, whose only attribute is
``otel.metric.overflow = true``.

Thread-safety: instruments may be used from any thread; a lock is taken only to add a series
to the cache (a first-seen attribute set, or a measurement that overflows).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import Union

from . import _native

__all__ = [
    "CARDINALITY_LIMIT",
    "Counter",
    "Histogram",
    "Meter",
    "UpDownCounter",
    "get_meter",
]

#: Distinct attribute sets per instrument before measurements go to the overflow series.
CARDINALITY_LIMIT = 2000
_OVERFLOW_ATTRIBUTES: tuple[tuple[str, object], ...] = (("otel.metric.overflow", True),)
_ATTRIBUTE_TYPES = (str, bool, int, float)

AttributeValue = Union[str, bool, int, float]
# Cache key: (key, type, value) triples sorted by key. The type keeps True, 1 and 1.0 apart
# (equal in Python, distinct attribute values in OpenTelemetry).
_Key = tuple[tuple[str, type, AttributeValue], ...]

_lock = threading.Lock()


def _forget_series() -> None:
    """Drops every cached series: they are registered again at their next use. For a native
    pipeline that was replaced (after fork, or a shutdown then enable_telemetry() again)."""
    for meter in list(_meters.values()):
        for instrument in list(meter._instruments.values()):
            instrument._series = {}
            instrument._overflow = None


def _reinit_in_child() -> None:
    # A fork while another thread held the lock would leave it held forever in the child. The
    # native side leaves the parent's pipeline behind in the child (its threads are not here):
    # the series are registered again, on the child's, at their next use.
    global _lock
    _lock = threading.Lock()
    _forget_series()


os.register_at_fork(after_in_child=_reinit_in_child)


def _key_of(attributes: Mapping[str, AttributeValue] | None) -> _Key:
    if not attributes:
        return ()
    try:
        return tuple(sorted((key, value.__class__, value) for key, value in attributes.items()))
    except TypeError:
        raise TypeError(
            "metric attributes must map str keys to str, bool, int or float values"
        ) from None


class _Instrument:
    """The series cache shared by the three instrument kinds."""

    __slots__ = ("name", "unit", "description", "_native", "_series", "_overflow")

    def __init__(
        self, native: _native.Instrument, name: str, unit: str, description: str
    ) -> None:
        self.name = name
        self.unit = unit
        self.description = description
        self._native = native
        self._series: dict[_Key, _native.Series] = {}
        self._overflow: _native.Series | None = None

    def _series_for(self, attributes: Mapping[str, AttributeValue] | None) -> _native.Series:
        key = _key_of(attributes)
        try:
            series = self._series.get(key)
        except TypeError:  # an unhashable value (a list, a dict)
            raise TypeError(
                "metric attributes must map str keys to str, bool, int or float values"
            ) from None
        if series is not None:
            return series
        return self._add_series(key)

    def _add_series(self, key: _Key) -> _native.Series:
        for name, kind, _ in key:
            if not isinstance(name, str) or not issubclass(kind, _ATTRIBUTE_TYPES):
                raise TypeError(
                    f"metric attribute {name!r}: values must be str, bool, int or float, "
                    f"not {kind.__name__}"
                )
        with _lock:
            series = self._series.get(key)
            if series is not None:
                return series
            if len(self._series) >= CARDINALITY_LIMIT:
                return self._overflow_series()
            series = self._native.series(tuple((name, value) for name, _, value in key))
            self._series[key] = series
            return series

    def _overflow_series(self) -> _native.Series:
        # Called with _lock held; not in _series, so it does not count against the limit.
        if self._overflow is None:
            self._overflow = self._native.series(_OVERFLOW_ATTRIBUTES)
        return self._overflow


class Counter(_Instrument):
    """A monotonic sum (metrics/api.md, "Counter")."""

    __slots__ = ()

    def add(
        self, amount: int | float, attributes: Mapping[str, AttributeValue] | None = None
    ) -> None:
        """Add ``amount`` (non-negative, in the instrument's unit) to the attribute set's sum.

        Raises ValueError (native) for a negative amount, TypeError for bad attributes.
        """
        self._series_for(attributes).add(amount)


class UpDownCounter(_Instrument):
    """A non-monotonic sum (metrics/api.md, "UpDownCounter")."""

    __slots__ = ()

    def add(
        self, amount: int | float, attributes: Mapping[str, AttributeValue] | None = None
    ) -> None:
        """Add ``amount`` (any sign, in the instrument's unit). TypeError for bad attributes."""
        self._series_for(attributes).add(amount)


class Histogram(_Instrument):
    """A distribution of float measurements (metrics/api.md, "Histogram")."""

    __slots__ = ()

    def record(
        self, amount: int | float, attributes: Mapping[str, AttributeValue] | None = None
    ) -> None:
        """Record ``amount`` (in the instrument's unit). TypeError for bad attributes."""
        self._series_for(attributes).record(float(amount))


def _value_type_name(value_type: type) -> str:
    if value_type is int:
        return "int"
    if value_type is float:
        return "float"
    raise TypeError(f"value_type must be int or float, not {value_type!r}")


class Meter:
    """Creates instruments in one instrumentation scope (metrics/api.md, "Meter").

    Creating the same instrument (same kind, name, unit, description, value type) twice returns
    the same object. Thread-safe.
    """

    __slots__ = ("name", "_instruments")

    def __init__(self, name: str) -> None:
        self.name = name
        self._instruments: dict[tuple[str, ...], _Instrument] = {}

    def _cached(
        self,
        key: tuple[str, ...],
        make: type[_Instrument],
        create: Callable[[], _native.Instrument],
        name: str,
        unit: str,
        description: str,
    ) -> _Instrument:
        instrument = self._instruments.get(key)
        if instrument is None:
            instrument = self._instruments.setdefault(key, make(create(), name, unit, description))
        return instrument

    def create_counter(
        self, name: str, unit: str = "1", description: str = "", value_type: type = int
    ) -> Counter:
        """A Counter. ValueError (native) for a name/unit breaking the naming rules or
        conflicting with an existing instrument; TypeError for a value_type not int/float."""
        kind = _value_type_name(value_type)
        key = ("counter", name, unit, description, kind)
        create = partial(_native.counter, self.name, name, unit, description, kind)
        instrument = self._cached(key, Counter, create, name, unit, description)
        assert isinstance(instrument, Counter)
        return instrument

    def create_up_down_counter(
        self, name: str, unit: str = "1", description: str = "", value_type: type = int
    ) -> UpDownCounter:
        """An UpDownCounter; errors as :meth:`create_counter`."""
        kind = _value_type_name(value_type)
        key = ("up_down_counter", name, unit, description, kind)
        create = partial(_native.up_down_counter, self.name, name, unit, description, kind)
        instrument = self._cached(key, UpDownCounter, create, name, unit, description)
        assert isinstance(instrument, UpDownCounter)
        return instrument

    def create_histogram(self, name: str, unit: str = "1", description: str = "") -> Histogram:
        """A float Histogram; ValueError (native) as :meth:`create_counter`."""
        key = ("histogram", name, unit, description)
        create = partial(_native.histogram, self.name, name, unit, description)
        instrument = self._cached(key, Histogram, create, name, unit, description)
        assert isinstance(instrument, Histogram)
        return instrument


_meters: dict[str, Meter] = {}


def get_meter(name: str) -> Meter:
    """The Meter of instrumentation scope ``name`` (one per name, cached). Thread-safe."""
    meter = _meters.get(name)
    if meter is None:
        meter = _meters.setdefault(name, Meter(name))
    return meter
