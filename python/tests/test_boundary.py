"""One trace across the Python/C++ boundary: Python spans, the example's native engine
(coretel._native.demo, examples/python/demo_engine.cc) and Python callbacks it calls, read back
from the in-memory exporter (enable_telemetry(_testing=True)) with their exact parent chains."""

from conftest import run_json

PRELUDE = """
import asyncio, json, threading
import coretel
from coretel import _native
status = coretel.enable_telemetry(service_name="boundary", _testing=True)
def spans():
    out = _native.finished_spans()
    return [{k: s[k] for k in ("name", "trace_id", "span_id", "parent_span_id", "kind", "scope",
                               "status", "attributes", "events", "parent_remote")} for s in out]
"""


def by_name(spans):
    out = {}
    for s in spans:
        out.setdefault(s["name"], []).append(s)
    return out


def test_python_span_is_the_native_parent_and_the_native_span_the_callbacks_parent():
    got = run_json(PRELUDE + """
seen = []
def on_chunk(i):
    seen.append(coretel.get_current_span_context().span_id)
    with coretel.start_as_current_span("python.callback", attributes={"chunk": i}):
        pass
with coretel.start_as_current_span("handle", kind=coretel.SpanKind.SERVER) as span:
    crc, size = _native.demo.process(b"a" * (40 * 1024), on_chunk)
after = coretel.get_current_span_context()
print(json.dumps({"spans": spans(), "seen": seen, "after": after is None, "crc": crc}))
""")
    spans = by_name(got["spans"])
    (handle,) = spans["handle"]
    (process,) = spans["demo.engine.process"]
    chunks = spans["demo.engine.chunk"]
    callbacks = spans["python.callback"]
    assert len(chunks) == 3 and len(callbacks) == 3  # 40 KiB in 16 KiB chunks
    assert {s["trace_id"] for s in got["spans"]} == {handle["trace_id"]}
    assert handle["parent_span_id"] == "" and handle["kind"] == 1
    assert handle["scope"] == "coretel.python"
    assert process["parent_span_id"] == handle["span_id"]
    assert process["scope"] == "demo.engine"
    assert process["attributes"]["demo.payload.size"] == 40 * 1024
    assert process["attributes"]["demo.crc32"] == got["crc"]
    assert [c["parent_span_id"] for c in chunks] == [process["span_id"]] * 3
    # Each callback ran with its chunk's native span as the Python current span.
    assert got["seen"] == [c["span_id"] for c in chunks]
    for callback, chunk in zip(callbacks, chunks):
        assert callback["parent_span_id"] == chunk["span_id"]
        assert callback["attributes"]["chunk"] == chunk["attributes"]["demo.chunk.index"]
    assert got["after"] is True  # the context is reset after the with block


def test_asyncio_tasks_and_threads_each_keep_their_own_current_span():
    got = run_json(PRELUDE + """
async def task(name):
    with coretel.start_as_current_span(name):
        await asyncio.sleep(0.01)  # the other task runs here
        with coretel.start_as_current_span(name + ".child"):
            await asyncio.sleep(0.01)
async def main():
    await asyncio.gather(task("a"), task("b"))
asyncio.run(main())
def in_thread():
    with coretel.start_as_current_span("thread"):
        with coretel.start_as_current_span("thread.child"):
            pass
with coretel.start_as_current_span("main"):
    t = threading.Thread(target=in_thread); t.start(); t.join()
print(json.dumps({"spans": spans()}))
""")
    s = {x["name"]: x for x in got["spans"]}
    assert s["a.child"]["parent_span_id"] == s["a"]["span_id"]
    assert s["b.child"]["parent_span_id"] == s["b"]["span_id"]
    assert s["a"]["parent_span_id"] == "" and s["b"]["parent_span_id"] == ""
    assert s["a"]["trace_id"] != s["b"]["trace_id"]
    # A new thread starts with no current span (contextvars are not inherited by threads).
    assert s["thread"]["parent_span_id"] == ""
    assert s["thread.child"]["parent_span_id"] == s["thread"]["span_id"]


