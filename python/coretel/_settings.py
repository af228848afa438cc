"""Resolve enable_telemetry()'s arguments and the OTEL_* variables into one overlay.

Pure functions only: no imports from the rest of the package and no reads of global state
(``os.environ``, ``sys.argv``), so the tests load this file on its own, without the native
extension. ``coretel._enable`` passes ``os.environ`` and the ``@coretel.service`` registry in.

Precedence, per setting: an explicit argument, then the standard OTEL_* variable, then the
default. The overlay returned by :func:`resolve_environment` is what ``_native.start`` reads
(it reads nothing else), with the C++ SDK's rules (docs/configuration.md):

* An empty variable counts as unset (SDK environment variables, "Parsing empty value").
* ``endpoint`` sets ``OTEL_EXPORTER_OTLP_ENDPOINT``; a signal's own
  ``OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`` still wins for that signal (OTLP exporter,
  "Configuration Options": "the signal-specific ... takes precedence") and is passed through.
* ``sampler`` sets ``OTEL_TRACES_SAMPLER`` and, in its ``name:arg`` form,
  ``OTEL_TRACES_SAMPLER_ARG`` (SDK environment variables, "General SDK Configuration").
* A signal turned off (``traces=False`` ...) gets ``OTEL_<SIGNAL>_EXPORTER=none``
  (SDK environment variables, "Exporter Selection"). With no OTLP endpoint anywhere for a signal,
  a signal whose exporter variable is unset gets ``none`` too: coretel pushes nowhere by default
  (the spec's default, ``otlp`` to localhost, would fail quietly in most programs).
* ``service.name`` (resource semantic conventions, "Service"): the argument, else
  ``OTEL_SERVICE_NAME``, else ``service.name`` in ``OTEL_RESOURCE_ATTRIBUTES`` (resource SDK,
  "Specifying resource information via an environment variable"), else the one class
  registered with ``@coretel.service``, else ``coretel-multi`` for several, else
  ``unknown_service:python``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath

__all__ = [
    "DEFAULT_SERVICE_NAME",
    "MULTI_SERVICE_NAME",
    "SAMPLER_NAMES",
    "SIGNALS",
    "parse_sampler",
    "resolve_environment",
    "resolve_service_name",
    "service_name_for_class",
    "service_name_from_resource_attributes",
]

#: service.name when nothing names the service (semantic conventions: "unknown_service:" +
#: the process's executable name).
DEFAULT_SERVICE_NAME = "unknown_service:python"
#: service.name when several classes carry @coretel.service and nothing else names the service.
MULTI_SERVICE_NAME = "coretel-multi"
#: The samplers OTEL_TRACES_SAMPLER accepts (the spec's list less jaeger_remote and xray).
SAMPLER_NAMES: tuple[str, ...] = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
_RATIO_SAMPLERS = frozenset({"traceidratio", "parentbased_traceidratio"})
#: The signals, in the order every status and warning lists them.
SIGNALS: tuple[str, ...] = ("traces", "metrics", "logs")

_SAMPLER_HELP = (
    "accepted names: " + ", ".join(SAMPLER_NAMES) + "; the two ratio samplers take a "
    "probability from 0 to 1 after a colon, as in 'traceidratio:0.1'"
)
# What the C++ reader's std::from_chars accepts for a probability, less signs, inf and nan.
_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_OWS = " \t"  # RFC 9110 optional whitespace, which the C++ reader trims


def _is_set(environ: Mapping[str, str], name: str) -> bool:
    """Whether ``name`` has a non-empty value (an empty value counts as unset)."""
    return bool(environ.get(name))


def parse_sampler(text: str) -> tuple[str, str | None]:
    """Split a sampler argument into (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG or None).

    ``text`` is a name (case-insensitive, trimmed) or ``name:probability`` for the two ratio
    samplers; the name comes back lowercased and the probability as written (trimmed).

    Raises:
        TypeError: ``text`` is not a str.
        ValueError: unknown name, an argument on a sampler that takes none, or an argument that
            is not a decimal probability from 0 to 1; the message lists the accepted names.
    """
    if not isinstance(text, str):
        raise TypeError(f"sampler must be a str, not {type(text).__name__}")
    raw_name, colon, raw_arg = text.partition(":")
    name = raw_name.strip().lower()
    if name not in SAMPLER_NAMES:
        raise ValueError(f"unknown sampler {text!r}; {_SAMPLER_HELP}")
    if not colon:
        return name, None
    if name not in _RATIO_SAMPLERS:
        raise ValueError(f"sampler {text!r}: {name} takes no argument; {_SAMPLER_HELP}")
    arg = raw_arg.strip()
    if not _DECIMAL.fullmatch(arg) or not 0.0 <= float(arg) <= 1.0:
        raise ValueError(
            f"sampler {text!r}: the argument must be a probability from 0 to 1; {_SAMPLER_HELP}"
        )
    return name, arg


def _percent_decode(text: str) -> str | None:
    """``%XX`` escapes decoded as UTF-8 (ill-formed bytes replaced); None for a bad escape."""
    if "%" not in text:
        return text
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "%":
            out += char.encode("utf-8", "surrogatepass")
            i += 1
            continue
        digits = text[i + 1 : i + 3]
        if len(digits) != 2 or any(d not in "0123456789abcdefABCDEF" for d in digits):
            return None
        out.append(int(digits, 16))
        i += 3
    return out.decode("utf-8", "replace")


def service_name_from_resource_attributes(text: str) -> str | None:
    """``service.name`` inside an OTEL_RESOURCE_ATTRIBUTES value, or None.

    Parsed as the C++ reader does (resource SDK, "Specifying resource information via an
    environment variable"): comma-separated ``key=value`` entries, trimmed, then
    percent-decoded; a repeated key takes the last value. An entry without ``=``, with an empty
    key or with a bad ``%`` escape discards the whole variable, so None. An empty value is None.
    """
    found: str | None = None
    for raw_entry in text.split(","):
        entry = raw_entry.strip(_OWS)
        if not entry:
            continue
        raw_key, equals, raw_value = entry.partition("=")
        raw_key = raw_key.strip(_OWS)
        if not equals or not raw_key:
            return None
        key = _percent_decode(raw_key)
        value = _percent_decode(raw_value.strip(_OWS))
        if key is None or value is None:
            return None
        if key == "service.name":
            found = value
    return found or None


def service_name_for_class(
    module: str, class_name: str, *, argv0: str, main_spec_name: str | None
) -> str:
    """The service name ``@coretel.service`` infers: ``"<package>.<ClassName>"``.

    ``package`` is the top-level package of ``module`` (the class's ``__module__``). For
    ``"__main__"``: the top-level package of ``main_spec_name`` (``__main__.__spec__.name``,
    set under ``python -m``), else the stem of ``argv0`` (``sys.argv[0]``), else (interactive,
    ``python -c``: an empty or ``-``-prefixed stem) ``"__main__"``.
    """
    package = module.partition(".")[0]
    if module == "__main__":
        if main_spec_name:
            package = main_spec_name.partition(".")[0]
        else:
            stem = PurePath(argv0).stem if argv0 else ""
            package = stem if stem and not stem.startswith("-") else "__main__"
    return f"{package}.{class_name}"


def resolve_service_name(
    environ: Mapping[str, str],
    service_name: str | None,
    registered_services: Sequence[str],
) -> tuple[str, str]:
    """The service name and where it came from.

    Returns ``(name, source)``, source one of ``"argument"``, ``"OTEL_SERVICE_NAME"``,
    ``"OTEL_RESOURCE_ATTRIBUTES"``, ``"decorator"`` (one registered name), ``"decorators"``
    (several: ``coretel-multi``), ``"default"`` (``unknown_service:python``).
    ``registered_services`` are names from :func:`service_name_for_class`; repeats count once.

    Raises:
        TypeError / ValueError: ``service_name`` is not a str / is empty.
    """
    if service_name is not None:
        if not isinstance(service_name, str):
            raise TypeError(f"service_name must be a str, not {type(service_name).__name__}")
        if not service_name:
            raise ValueError("service_name must not be empty")
        return service_name, "argument"
    if _is_set(environ, "OTEL_SERVICE_NAME"):
        return environ["OTEL_SERVICE_NAME"], "OTEL_SERVICE_NAME"
    if _is_set(environ, "OTEL_RESOURCE_ATTRIBUTES"):
        from_resource = service_name_from_resource_attributes(environ["OTEL_RESOURCE_ATTRIBUTES"])
        if from_resource is not None:
            return from_resource, "OTEL_RESOURCE_ATTRIBUTES"
    distinct = sorted(set(registered_services))
    if len(distinct) == 1:
        return distinct[0], "decorator"
    if distinct:
        return MULTI_SERVICE_NAME, "decorators"
    return DEFAULT_SERVICE_NAME, "default"


def resolve_environment(
    environ: Mapping[str, str],
    *,
    traces: bool = True,
    metrics: bool = True,
    logs: bool = True,
    endpoint: str | None = None,
    service_name: str | None = None,
    sampler: str | None = None,
    registered_services: Sequence[str] = (),
) -> tuple[dict[str, str], list[str]]:
    """The OTEL_* overlay for ``_native.start`` and the warnings about it.

    Args:
        environ: the process environment (``os.environ``); only its ``OTEL_*`` keys are read,
            and all of them are copied into the overlay first.
        traces, metrics, logs: False turns the signal off (``OTEL_<SIGNAL>_EXPORTER=none``).
        endpoint: OTLP base URL for every signal (``OTEL_EXPORTER_OTLP_ENDPOINT``).
        service_name: ``service.name``; wins over every variable.
        sampler: a name of :data:`SAMPLER_NAMES` or ``"traceidratio:0.1"`` /
            ``"parentbased_traceidratio:0.25"``. Without an argument part, an
            ``OTEL_TRACES_SAMPLER_ARG`` from ``environ`` stays (it is a separate setting).
        registered_services: names from :func:`service_name_for_class`, in any order.

    Returns:
        ``(overlay, warnings)``: a new dict (``environ`` is not modified) and a list of
        human-readable warnings (a signal's endpoint variable shadowing ``endpoint``, several
        ``@coretel.service`` classes). ``OTEL_SERVICE_NAME`` is written only when the name came
        from ``service_name`` or the decorator; otherwise the variables say it already, or
        ``_native.start``'s default name applies.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: empty ``endpoint`` or ``service_name``; a bad ``sampler`` (see
            :func:`parse_sampler`).

    Pure and thread-safe.
    """
    for flag_name, flag in (("traces", traces), ("metrics", metrics), ("logs", logs)):
        if not isinstance(flag, bool):
            raise TypeError(f"{flag_name} must be a bool, not {type(flag).__name__}")
    overlay = {key: value for key, value in environ.items() if key.startswith("OTEL_")}
    warnings: list[str] = []

    if endpoint is not None:
        if not isinstance(endpoint, str):
            raise TypeError(f"endpoint must be a str, not {type(endpoint).__name__}")
        if not endpoint:
            raise ValueError("endpoint must not be empty (omit it to use the OTEL_* variables)")
        overlay["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint

    if sampler is not None:
        sampler_name, sampler_arg = parse_sampler(sampler)
        overlay["OTEL_TRACES_SAMPLER"] = sampler_name
        if sampler_arg is not None:
            overlay["OTEL_TRACES_SAMPLER_ARG"] = sampler_arg

    wanted = {"traces": traces, "metrics": metrics, "logs": logs}
    for signal in SIGNALS:
        upper = signal.upper()
        exporter_variable = f"OTEL_{upper}_EXPORTER"
        if not wanted[signal]:
            overlay[exporter_variable] = "none"
            continue
        signal_endpoint = f"OTEL_EXPORTER_OTLP_{upper}_ENDPOINT"
        if endpoint is not None and _is_set(overlay, signal_endpoint):
            warnings.append(
                f"{signal_endpoint}={overlay[signal_endpoint]!r} wins over "
                f"endpoint={endpoint!r} for {signal}"
            )
        has_endpoint = _is_set(overlay, "OTEL_EXPORTER_OTLP_ENDPOINT") or _is_set(
            overlay, signal_endpoint
        )
        if not has_endpoint and not _is_set(overlay, exporter_variable):
            overlay[exporter_variable] = "none"

    name, source = resolve_service_name(environ, service_name, registered_services)
    if source in ("argument", "decorator", "decorators"):
        overlay["OTEL_SERVICE_NAME"] = name
    if source == "decorators":
        warnings.append(
            "several classes carry @coretel.service ("
            + ", ".join(sorted(set(registered_services)))
            + f"); service.name is {MULTI_SERVICE_NAME!r}: pass service_name= or set "
            "OTEL_SERVICE_NAME to choose one"
        )
    return overlay, warnings
