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


def test_the_stacktrace_reads_source_lines_as_linecache_getline_does(tmp_path):
    # The native stacktrace() reads a line from linecache.cache when the file's lines are there
    # (getline's own first step, with no check of the file) and calls linecache.getline
    # otherwise: the same line getline gives, from a file read now or from a cached entry.
    got = run_json(PRELUDE + f"""
import linecache
from coretel._logging import stacktrace
source = "def boom():\\n    raise KeyError('k')\\n"
def frames_of(filename):
    scope = {{}}
    exec(compile(source, filename, "exec"), scope)
    try:
        scope["boom"]()
    except KeyError:
        return sys.exc_info()
out = {{}}
on_disk = {str(tmp_path / "on_disk.py")!r}
open(on_disk, "w").write(source)
linecache.clearcache()
out["read_now"] = stacktrace(*frames_of(on_disk))
out["cached_now"] = on_disk in linecache.cache
# A cached entry is what both read, even when the file says otherwise (getline does not check).
linecache.cache[on_disk] = (1, None, ["cached line 1\\n", "  cached line 2  \\n", "cached line 3\\n"],
                            on_disk)
out["from_cache"] = stacktrace(*frames_of(on_disk))
out["getline"] = linecache.getline(on_disk, 2)
# Line numbers past the cached lines: no source line.
linecache.cache[on_disk] = (1, None, ["only one\\n"], on_disk)
out["short"] = stacktrace(*frames_of(on_disk))
print(json.dumps(out))
""")
    assert got["read_now"].endswith(
        'in boom\n    raise KeyError(\'k\')\nKeyError: \'k\'\n')
    assert got["cached_now"] is True
    assert got["getline"] == "  cached line 2  \n"
    assert got["from_cache"].endswith("in boom\n    cached line 2\nKeyError: 'k'\n")
    assert got["short"].endswith("line 2, in boom\nKeyError: 'k'\n")


def without_frame_carets(text):
    """`text` without the ^/~ lines under a frame's source line ("  File ..., in f" then the
    source, then the carets); a SyntaxError's own caret line ("  File ..., line N" without
    ", in") is part of its message and stays."""
    lines = text.splitlines(keepends=True)
    return "".join(line for i, line in enumerate(lines)
                   if not (i >= 2 and line.strip() and not set(line.strip()) - set("^~")
                           and lines[i - 2].startswith('  File "') and ", in " in lines[i - 2]))


def test_the_stacktrace_matches_python_for_every_shape_of_exception(tmp_path):
    # The native stacktrace() against traceback.format_exception() (without its ^ lines) on the
    # shapes its last line takes: a module-qualified class, an empty or failing str(), notes, a
    # SyntaxError (with its caret line), a suppressed context, an exception without traceback.
    (tmp_path / "shapes.py").write_text(textwrap.dedent("""
        import sys
        class AppError(Exception):
            pass
        class Mute(Exception):
            def __str__(self):
                raise RuntimeError("no text")
        def raised(make):
            try:
                make()
            except BaseException:
                return sys.exc_info()
        def app(): raise AppError("bad order")
        def empty(): raise KeyError()
        def mute(): raise Mute("hidden")
        def noted():
            e = ValueError("with notes")
            e.add_note("first note")
            e.add_note("second\\nnote")
            raise e
        def syntax(): compile("x = (1,", "<input>", "exec")
        def suppressed():
            try:
                raise KeyError("inner")
            except KeyError:
                raise ValueError("outer") from None
        def context_cycle():
            a = ValueError("a")
            b = TypeError("b")
            a.__context__ = b
            b.__context__ = a
            raise a
        """))
    got = run_json(PRELUDE + f"""
import traceback
sys.path.insert(0, {str(tmp_path)!r})
import shapes
from coretel._logging import stacktrace
out = {{}}
for name in ("app", "empty", "mute", "noted", "syntax", "suppressed", "context_cycle"):
    info = shapes.raised(getattr(shapes, name))
    out[name] = {{"ours": stacktrace(*info), "python": "".join(traceback.format_exception(*info))}}
bare = KeyError("never raised")
out["bare"] = {{"ours": stacktrace(KeyError, bare, None),
               "python": "".join(traceback.format_exception(KeyError, bare, None))}}
print(json.dumps(out))
""")
    for name, texts in got.items():
        assert texts["ours"] == without_frame_carets(texts["python"]), name
    assert got["app"]["ours"].endswith("shapes.AppError: bad order\n")
    assert got["empty"]["ours"].endswith("\nKeyError\n")
    assert got["mute"]["ours"].endswith("shapes.Mute: <exception str() failed>\n")
    assert got["noted"]["ours"].endswith("ValueError: with notes\nfirst note\nsecond\nnote\n")
    assert "SyntaxError: '(' was never closed\n" in got["syntax"]["ours"]
    assert "During handling" not in got["suppressed"]["ours"]
    assert got["bare"]["ours"] == "KeyError: 'never raised'\n"


