// log_bindings.cc: Python `logging` records into the native log pipeline (coretel/_logging.py
// hands each LogRecord to forward_record()). The record goes to the calling thread's aspect's
// provider (events/provider.h: OTLP, console, or the tests' capture), which copies it into its
// bounded queue and never blocks: a full queue drops it and counts it (dropped_logs()).
#include <pybind11/stl.h>

#include <algorithm>

#include "context_bridge.h"
#include "coretel/events/provider.h"
#include "coretel/events/record.h"
#include "log_capture.h"
#include "module.h"
#include "python_values.h"
#include "runtime.h"

namespace coretel::python {

namespace py = pybind11;

namespace {

// OpenTelemetry Python's std_to_otel (logs data model, "Field: SeverityNumber").
int severity_of(long levelno) {
  if (levelno < 10) return 0;
  if (levelno > 53) return 24;
  return 5 + 4 * static_cast<int>(levelno / 10 - 1) + static_cast<int>(std::min(levelno % 10, 3L));
}

// A `logging.LogRecord` into the calling thread's provider (coretel/_logging.py says what each
// field becomes; `skip`: the keys of record.__dict__ that are not `extra=` fields; `stacktrace`:
// (type, value, traceback) -> exception.stacktrace). In C++ so
// that a record costs one call: the handler's Python version took 3 times as long.
void forward_record(py::handle record, py::handle skip, py::handle stacktrace) {
  std::vector<py::object> keep;  // what the views below read
  keep.reserve(16);
  auto attr = [&](const char* name) -> py::handle {
    keep.push_back(record.attr(name));
    return keep.back();
  };
  const int severity = severity_of(attr("levelno").cast<long>());
  const std::string_view level = utf8(attr("levelname"));
  keep.push_back(record.attr("getMessage")());
  const std::string_view body = PyUnicode_Check(keep.back().ptr()) ? utf8(keep.back()) : "";
  const std::string_view scope = utf8(attr("name"));
  const double created = attr("created").cast<double>();

  std::vector<AttributeRef> refs;
  refs.reserve(16);
  refs.push_back({"code.file.path", attribute_view(attr("pathname"), keep)});
  if (py::handle f = attr("funcName"); !f.is_none())
    refs.push_back({"code.function.name", attribute_view(f, keep)});
  refs.push_back({"code.line.number", attribute_view(attr("lineno"), keep)});
  if (py::handle t = attr("threadName"); !t.is_none())
    refs.push_back({"thread.name", attribute_view(t, keep)});
  if (py::handle t = attr("thread"); !t.is_none())
    refs.push_back({"thread.id", attribute_view(t, keep)});
  if (py::handle exc = attr("exc_info"); PyTuple_Check(exc.ptr()) &&
                                         PyTuple_GET_SIZE(exc.ptr()) == 3 &&
                                         PyTuple_GET_ITEM(exc.ptr(), 0) != Py_None) {
    py::handle type = PyTuple_GET_ITEM(exc.ptr(), 0);
    py::handle value = PyTuple_GET_ITEM(exc.ptr(), 1);
    py::handle traceback = PyTuple_GET_ITEM(exc.ptr(), 2);
    keep.push_back(py::hasattr(type, "__qualname__") ? py::object(type.attr("__qualname__"))
                                                     : py::object(py::str(type)));
    refs.push_back({"exception.type", attribute_view(keep.back(), keep)});
    refs.push_back({"exception.message", attribute_view(value, keep)});
    keep.push_back(stacktrace(type, value, traceback));
    if (PyUnicode_Check(keep.back().ptr()))
      refs.push_back({"exception.stacktrace", utf8(keep.back())});
  }
  // A copy: a value's __str__ (value_of) may change the record's dict, and the views taken of
  // the keys and values before must stay valid.
  PyObject* live = PyObject_GenericGetDict(record.ptr(), nullptr);
  if (live == nullptr) throw py::error_already_set();
  const py::object owner = py::reinterpret_steal<py::object>(live);
  PyObject* dict = PyDict_Copy(live);
  if (dict == nullptr) throw py::error_already_set();
  keep.push_back(py::reinterpret_steal<py::object>(dict));
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  for (Py_ssize_t i = 0; PyDict_Next(dict, &i, &key, &value);) {
    if (!PyUnicode_Check(key)) continue;
    const int skipped = PySet_Contains(skip.ptr(), key);
    if (skipped < 0) throw py::error_already_set();
    if (skipped == 1) continue;
    refs.push_back({utf8(key), attribute_view(value, keep)});
  }

  events::EventRecord out;
  out.time_unix_nano = static_cast<uint64_t>(created * 1e9 + 0.5);
  out.severity = static_cast<events::Severity>(severity);
  out.severity_text = level;
  out.scope = scope;
  out.body = body;
  out.attributes = refs;
  PyObject* current = nullptr;
  if (PyContextVar_Get(python_context_var().ptr(), Py_None, &current) != 0)
    throw py::error_already_set();
  const py::object held = py::reinterpret_steal<py::object>(current);
  if (!held.is_none()) {
    const trace::Context& context = held.cast<const trace::Context&>();
    if (context.span && context.span->valid()) {
      out.trace.trace_id = context.span->trace_id.bytes;
      out.trace.span_id = context.span->span_id.bytes;
      out.trace.flags = context.span->flags;
    }
  }
  events::emit_record(out);
}

}  // namespace

void bind_logs(py::module_& m) {
  m.def("forward_record", &forward_record, py::arg("record"), py::arg("skip"),
        py::arg("stacktrace"),
        "A logging.LogRecord into the native log pipeline (coretel/_logging.py)");
  m.def("emitted_logs", [] {
    py::list out;
    Runtime* rt = Runtime::current();
    if (rt == nullptr || rt->log_capture() == nullptr) return out;
    for (const CapturedLog& r : rt->log_capture()->take()) {
      py::dict d;
      d["time_ns"] = r.time_unix_nano;
      d["severity_number"] = r.severity_number;
      d["severity_text"] = r.severity_text;
      d["name"] = r.name;
      d["scope"] = r.scope;
      d["body"] = r.body;
      d["attributes"] = to_python(r.attributes);
      const bool traced = r.trace.valid();
      d["trace_id"] = traced ? trace::TraceId{r.trace.trace_id}.hex() : std::string();
      d["span_id"] = traced ? trace::SpanId{r.trace.span_id}.hex() : std::string();
      out.append(d);
    }
    return out;
  });
  m.def("dropped_logs", [] {
    uint64_t total = 0;
    for (auto aspect : {events::Aspect::kEngine, events::Aspect::kAdmin, events::Aspect::kGlobal})
      for (auto reason : {events::DropReason::kQueueFull, events::DropReason::kShutdown,
                          events::DropReason::kExportFailed})
        total += events::dropped_events(aspect, reason);
    return total;
  });
}

}  // namespace coretel::python