def test_a_context_still_referenced_is_never_reused_for_a_later_span():
    # The extension reuses the ContextVar's Context objects once nothing references them
    # (python/src/context_bridge.cc): one held by Python code, by a contextvars copy (an asyncio
    # task) or across a native callback keeps its span, whatever starts after it.
    got = run_json(PRELUDE + """
from coretel._context import current
held = []
for i in range(40):  # more than the extension keeps for reuse
    with coretel.start_as_current_span(f"s{i}") as span:
        held.append((current.get(), span.context.span_id))
    with coretel.start_as_current_span("after"):
        pass
async def child():
    await asyncio.sleep(0)
    return coretel.get_current_span_context().span_id
async def main():
    with coretel.start_as_current_span("parent") as parent:
        task = asyncio.create_task(child())  # copies the current context
    for _ in range(5):
        with coretel.start_as_current_span("noise"):
            pass
    return parent.context.span_id, await task
parent_id, task_saw = asyncio.run(main())
in_callback = []
def on_chunk(i):
    in_callback.append((current.get(), coretel.get_current_span_context().span_id))
_native.demo.process(b"a" * (40 * 1024), on_chunk)
with coretel.start_as_current_span("later"):
    pass
print(json.dumps({
    "held": [c.span.span_id == span_id for c, span_id in held],
    "distinct": len({id(c) for c, _ in held}),
    "task": [parent_id, task_saw],
    "callbacks": [c.span.span_id == span_id for c, span_id in in_callback],
    "callback_contexts": len({id(c) for c, _ in in_callback}),
}))
""")
    assert got["held"] == [True] * 40
    assert got["distinct"] == 40
    assert got["task"][0] == got["task"][1]
    assert got["callbacks"] == [True] * 3
    assert got["callback_contexts"] == 3


def test_a_context_referenced_only_weakly_dies_with_its_scope():
    got = run_json(PRELUDE + """
import weakref
from coretel._context import current
with coretel.start_as_current_span("weakly") as span:
    weak, weak_id = weakref.ref(current.get()), span.context.span_id
seen = []
for _ in range(3):
    with coretel.start_as_current_span("after"):
        seen.append(None if weak() is None else weak().span.span_id == weak_id)
print(json.dumps({"seen": seen}))
""")
    # Never seen with another span's ids: gone, as any object its last reference let go of.
    assert got["seen"] == [None, None, None]


def test_traced_decorator_covers_sync_and_async_functions_and_records_exceptions():
    got = run_json(PRELUDE + """
@coretel.traced()
def plain(x):
    return x + 1
@coretel.traced(name="named", kind=coretel.SpanKind.CLIENT, attributes={"k": "v"})
async def coroutine():
    await asyncio.sleep(0)
    with coretel.start_as_current_span("inside"):
        pass
    return 7
@coretel.traced()
def fails():
    raise ValueError("bad input")
results = [plain(1), asyncio.run(coroutine())]
try:
    fails()
except ValueError as e:
    results.append(str(e))
print(json.dumps({"spans": spans(), "results": results}))
""")
    s = {x["name"]: x for x in got["spans"]}
    assert got["results"] == [2, 7, "bad input"]
    assert "plain" in [n.rsplit(".", 1)[-1] for n in s]
    assert s["named"]["kind"] == 2 and s["named"]["attributes"] == {"k": "v"}
    assert s["inside"]["parent_span_id"] == s["named"]["span_id"]
    (failed,) = [x for n, x in s.items() if n.endswith("fails")]
    assert failed["status"] == 2
    assert failed["events"] == [{"name": "exception", "attributes": {
        "exception.type": "ValueError", "exception.message": "bad input"}}]