def test_the_handler_s_filters_apply_and_a_record_logged_while_forwarding_is_dropped():
    got = run_json(PRELUDE + """
from coretel._logging import TelemetryHandler, dropped_records
(handler,) = [h for h in logging.getLogger().handlers if isinstance(h, TelemetryHandler)]
log = logging.getLogger("app")
handler.addFilter(lambda r: "secret" not in r.getMessage())
log.warning("public")
log.warning("a secret")
class Chatty:
    def __str__(self):
        log.warning("logged from __str__")  # while the handler forwards the outer record
        return "chatty"
log.warning("outer", extra={"value": Chatty()})
handler.filters.clear()
log.warning("a secret, unfiltered")
print(json.dumps({"bodies": [r["body"] for r in records()], "dropped": dropped_records()}))
""")
    assert got["bodies"] == ["public", "outer", "a secret, unfiltered"]
    assert got["dropped"] == 1  # the record from __str__, not recursed into


def test_handle_answers_as_logging_handler_handle_and_a_raising_filter_propagates():
    # handle() and emit() are plain CPython methods (python/src/raw_method.h): the same answers
    # and the same exceptions as logging.Handler's, the record by position or by keyword.
    got = run_json(PRELUDE + """
from coretel._logging import TelemetryHandler
(handler,) = [h for h in logging.getLogger().handlers if isinstance(h, TelemetryHandler)]
make = lambda msg: logging.LogRecord("app", logging.WARNING, "app.py", 1, msg, None, None)
out = {"passed": handler.handle(make("kept"))}
handler.addFilter(lambda r: False)
out["rejected"] = handler.handle(make("filtered out"))
handler.filters.clear()
def broken(record):
    raise ValueError("the filter broke")
handler.addFilter(broken)
try:
    logging.getLogger("app").warning("never forwarded")
except ValueError as e:
    out["raised"] = str(e)
handler.filters.clear()
out["keyword"] = handler.handle(record=make("by keyword"))
for bad in [lambda: handler.handle(), lambda: handler.handle(make("a"), make("b")),
            lambda: handler._forwarder.emit(message=make("c"))]:
    try:
        bad()
    except TypeError as e:
        out.setdefault("errors", []).append(str(e))
out["emitted"] = handler._forwarder.emit(make("emitted"))
out["bodies"] = [r["body"] for r in records()]
print(json.dumps(out))
""")
    assert got == {"passed": True, "rejected": False, "raised": "the filter broke",
                   "keyword": True, "errors": ["handle() takes one argument, record"] * 2
                   + ["emit() takes one argument, record"],
                   "emitted": None, "bodies": ["kept", "by keyword", "emitted"]}


def test_the_body_is_get_message_for_plain_records_and_for_a_record_factory_s():
    got = run_json(PRELUDE + """
log = logging.getLogger("app")
log.warning("mapping %(user)s", {"user": "ada"})
log.warning(12345)
log.warning("percent %% kept, no args")
class Record(logging.LogRecord):
    def getMessage(self):
        return "custom: " + super().getMessage()
logging.setLogRecordFactory(Record)
log.warning("via %s", "factory")
print(json.dumps([r["body"] for r in records()]))
""")
    # No args: the message is str(msg) as is (no % formatting), as LogRecord.getMessage() does.
    assert got == ["mapping ada", "12345", "percent %% kept, no args", "custom: via factory"]


def test_a_field_moved_in_the_record_s_dict_is_still_read_as_that_field():
    # The forwarder finds LogRecord's own fields at the places LogRecord.__init__ gives them in
    # the record's __dict__; a field found elsewhere (deleted and set again by a filter, or after
    # a subclass's own attributes) is read by name, and never forwarded as an `extra=` field.
    got = run_json(PRELUDE + """
from coretel._logging import TelemetryHandler
(handler,) = [h for h in logging.getLogger().handlers if isinstance(h, TelemetryHandler)]
def move(record):
    if record.msg == "moved":
        del record.lineno, record.args
        record.lineno, record.args = 7, ("again",)
        record.msg = "moved %s"
    return True
handler.addFilter(move)
log = logging.getLogger("app")
log.warning("moved", extra={"kept": 1})
handler.removeFilter(move)
class Early(logging.LogRecord):
    def __init__(self, *args, **kwargs):
        self.early = "set before LogRecord.__init__"
        super().__init__(*args, **kwargs)
logging.setLogRecordFactory(Early)
log.error("shifted %d", 3, extra={"kept": 2})
print(json.dumps([{"body": r["body"], "severity": r["severity_text"], "attributes": r["attributes"]}
                  for r in records()]))
""")
    moved, shifted = got
    assert moved["body"] == "moved again" and moved["severity"] == "WARNING"
    assert moved["attributes"]["code.line.number"] == 7
    assert shifted["body"] == "shifted 3" and shifted["severity"] == "ERROR"
    for record, kept in ((moved, 1), (shifted, 2)):
        a = record["attributes"]
        assert a["kept"] == kept and a["thread.name"] == "MainThread"
        assert a["code.function.name"] == "<module>" and a["code.file.path"] == "<string>"
        assert not {"lineno", "args", "msg", "levelname", "exc_info"} & set(a)
    assert shifted["attributes"]["early"] == "set before LogRecord.__init__"
