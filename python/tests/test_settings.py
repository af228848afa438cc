"""Tests of coretel._settings: the precedence of arguments, OTEL_* variables and defaults.

_settings.py is pure and imports nothing from the package, so it is loaded here from its file
without running coretel/__init__.py (which needs the native extension).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_settings() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "coretel" / "_settings.py"
    spec = importlib.util.spec_from_file_location("coretel_settings_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


settings = _load_settings()
resolve_environment = settings.resolve_environment
resolve_service_name = settings.resolve_service_name

NONE_ALL = {
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
}
ACCEPTED = (
    "accepted names: always_on, always_off, traceidratio, parentbased_always_on, "
    "parentbased_always_off, parentbased_traceidratio; the two ratio samplers take a "
    "probability from 0 to 1 after a colon, as in 'traceidratio:0.1'"
)


# --- copying the environment -------------------------------------------------------------


def test_defaults_with_an_empty_environment_turn_every_signal_off() -> None:
    assert resolve_environment({}) == (NONE_ALL, [])


def test_only_otel_variables_are_copied_and_the_input_is_not_modified() -> None:
    environ = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "OTEL_BSP_MAX_QUEUE_SIZE": "512",
        "OTEL_PROPAGATORS": "tracecontext",
        "otel_lowercase": "x",
    }
    before = dict(environ)
    overlay, warnings = resolve_environment(environ)
    assert overlay == {
        "OTEL_BSP_MAX_QUEUE_SIZE": "512",
        "OTEL_PROPAGATORS": "tracecontext",
        **NONE_ALL,
    }
    assert warnings == []
    assert environ == before


def test_keyword_arguments_are_all_accepted_together() -> None:
    overlay, warnings = resolve_environment(
        {},
        traces=True,
        metrics=False,
        logs=True,
        endpoint="http://c:4318",
        service_name="svc",
        sampler="traceidratio:0.5",
        registered_services=("pkg.A",),
    )
    assert overlay == {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
        "OTEL_TRACES_SAMPLER": "traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.5",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_SERVICE_NAME": "svc",
    }
    assert warnings == []


# --- endpoint ------------------------------------------------------------------------------


def test_endpoint_argument_sets_the_generic_endpoint_and_leaves_exporters_unset() -> None:
    assert resolve_environment({}, endpoint="http://collector:4318") == (
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
        [],
    )


def test_endpoint_argument_wins_over_the_generic_variable() -> None:
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318"}
    assert resolve_environment(environ, endpoint="http://arg:4318") == (
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://arg:4318"},
        [],
    )


def test_generic_endpoint_variable_alone_enables_every_signal() -> None:
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318"}
    assert resolve_environment(environ) == ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318"}, [])


@pytest.mark.parametrize("signal", ["TRACES", "METRICS", "LOGS"])
def test_a_signal_endpoint_variable_enables_only_its_signal(signal: str) -> None:
    variable = f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"
    expected = {variable: "http://sig:4318/v1/x", **NONE_ALL}
    del expected[f"OTEL_{signal}_EXPORTER"]
    assert resolve_environment({variable: "http://sig:4318/v1/x"}) == (expected, [])


def test_a_signal_endpoint_variable_wins_over_the_endpoint_argument_with_a_warning() -> None:
    environ = {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/v1/traces",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318",
    }
    overlay, warnings = resolve_environment(environ, endpoint="http://arg:4318")
    assert overlay == {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/v1/traces",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://arg:4318",
    }
    assert warnings == [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT='http://traces:4318/v1/traces' wins over "
        "endpoint='http://arg:4318' for traces"
    ]


def test_no_warning_for_a_signal_endpoint_of_a_signal_turned_off() -> None:
    environ = {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs:4318/v1/logs"}
    overlay, warnings = resolve_environment(environ, endpoint="http://arg:4318", logs=False)
    assert overlay == {
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs:4318/v1/logs",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://arg:4318",
        "OTEL_LOGS_EXPORTER": "none",
    }
    assert warnings == []


def test_a_signal_endpoint_variable_with_the_generic_variable_both_pass_through() -> None:
    environ = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://metrics:4318/v1/metrics",
    }
    assert resolve_environment(environ) == (dict(environ), [])


def test_empty_endpoint_variables_count_as_unset() -> None:
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": ""}
    assert resolve_environment(environ) == ({**environ, **NONE_ALL}, [])


def test_empty_endpoint_argument_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"^endpoint must not be empty"):
        resolve_environment({}, endpoint="")


def test_non_str_endpoint_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^endpoint must be a str, not bytes$"):
        resolve_environment({}, endpoint=b"http://c:4318")


# --- sampler -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "always_on",
        "always_off",
        "traceidratio",
        "parentbased_always_on",
        "parentbased_always_off",
        "parentbased_traceidratio",
    ],
)
def test_every_sampler_name_sets_the_sampler_variable_only(name: str) -> None:
    assert resolve_environment({}, sampler=name) == (
        {"OTEL_TRACES_SAMPLER": name, **NONE_ALL},
        [],
    )


def test_sampler_names_are_case_insensitive_and_trimmed() -> None:
    overlay, _ = resolve_environment({}, sampler="  ParentBased_Always_Off ")
    assert overlay["OTEL_TRACES_SAMPLER"] == "parentbased_always_off"


@pytest.mark.parametrize(
    ("sampler", "name", "arg"),
    [
        ("traceidratio:0.1", "traceidratio", "0.1"),
        ("parentbased_traceidratio:0.25", "parentbased_traceidratio", "0.25"),
        ("traceidratio:0", "traceidratio", "0"),
        ("traceidratio:1", "traceidratio", "1"),
        ("traceidratio:1.0", "traceidratio", "1.0"),
        ("traceidratio:.5", "traceidratio", ".5"),
        ("traceidratio:1e-3", "traceidratio", "1e-3"),
        ("TraceIdRatio: 0.75 ", "traceidratio", "0.75"),
    ],
)
def test_ratio_sampler_with_an_argument_sets_both_variables(
    sampler: str, name: str, arg: str
) -> None:
    assert resolve_environment({}, sampler=sampler) == (
        {"OTEL_TRACES_SAMPLER": name, "OTEL_TRACES_SAMPLER_ARG": arg, **NONE_ALL},
        [],
    )


def test_sampler_argument_wins_over_both_sampler_variables() -> None:
    environ = {"OTEL_TRACES_SAMPLER": "always_off", "OTEL_TRACES_SAMPLER_ARG": "0.9"}
    assert resolve_environment(environ, sampler="parentbased_traceidratio:0.25") == (
        {
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0.25",
            **NONE_ALL,
        },
        [],
    )


def test_sampler_name_without_argument_keeps_the_argument_variable() -> None:
    environ = {"OTEL_TRACES_SAMPLER": "always_on", "OTEL_TRACES_SAMPLER_ARG": "0.3"}
    assert resolve_environment(environ, sampler="traceidratio") == (
        {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.3", **NONE_ALL},
        [],
    )


def test_sampler_variables_pass_through_without_the_argument() -> None:
    environ = {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.3"}
    assert resolve_environment(environ) == ({**environ, **NONE_ALL}, [])


@pytest.mark.parametrize(
    ("sampler", "message"),
    [
        ("sometimes", f"unknown sampler 'sometimes'; {ACCEPTED}"),
        ("", f"unknown sampler ''; {ACCEPTED}"),
        ("jaeger_remote", f"unknown sampler 'jaeger_remote'; {ACCEPTED}"),
        ("ratio:0.5", f"unknown sampler 'ratio:0.5'; {ACCEPTED}"),
        ("always_on:0.5", f"sampler 'always_on:0.5': always_on takes no argument; {ACCEPTED}"),
        (
            "parentbased_always_off:",
            f"sampler 'parentbased_always_off:': parentbased_always_off takes no argument; "
            f"{ACCEPTED}",
        ),
    ],
)
def test_bad_sampler_names_raise_value_error_listing_the_accepted_names(
    sampler: str, message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        resolve_environment({}, sampler=sampler)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "sampler",
    [
        "traceidratio:",
        "traceidratio:1.5",
        "traceidratio:-0.1",
        "traceidratio:+0.1",
        "traceidratio:abc",
        "traceidratio:nan",
        "traceidratio:inf",
        "traceidratio:0_5",
        "traceidratio:0.1:0.2",
        "parentbased_traceidratio:2",
    ],
)
def test_bad_sampler_arguments_raise_value_error_listing_the_accepted_names(sampler: str) -> None:
    with pytest.raises(ValueError) as raised:
        resolve_environment({}, sampler=sampler)
    assert str(raised.value) == (
        f"sampler {sampler!r}: the argument must be a probability from 0 to 1; {ACCEPTED}"
    )


def test_non_str_sampler_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^sampler must be a str, not float$"):
        resolve_environment({}, sampler=0.5)


# --- signals on and off --------------------------------------------------------------------


@pytest.mark.parametrize("signal", ["traces", "metrics", "logs"])
def test_a_signal_argument_false_wins_over_its_exporter_variable(signal: str) -> None:
    variable = f"OTEL_{signal.upper()}_EXPORTER"
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318", variable: "otlp"}
    assert resolve_environment(environ, **{signal: False}) == (
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318", variable: "none"},
        [],
    )


def test_all_signals_off_with_an_endpoint_argument() -> None:
    assert resolve_environment(
        {}, endpoint="http://c:4318", traces=False, metrics=False, logs=False
    ) == ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", **NONE_ALL}, [])


def test_exporter_variables_set_by_the_user_are_kept_without_an_endpoint() -> None:
    environ = {
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "console,otlp",
    }
    assert resolve_environment(environ) == (dict(environ), [])


def test_only_the_unset_exporter_variables_become_none_without_an_endpoint() -> None:
    environ = {"OTEL_TRACES_EXPORTER": "console"}
    assert resolve_environment(environ) == (
        {
            "OTEL_TRACES_EXPORTER": "console",
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
        },
        [],
    )


def test_an_empty_exporter_variable_counts_as_unset() -> None:
    assert resolve_environment({"OTEL_TRACES_EXPORTER": ""}) == (NONE_ALL, [])


def test_exporter_variables_pass_through_with_an_endpoint() -> None:
    environ = {"OTEL_METRICS_EXPORTER": "console"}
    assert resolve_environment(environ, endpoint="http://c:4318") == (
        {"OTEL_METRICS_EXPORTER": "console", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"},
        [],
    )


@pytest.mark.parametrize("value", [1, 0, "false", None])
def test_non_bool_signal_flags_are_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match=r"^metrics must be a bool, not "):
        resolve_environment({}, metrics=value)


# --- service name --------------------------------------------------------------------------

FULL_SERVICE_ENVIRONMENT = {
    "OTEL_SERVICE_NAME": "from-env",
    "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,team=core",
}


def test_service_name_argument_wins_over_everything_and_is_written() -> None:
    overlay, warnings = resolve_environment(
        FULL_SERVICE_ENVIRONMENT, service_name="from-arg", registered_services=("a.A", "b.B")
    )
    assert overlay == {
        "OTEL_SERVICE_NAME": "from-arg",
        "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,team=core",
        **NONE_ALL,
    }
    assert warnings == []
    assert resolve_service_name(FULL_SERVICE_ENVIRONMENT, "from-arg", ("a.A",)) == (
        "from-arg",
        "argument",
    )


def test_otel_service_name_wins_over_resource_attributes_and_decorators() -> None:
    overlay, warnings = resolve_environment(
        FULL_SERVICE_ENVIRONMENT, registered_services=("a.A", "b.B")
    )
    assert overlay == {**FULL_SERVICE_ENVIRONMENT, **NONE_ALL}
    assert warnings == []
    assert resolve_service_name(FULL_SERVICE_ENVIRONMENT, None, ("a.A",)) == (
        "from-env",
        "OTEL_SERVICE_NAME",
    )


def test_resource_attribute_service_name_wins_over_decorators_and_stays_there() -> None:
    environ = {"OTEL_RESOURCE_ATTRIBUTES": "team=core, service.name = from-resource "}
    overlay, warnings = resolve_environment(environ, registered_services=("a.A",))
    assert overlay == {**environ, **NONE_ALL}
    assert warnings == []
    assert resolve_service_name(environ, None, ("a.A",)) == (
        "from-resource",
        "OTEL_RESOURCE_ATTRIBUTES",
    )


def test_an_empty_otel_service_name_counts_as_unset() -> None:
    environ = {"OTEL_SERVICE_NAME": "", "OTEL_RESOURCE_ATTRIBUTES": "service.name=res"}
    assert resolve_service_name(environ, None, ()) == ("res", "OTEL_RESOURCE_ATTRIBUTES")


def test_a_single_decorated_class_names_the_service_in_the_overlay() -> None:
    environ = {"OTEL_RESOURCE_ATTRIBUTES": "team=core"}
    overlay, warnings = resolve_environment(environ, registered_services=("myapp.Server",))
    assert overlay == {
        "OTEL_RESOURCE_ATTRIBUTES": "team=core",
        "OTEL_SERVICE_NAME": "myapp.Server",
        **NONE_ALL,
    }
    assert warnings == []
    assert resolve_service_name(environ, None, ("myapp.Server",)) == ("myapp.Server", "decorator")


def test_the_same_decorated_name_twice_is_one_service() -> None:
    overlay, warnings = resolve_environment({}, registered_services=("myapp.A", "myapp.A"))
    assert overlay == {"OTEL_SERVICE_NAME": "myapp.A", **NONE_ALL}
    assert warnings == []


def test_several_decorated_classes_make_coretel_multi_with_a_warning() -> None:
    overlay, warnings = resolve_environment({}, registered_services=("zeta.Z", "alpha.A"))
    assert overlay == {"OTEL_SERVICE_NAME": "coretel-multi", **NONE_ALL}
    assert warnings == [
        "several classes carry @coretel.service (alpha.A, zeta.Z); service.name is "
        "'coretel-multi': pass service_name= or set OTEL_SERVICE_NAME to choose one"
    ]
    assert resolve_service_name({}, None, ("zeta.Z", "alpha.A")) == ("coretel-multi", "decorators")


def test_no_name_anywhere_is_unknown_service_python_and_not_written() -> None:
    assert resolve_environment({}, registered_services=()) == (NONE_ALL, [])
    assert resolve_service_name({}, None, ()) == ("unknown_service:python", "default")


def test_a_malformed_resource_attributes_variable_is_ignored_for_the_name() -> None:
    # The native reader discards the whole variable, so the decorator's name applies.
    environ = {"OTEL_RESOURCE_ATTRIBUTES": "service.name=res,broken"}
    overlay, _ = resolve_environment(environ, registered_services=("myapp.A",))
    assert overlay == {**environ, "OTEL_SERVICE_NAME": "myapp.A", **NONE_ALL}


def test_empty_service_name_argument_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"^service_name must not be empty$"):
        resolve_environment({}, service_name="")


def test_non_str_service_name_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^service_name must be a str, not int$"):
        resolve_environment({}, service_name=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("service.name=a", "a"),
        (" service.name = a b ,x=y", "a b"),
        ("service.name=first,service.name=last", "last"),
        ("service.name=caf%C3%A9%20bar", "café bar"),
        ("service%2Ename=encoded-key", "encoded-key"),
        (",,service.name=a,,", "a"),
        ("x=y", None),
        ("", None),
        ("service.name=", None),
        ("service.name=a,novalue", None),
        ("service.name=a,=v", None),
        ("service.name=a%2", None),
        ("service.name=a%zz", None),
        ("service.name=a=b", "a=b"),
    ],
)
def test_service_name_from_resource_attributes(text: str, expected: str | None) -> None:
    assert settings.service_name_from_resource_attributes(text) == expected


# --- the decorator's name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "argv0", "spec_name", "expected"),
    [
        ("myapp", "/usr/bin/x", None, "myapp.Server"),
        ("myapp.net.server", "/usr/bin/x", None, "myapp.Server"),
        ("__main__", "/srv/tools/run_me.py", None, "run_me.Server"),
        ("__main__", "run_me", None, "run_me.Server"),
        ("__main__", "/srv/tool.py", "tool.cli.__main__", "tool.Server"),
        ("__main__", "-m", "tool", "tool.Server"),
        ("__main__", "-c", None, "__main__.Server"),
        ("__main__", "", None, "__main__.Server"),
    ],
)
def test_service_name_for_class(
    module: str, argv0: str, spec_name: str | None, expected: str
) -> None:
    assert (
        settings.service_name_for_class(module, "Server", argv0=argv0, main_spec_name=spec_name)
        == expected
    )