def test_inject_and_extract_carry_the_w3c_headers():
    got = run_json(PRELUDE + """
incoming = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "tracestate": "vendor=x", "baggage": "user=alice"}
ctx = coretel.extract(incoming)
token = coretel.attach(ctx)
try:
    with coretel.start_as_current_span("server", kind=coretel.SpanKind.SERVER) as span:
        outgoing = coretel.inject({})
finally:
    coretel.detach(token)
print(json.dumps({"spans": spans(), "outgoing": outgoing,
                  "remote": ctx.span.is_remote, "baggage": ctx.baggage}))
""")
    (server,) = got["spans"]
    assert server["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert server["parent_span_id"] == "b7ad6b7169203331" and server["parent_remote"] is True
    assert got["remote"] is True and got["baggage"] == {"user": "alice"}
    out = got["outgoing"]
    assert out["traceparent"] == f"00-0af7651916cd43dd8448eb211c80319c-{server['span_id']}-01"
    assert out["tracestate"] == "vendor=x"
    assert out["baggage"] == "user=alice"


def test_before_enable_spans_do_not_record_but_propagate_their_parent():
    got = run_json("""
import json
import coretel
from coretel import _native
parent = coretel.extract({"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
token = coretel.attach(parent)
with coretel.start_as_current_span("not.recorded") as span:
    headers = coretel.inject({})
    recording = span.is_recording
coretel.detach(token)
print(json.dumps({"headers": headers, "recording": recording}))
""")
    assert got["recording"] is False
    assert got["headers"]["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_span_attributes_are_recorded_exactly_and_a_bad_key_fails_at_entry():
    got = run_json(PRELUDE + """
import types
class Odd:
    def __str__(self):
        return "odd"
with coretel.start_as_current_span("typed", attributes={
        "s": "text", "b": True, "i": -7, "f": 0.25, "big": 2**70, "list": [1, 2], "obj": Odd(),
        "demo.chunk.index.long.key": 3}) as span:
    span.set_attribute("later", "set in the body")
tracer = coretel.get_tracer("tests")
tracer.start_span("mapping", attributes=types.MappingProxyType({"k": "v"})).end()
error = None
try:
    with coretel.start_as_current_span("bad", attributes={1: "non-str key"}):
        pass
except TypeError as e:
    error = str(e)
print(json.dumps({"spans": spans(), "error": error}))
""")
    s = by_name(got["spans"])
    assert s["typed"][0]["attributes"] == {
        "s": "text", "b": True, "i": -7, "f": 0.25, "big": str(2**70), "list": "[1, 2]",
        "obj": "odd", "demo.chunk.index.long.key": 3, "later": "set in the body"}
    assert s["mapping"][0]["attributes"] == {"k": "v"}
    assert got["error"] == "an attribute key must be a str"
    assert "bad" not in s  # the span never started


def test_a_scope_misused_raises_exactly_and_its_span_still_ends_once():
    # start_as_current_span(), __enter__ and __exit__ are raw CPython functions
    # (python/src/raw_method.h): C++ errors become the Python exceptions pybind11 would raise,
    # arguments and keywords are checked.
    got = run_json(PRELUDE + """
def error_of(call):
    try:
        call()
    except Exception as e:
        return [type(e).__name__, str(e)]
    return None
scope = coretel.start_as_current_span("once")
out = {"exit_first": error_of(lambda: scope.__exit__(None, None, None))}
with scope as entered:
    out["same"] = entered is scope
    out["again"] = error_of(lambda: scope.__enter__())
    out["two_args"] = error_of(lambda: scope.__exit__(None, None))
out["after"] = error_of(lambda: scope.__exit__(None, None, None))
tracer = coretel.get_tracer("tests")
start = coretel.start_as_current_span
out["two_positional"] = error_of(lambda: start("x", 0))
out["no_name"] = error_of(lambda: start(kind=0))
out["name_twice"] = error_of(lambda: start("x", name="y"))
with start(name="by.keyword"):
    pass
out["unknown_keyword"] = error_of(lambda: start("x", knd=0))
out["bytes_name"] = error_of(lambda: start(b"x"))
out["float_kind"] = error_of(lambda: start("x", kind=1.0))
out["huge_kind"] = error_of(start("x", kind=2**32 + 1).__enter__)
out["huger_kind"] = error_of(start("x", kind=2**70).__enter__)
out["not_a_tracer"] = error_of(lambda: start("x", tracer="tests"))
out["default_tracer"] = coretel.get_tracer(coretel.trace.DEFAULT_SCOPE) is _native.default_tracer()
attributes = {"k": "before"}
made = start("copied", kind=coretel.SpanKind.CLIENT, attributes=attributes, tracer=tracer,
             record_exception=False, set_status_on_exception=False)
attributes["k"] = "after"
try:
    with made:
        raise KeyError("x")
except KeyError:
    pass
finished = spans()
out["spans"] = [s["name"] for s in finished]
c = finished[-1]
out["copied"] = {"attributes": c["attributes"], "kind": c["kind"], "status": c["status"],
                 "events": len(c["events"]), "scope": c["scope"]}
print(json.dumps(out))
""")
    assert got == {
        "exit_first": ["RuntimeError", "__exit__ without __enter__"],
        "same": True,
        "again": ["RuntimeError", "a start_as_current_span() scope can be entered only once"],
        "two_args": ["TypeError", "__exit__() takes 3 arguments (2 given)"],
        "after": ["RuntimeError", "__exit__ without __enter__"],
        "two_positional": [
            "TypeError",
            "start_as_current_span() takes one positional argument, the name (2 given)"],
        "no_name": ["TypeError", "start_as_current_span() missing its argument 'name'"],
        "name_twice": [
            "TypeError", "start_as_current_span() got multiple values for argument 'name'"],
        "unknown_keyword": [
            "TypeError", "start_as_current_span() got an unexpected keyword argument 'knd'"],
        "bytes_name": ["TypeError", "a span name is a str"],
        "float_kind": ["TypeError", "kind is a SpanKind (an int)"],
        "huge_kind": ["ValueError", "kind is 0 to 4 (SpanKind)"],
        "huger_kind": ["ValueError", "kind is 0 to 4 (SpanKind)"],
        "not_a_tracer": ["TypeError", "tracer is a Tracer (get_tracer())"],
        "default_tracer": True,
        "spans": ["once", "by.keyword", "copied"],
        "copied": got["copied"],
    }
    # Copied when made; kind and the two flags by keyword: no exception event, status unset.
    assert got["copied"] == {"attributes": {"k": "before"}, "kind": 2, "status": 0, "events": 0,
                             "scope": "tests"}
