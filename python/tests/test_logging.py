"""The `logging` handler: each record forwarded into the native log pipeline exactly as the
OpenTelemetry Python mapping says (severity per std_to_otel, SeverityText the level name, the
formatted message as body, the logger as scope), with code, thread, exception and `extra`
attributes and the current span's ids; read back from the tests' capture
(enable_telemetry(_testing=True))."""

import textwrap

from conftest import run_json

PRELUDE = """
import json, logging, sys
import coretel
from coretel import _native
status = coretel.enable_telemetry(service_name="logs", log_level=logging.DEBUG, _testing=True)
def records():
    return [r for r in _native.emitted_logs() if r["scope"] != "demo.engine"]
"""


def test_severity_follows_the_opentelemetry_python_mapping():
    got = run_json(PRELUDE + """
log = logging.getLogger("app.levels")
log.setLevel(1)
for level in (5, 10, 11, 12, 15, 20, 21, 22, 25, 30, 31, 32, 35, 40, 41, 45, 50, 51, 52, 53, 60):
    log.log(level, "at %d", level)
print(json.dumps([(r["body"], r["severity_number"], r["severity_text"]) for r in records()]))
""")
    # The handler is at DEBUG (10): level 5 is not forwarded.
    assert got == [
        ["at 10", 5, "DEBUG"], ["at 11", 6, "Level 11"], ["at 12", 7, "Level 12"],
        ["at 15", 8, "Level 15"], ["at 20", 9, "INFO"], ["at 21", 10, "Level 21"],
        ["at 22", 11, "Level 22"], ["at 25", 12, "Level 25"], ["at 30", 13, "WARNING"],
        ["at 31", 14, "Level 31"], ["at 32", 15, "Level 32"], ["at 35", 16, "Level 35"],
        ["at 40", 17, "ERROR"], ["at 41", 18, "Level 41"], ["at 45", 20, "Level 45"],
        ["at 50", 21, "CRITICAL"], ["at 51", 22, "Level 51"], ["at 52", 23, "Level 52"],
        ["at 53", 24, "Level 53"], ["at 60", 24, "Level 60"]]


def test_a_record_carries_its_code_thread_extra_and_exception_attributes():
    got = run_json(PRELUDE + """
log = logging.getLogger("app.orders")
def place_order():
    try:
        raise KeyError("sku-1")
    except KeyError:
        log.exception("order %s failed", 42, extra={"order.id": 42, "customer": "c-7",
                                                    "ratio": 0.5, "vip": True, "tags": ["a"]})
place_order()
(r,) = records()
r["line_expected"] = place_order.__code__.co_firstlineno + 4
print(json.dumps(r))
""")
    assert got["body"] == "order 42 failed"
    assert got["scope"] == "app.orders"
    assert got["severity_number"] == 17 and got["severity_text"] == "ERROR"
    a = got["attributes"]
    assert a["code.function.name"] == "place_order"
    assert a["code.file.path"] == "<string>"
    assert a["code.line.number"] == got["line_expected"]
    assert a["thread.name"] == "MainThread" and isinstance(a["thread.id"], int)
    assert a["exception.type"] == "KeyError"
    assert a["exception.message"] == "'sku-1'"
    assert a["exception.stacktrace"].startswith("Traceback (most recent call last):")
    assert a["order.id"] == 42 and a["customer"] == "c-7" and a["ratio"] == 0.5
    assert a["vip"] is True and a["tags"] == "['a']"
    assert got["trace_id"] == "" and got["span_id"] == ""


def test_a_record_inside_a_span_carries_its_trace_and_span_ids():
    got = run_json(PRELUDE + """
with coretel.start_as_current_span("work") as span:
    logging.getLogger("app").warning("inside")
    ids = [span.context.trace_id, span.context.span_id]
logging.getLogger("app").warning("outside")
print(json.dumps({"records": records(), "ids": ids}))
""")
    inside, outside = got["records"]
    assert [inside["trace_id"], inside["span_id"]] == got["ids"]
    assert outside["trace_id"] == "" and outside["span_id"] == ""


def test_the_level_filters_and_the_handler_never_raises_into_user_code():
    got = run_json("""
import json, logging
import coretel
from coretel import _native
coretel.enable_telemetry(service_name="logs", log_level=logging.WARNING, _testing=True)
class Hostile:
    def __str__(self):
        raise RuntimeError("no text")
log = logging.getLogger("app")
log.info("below the level")
log.warning("kept %s", "yes")
log.warning("bad extra", extra={"hostile": Hostile()})
log.warning("bad args %d", "not a number")
logging.getLogger("coretel").warning("the package's own record")
from coretel._logging import dropped_records
print(json.dumps({"bodies": [r["body"] for r in _native.emitted_logs()],
                  "dropped": dropped_records()}))
""")
    # "bad args" cannot be formatted: the handler drops it (counted) and user code goes on; the
    # hostile extra becomes a placeholder, never an exception; coretel's own records stay out.
    assert got["bodies"] == ["kept yes", "bad extra"]
    assert got["dropped"] == 1


def test_the_stacktrace_is_python_s_own_text_without_the_caret_lines(tmp_path):
    # In a real file, so that the frames have source lines (and Python its ^ lines).
    (tmp_path / "failing.py").write_text(textwrap.dedent("""
        import sys
        def inner():
            return {}["missing"]
        def outer():
            try:
                inner()
            except KeyError as e:
                raise ValueError("wrapped") from e
        def handled():
            try:
                outer()
            except ValueError:
                try:
                    1 / 0
                except ZeroDivisionError:
                    return sys.exc_info()
        """))
    got = run_json(PRELUDE + f"""
import traceback
sys.path.insert(0, {str(tmp_path)!r})
import failing
from coretel._logging import stacktrace
info = failing.handled()
print(json.dumps({{"ours": stacktrace(*info), "python": "".join(traceback.format_exception(*info))}}))
""")
    # Python 3.11 marks a frame's failing expression with a line of ^ (and ~) under its source.
    carets = [line for line in got["python"].splitlines(keepends=True)
              if line.strip() and not set(line.strip()) - set("^~")]
    assert carets, "the test needs frames that Python marks"
    assert got["ours"] == "".join(line for line in got["python"].splitlines(keepends=True)
                                  if line not in carets)
    assert 'in inner\n    return {}["missing"]\n' in got["ours"]
    assert "The above exception was the direct cause" in got["ours"]
    assert "During handling of the above exception" in got["ours"]
    assert got["ours"].endswith("ZeroDivisionError: division by zero\n")
