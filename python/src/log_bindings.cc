// log_bindings.cc: Python `logging` records into the native log pipeline (coretel/_logging.py
// maps a LogRecord to these arguments). The record goes to the calling thread's aspect's
// provider (events/provider.h: OTLP, console, or the tests' capture), which copies it into its
// bounded queue and never blocks: a full queue drops it and counts it (dropped_logs()).
#include <pybind11/stl.h>

#include "coretel/events/provider.h"
#include "coretel/events/record.h"
#include "log_capture.h"
#include "module.h"
#include "python_values.h"
#include "runtime.h"

namespace coretel::python {

namespace py = pybind11;

namespace {

void emit_log(int severity_number, std::string_view severity_text, std::string_view body,
              std::string_view scope, py::handle attributes,
              const std::optional<trace::SpanContext>& span, uint64_t time_unix_nano) {
  if (severity_number < 0 || severity_number > 24)
    throw py::value_error("severity_number is 0 to 24 (logs data model)");
  const std::vector<Attribute> owned = pairs_to_attributes(attributes);
  std::vector<AttributeRef> refs;
  refs.reserve(owned.size());
  for (const Attribute& a : owned) refs.push_back({a.key, a.value});
  events::EventRecord record;
  record.time_unix_nano = time_unix_nano;
  record.severity = static_cast<events::Severity>(severity_number);
  record.severity_text = severity_text;
  record.scope = scope;
  record.body = body;
  record.attributes = refs;
  if (span && span->valid()) {
    record.trace.trace_id = span->trace_id.bytes;
    record.trace.span_id = span->span_id.bytes;
    record.trace.flags = span->flags;
  }
  py::gil_scoped_release release;  // a console provider may write
  events::emit_record(record);
}

}  // namespace

void bind_logs(py::module_& m) {
  m.def("emit_log", &emit_log, py::arg("severity_number"), py::arg("severity_text"),
        py::arg("body"), py::arg("scope"), py::arg("attributes"), py::arg("span_context"),
        py::arg("time_ns"));
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
