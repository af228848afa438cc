// trace_bindings.cc: spans for Python (coretel/trace.py is the public API over these).
//
// Span: a native trace::Span started by the running runtime's TracerProvider. Before
// enable_telemetry() (or after shutdown()) a span is not recording and carries its parent's
// span context, as the API without an SDK does (trace/api.md, "Behavior of the API in the
// absence of an installed SDK"), so context still propagates.
#include <array>

#include <pybind11/stl.h>

#include "context_bridge.h"
#include "coretel/trace/propagation.h"
#include "instance_of.h"
#include "module.h"
#include "python_values.h"
#include "raw_method.h"
#include "runtime.h"

namespace coretel::python {

namespace py = pybind11;
namespace tr = coretel::trace;

namespace {

struct PySpan {
  tr::Span span;
  tr::SpanContext context;  // span.context(), or the parent's when there is no runtime
};

// A Python Tracer: its scope, and the running runtime's Tracer of that scope, looked up again
// when the runtime changed (enable_telemetry() after shutdown(), or in a forked child). Read and
// written with the GIL held.
struct PyTracer {
  std::string scope;
  Runtime* runtime = nullptr;
  std::optional<tr::Tracer> tracer;

  const tr::Tracer* get(Runtime* rt) {
    if (rt == nullptr) return nullptr;
    if (rt != runtime || !tracer) {
      tracer.emplace(rt->tracer(scope));
      runtime = rt;
    }
    return &*tracer;
  }
};

// `parent` nullptr: a root span. Without a runtime the span does not record and carries the
// parent's span context.
PySpan start_span(PyTracer& tracer, std::string_view name, int kind, py::handle attributes,
                  const tr::Context* parent, uint64_t start_time_unix_nano) {
  if (kind < 0 || kind > 4) throw py::value_error("kind is 0 to 4 (SpanKind)");
  const tr::Tracer* native = tracer.get(Runtime::current());
  if (native == nullptr) {
    PySpan out;
    if (parent != nullptr && parent->span) out.context = *parent->span;
    return out;
  }
  py::object as_dict;  // a Mapping that is not a dict, copied into one
  if (!attributes.is_none() && !PyDict_Check(attributes.ptr())) {
    as_dict = py::dict(py::reinterpret_borrow<py::object>(attributes));
    attributes = as_dict;
  }
  if (!attributes.is_none()) {
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    for (Py_ssize_t i = 0; PyDict_Next(attributes.ptr(), &i, &key, &value);)
      if (!PyUnicode_Check(key)) throw py::type_error("an attribute key must be a str");
  }
  static const tr::Context root;
  // The attributes are set after the start, from views of the Python values: no copy on the
  // way (the samplers do not read a span's attributes).
  tr::StartOptions options{.kind = static_cast<tr::SpanKind>(kind),
                           .parent = parent != nullptr ? parent : &root,
                           .attributes = {},
                           .links = {},
                           .start_time_unix_nano = start_time_unix_nano};
  PySpan out{native->start_span(name, std::move(options)), {}};
  out.context = out.span.context();
  if (out.span.is_recording() && !attributes.is_none()) {
    boost::container::small_vector<py::object, 2> keep;
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    for (Py_ssize_t i = 0; PyDict_Next(attributes.ptr(), &i, &key, &value);) {
      // Held: a value's __str__ (attribute_view) may change the dict.
      const auto k = py::reinterpret_borrow<py::object>(key);
      const auto v = py::reinterpret_borrow<py::object>(value);
      keep.clear();
      const AttributeValueRef view = attribute_view(v, keep);
      if (PyUnicode_Check(k.ptr())) out.span.set_attribute(utf8(k), view);
    }
  }
  return out;
}

// `with start_as_current_span(...)`: the span starts on entry with the Python current context as
// its parent and becomes current (with the parent's baggage) for the body; on exit an exception
// is recorded (trace/api.md, "Record Exception": an `exception` event, and status error with
// "<Type>: <message>"), the span ends and the previous context is current again. In C++ so
// that a span costs two calls from Python, not a Python frame per step. The scope is the span
// itself (a Span subclass): `__enter__` returns it, no second object is made.
class SpanScope : public PySpan {
 public:
  SpanScope(PyTracer& tracer, py::object tracer_object, std::string name, int kind,
            py::object attributes, bool record_exception, bool set_status_on_exception)
      : tracer_object_(std::move(tracer_object)),
        tracer_(&tracer),
        name_(std::move(name)),
        kind_(kind),
        attributes_(std::move(attributes)),
        record_exception_(record_exception),
        set_status_on_exception_(set_status_on_exception) {}

  void enter() {
    if (entered_)
      throw std::runtime_error("a start_as_current_span() scope can be entered only once");
    entered_ = true;
    PyObject* current = nullptr;
    if (PyContextVar_Get(python_context_var().ptr(), Py_None, &current) != 0)
      throw py::error_already_set();
    const py::object held = py::reinterpret_steal<py::object>(current);
    const tr::Context* parent = held.is_none() ? nullptr : &instance_of<tr::Context>(held);
    const bool running = Runtime::current() != nullptr;
    static_cast<PySpan&>(*this) = start_span(*tracer_, name_, kind_, attributes_, parent, 0);
    attributes_ = py::none();
    // Without a runtime the span carries its parent's context: the current one stays.
    if (running) {
      tr::Context next;
      if (context.valid()) next.span = context;
      if (parent != nullptr) next.baggage = parent->baggage;
      token_ = detail::set_python_context(next);
    }
  }

  bool exit(const py::handle& type, const py::handle& value) {
    if (!entered_ || exited_) throw std::runtime_error("__exit__ without __enter__");
    exited_ = true;
    const bool failed =
        !value.is_none() && !PyErr_GivenExceptionMatches(type.ptr(), PyExc_GeneratorExit);
    if (failed && span.is_recording()) {
      const std::string type_name = py::str(type.attr("__qualname__"));
      std::string message;
      try {
        message = py::str(value);
      } catch (const py::error_already_set&) {
        message = "<unprintable " + type_name + ">";
      }
      if (record_exception_) span.record_exception(type_name, message);
      if (set_status_on_exception_)
        span.set_status(tr::StatusCode::kError, type_name + ": " + message);
    }
    span.end();
    if (token_) detail::reset_python_context(token_);
    return false;  // the exception, if any, propagates
  }

 private:
  py::object tracer_object_;  // keeps tracer_ alive
  PyTracer* tracer_;
  std::string name_;
  int kind_;
  py::object attributes_;
  bool record_exception_;
  bool set_status_on_exception_;
  bool entered_ = false;
  bool exited_ = false;
  py::object token_;  // null when the current context was left as it was
};

// SpanScope's __enter__ and __exit__, raw (raw_method.h): two calls a span from Python.
PyObject* scope_enter_raw(PyObject* self, PyObject* /*unused*/) {
  return translating_exceptions([self] {
    instance_of<SpanScope>(self).enter();
    return Py_NewRef(self);
  });
}

PyObject* scope_exit_raw(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  return translating_exceptions([&]() -> PyObject* {
    if (nargs != 3) {
      PyErr_Format(PyExc_TypeError, "__exit__() takes 3 arguments (%zd given)", nargs);
      return nullptr;
    }
    return Py_NewRef(instance_of<SpanScope>(self).exit(args[0], args[1]) ? Py_True : Py_False);
  });
}

// The tracer of the "coretel.python" scope (_native.default_tracer(); trace.get_tracer() hands
// out this object for that scope): made at the first call, kept to the end of the process (a
// leaked reference: no decref after the interpreter is finalized).
PyObject* default_tracer() {
  static PyObject* tracer =
      py::cast(PyTracer{"coretel.python", nullptr, std::nullopt}).release().ptr();
  return tracer;
}

// The parameters of start_as_current_span(), in order (the name may be passed by position).
constexpr std::array<const char*, 6> kScopeKeywords = {
    "name", "kind", "attributes", "tracer", "record_exception", "set_status_on_exception"};

// Which of kScopeKeywords `key` is (interned once; compared by pointer first, as CPython passes
// the interned names of a call's keywords), or -1.
int scope_keyword(PyObject* key) {
  static const std::array<PyObject*, kScopeKeywords.size()> names = [] {
    std::array<PyObject*, kScopeKeywords.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = PyUnicode_InternFromString(kScopeKeywords[i]);  // leaked, as default_tracer()
      if (out[i] == nullptr) throw py::error_already_set();
    }
    return out;
  }();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (key == names[i]) return static_cast<int>(i);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (PyUnicode_Check(key) && PyUnicode_Compare(key, names[i]) == 0) return static_cast<int>(i);
  return -1;
}

// start_as_current_span(name, *, kind=0, attributes=None, tracer=None, record_exception=True,
// set_status_on_exception=True) -> SpanScope: the public function itself (trace.py exports it),
// one CPython call with no Python frame. The attributes are copied into a dict here (a Mapping
// changed before __enter__ does not change the span); an empty one is None.
// Errors: TypeError for a missing or non-str name, a second positional argument, an unknown or
// repeated keyword, a tracer that
// is not a Tracer or a kind that is not an int; a kind outside SpanKind is refused at __enter__
// (ValueError), as a bad attribute is.
PyObject* start_as_current_span_raw(PyObject* /*module*/, PyObject* const* args, Py_ssize_t nargs,
                                    PyObject* kwnames) {
  return translating_exceptions([&]() -> PyObject* {
    if (nargs > 1) {
      PyErr_Format(PyExc_TypeError,
                   "start_as_current_span() takes one positional argument, the name (%zd given)",
                   nargs);
      return nullptr;
    }
    std::array<PyObject*, kScopeKeywords.size()> given{};  // borrowed; nullptr: the default
    if (nargs == 1) given[0] = args[0];
    const Py_ssize_t keywords = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t i = 0; i < keywords; ++i) {
      PyObject* key = PyTuple_GET_ITEM(kwnames, i);
      const int k = scope_keyword(key);
      if (k < 0 || given[static_cast<std::size_t>(k)] != nullptr) {
        PyErr_Format(PyExc_TypeError,
                     k < 0 ? "start_as_current_span() got an unexpected keyword argument '%U'"
                           : "start_as_current_span() got multiple values for argument '%U'",
                     key);
        return nullptr;
      }
      given[static_cast<std::size_t>(k)] = args[nargs + i];
    }
    if (given[0] == nullptr) {
      PyErr_SetString(PyExc_TypeError, "start_as_current_span() missing its argument 'name'");
      return nullptr;
    }
    if (!PyUnicode_Check(given[0])) throw py::type_error("a span name is a str");
    long kind = 0;
    if (given[1] != nullptr) {
      if (!PyLong_Check(given[1])) throw py::type_error("kind is a SpanKind (an int)");
      kind = PyLong_AsLong(given[1]);
      if (kind == -1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) throw py::error_already_set();
        PyErr_Clear();
      }
      if (kind < 0 || kind > 4)
        kind = -1;  // not a SpanKind, even cut to an int: enter() refuses it
    }
    py::object attributes = py::none();
    if (PyObject* a = given[2]; a != nullptr && a != Py_None) {
      const int nonempty = PyObject_IsTrue(a);
      if (nonempty < 0) throw py::error_already_set();
      if (nonempty != 0) {
        PyObject* copy = PyDict_Check(a)
                             ? PyDict_Copy(a)
                             : PyObject_CallOneArg(reinterpret_cast<PyObject*>(&PyDict_Type), a);
        if (copy == nullptr) throw py::error_already_set();
        attributes = py::reinterpret_steal<py::object>(copy);
      }
    }
    const py::handle tracer =
        given[3] != nullptr && given[3] != Py_None ? given[3] : default_tracer();
    if (tracer.ptr() != default_tracer() && !py::isinstance<PyTracer>(tracer))
      throw py::type_error("tracer is a Tracer (get_tracer())");
    PyTracer& native = instance_of<PyTracer>(tracer);
    int flags[2] = {1, 1};  // record_exception, set_status_on_exception
    for (std::size_t i = 0; i < 2; ++i) {
      if (given[4 + i] == nullptr) continue;
      flags[i] = PyObject_IsTrue(given[4 + i]);
      if (flags[i] < 0) throw py::error_already_set();
    }
    return adopt_instance(
               std::make_unique<SpanScope>(native, py::reinterpret_borrow<py::object>(tracer),
                                           std::string(utf8(given[0])), static_cast<int>(kind),
                                           std::move(attributes), flags[0] != 0, flags[1] != 0))
        .release()
        .ptr();
  });
}

PyMethodDef start_as_current_span_def{
    "start_as_current_span", fastcall(start_as_current_span_raw), METH_FASTCALL | METH_KEYWORDS,
    "start_as_current_span(name, *, kind=0, attributes=None, tracer=None,\n"
    "                      record_exception=True, set_status_on_exception=True)\n--\n\n"
    "A context manager that runs its body inside a new span, made current.\n\n"
    "``with coretel.start_as_current_span(\"work\") as span:`` starts a span whose parent is the\n"
    "current context (none: a root span), makes it current for the body (with the parent's\n"
    "baggage), and ends it on exit. An exception from the body is recorded as an ``exception``\n"
    "event (``record_exception``) and sets status ERROR with ``\"<Type>: <message>\"``\n"
    "(``set_status_on_exception``), then propagates unchanged (trace/api.md, \"Record\n"
    "Exception\").\n\n"
    "Args:\n"
    "    name: span name (str).\n"
    "    kind: a SpanKind.\n"
    "    attributes: a Mapping of str to str, bool, int (within int64) or float; any other value\n"
    "        (a list, an int beyond int64) is recorded as its ``str()`` (the native attributes\n"
    "        are scalars). Copied when the scope is made.\n"
    "    tracer: from get_tracer(); default the \"coretel.python\" scope.\n\n"
    "The ``as`` target is the native Span (``set_attribute``, ``add_event``, ...).\n"
    "Errors: TypeError for a non-str name, an unknown keyword, a kind that is not an int; at\n"
    "``with`` entry, ValueError for a kind outside SpanKind and what a bad attribute raises\n"
    "(TypeError/ValueError). Single use: entering the same object twice is a RuntimeError.\n"
    "Thread-safe: the current context is per thread and per asyncio task (contextvars)."};
PyMethodDef scope_enter{"__enter__", scope_enter_raw, METH_NOARGS,
                        "Starts the span and makes it current; returns it."};
PyMethodDef scope_exit{"__exit__", fastcall(scope_exit_raw), METH_FASTCALL,
                       "Records an exception (if any), ends the span, and makes the previous "
                       "context current again; returns False."};

py::dict span_dict(const tr::SpanData& s) {
  py::dict d;
  d["name"] = s.name;
  d["trace_id"] = s.context.trace_id.hex();
  d["span_id"] = s.context.span_id.hex();
  d["parent_span_id"] = s.parent_span_id.valid() ? s.parent_span_id.hex() : std::string();
  d["parent_remote"] = s.parent_remote;
  d["kind"] = static_cast<int>(s.kind);
  d["status"] = static_cast<int>(s.status);
  d["status_description"] = s.status_description;
  d["scope"] = s.scope;
  d["start_time_unix_nano"] = s.start_time_unix_nano;
  d["end_time_unix_nano"] = s.end_time_unix_nano;
  d["attributes"] = to_python(s.attributes);
  py::list events;
  for (const tr::SpanEvent& e : s.events) {
    py::dict event;
    event["name"] = e.name;
    event["attributes"] = to_python(e.attributes);
    events.append(event);
  }
  d["events"] = events;
  return d;
}

}  // namespace

void bind_trace(py::module_& m) {
  py::class_<tr::SpanContext>(m, "SpanContext", "A span's propagating part (immutable)")
      .def_property_readonly("trace_id", [](const tr::SpanContext& c) { return c.trace_id.hex(); })
      .def_property_readonly("span_id", [](const tr::SpanContext& c) { return c.span_id.hex(); })
      .def_property_readonly("trace_flags", [](const tr::SpanContext& c) { return c.flags; })
      .def_property_readonly("is_remote", [](const tr::SpanContext& c) { return c.remote; })
      .def_property_readonly("is_valid", &tr::SpanContext::valid)
      .def_property_readonly("sampled", &tr::SpanContext::sampled)
      .def_property_readonly("trace_state",
                             [](const tr::SpanContext& c) { return c.trace_state.header(); })
      .def("__eq__", [](const tr::SpanContext& a, const tr::SpanContext& b) { return a == b; })
      .def("__hash__", [](const tr::SpanContext& c) { return py::hash(py::str(c.span_id.hex())); })
      .def("__repr__", [](const tr::SpanContext& c) {
        return "SpanContext(trace_id='" + c.trace_id.hex() + "', span_id='" + c.span_id.hex() +
               "', trace_flags=" + std::to_string(c.flags) +
               ", is_remote=" + (c.remote ? "True" : "False") + ")";
      });

  py::class_<tr::Context>(m, "Context", "A span context and baggage (immutable)")
      .def(py::init<>())
      .def_property_readonly("span", [](const tr::Context& c) { return c.span; })
      .def_property_readonly("baggage",
                             [](const tr::Context& c) {
                               py::dict out;
                               for (const tr::BaggageEntry& e : c.baggage.entries())
                                 out[py::str(e.key)] = e.value;
                               return out;
                             })
      .def("__eq__", [](const tr::Context& a, const tr::Context& b) { return a == b; })
      .def("__repr__", [](const tr::Context& c) {
        return c.span ? "Context(span_id='" + c.span->span_id.hex() + "')"
                      : std::string("Context()");
      });

  py::class_<PyTracer>(m, "Tracer")
      .def_property_readonly("scope", [](const PyTracer& t) { return t.scope; })
      .def(
          "start_span",
          [](PyTracer& tracer, std::string_view name, int kind, py::handle attributes,
             const std::optional<tr::Context>& parent, uint64_t start_time_ns) {
            return start_span(tracer, name, kind, attributes, parent ? &*parent : nullptr,
                              start_time_ns);
          },
          py::arg("name"), py::arg("kind") = 0, py::arg("attributes") = py::none(),
          py::arg("parent") = py::none(), py::arg("start_time_ns") = 0);
  m.def(
      "tracer",
      [](std::string scope) {
        return PyTracer{std::move(scope), nullptr, std::nullopt};
      },
      py::arg("scope"));

  py::class_<PySpan>(m, "Span")
      .def_property_readonly("context", [](const PySpan& s) { return s.context; })
      .def_property_readonly("is_recording", [](const PySpan& s) { return s.span.is_recording(); })
      .def("set_attribute",
           [](PySpan& s, std::string_view key, py::handle value) {
             if (!s.span.is_recording()) return;
             const AttributeValue v = to_attribute_value(value);
             s.span.set_attribute(key, v);
           })
      .def(
          "add_event",
          [](PySpan& s, std::string_view name, py::handle attributes, uint64_t time_ns) {
            if (!s.span.is_recording()) return;
            const std::vector<Attribute> a = to_attributes(attributes);
            s.span.add_event(name, a, time_ns);
          },
          py::arg("name"), py::arg("attributes") = py::none(), py::arg("time_ns") = 0)
      .def("record_exception",
           [](PySpan& s, std::string_view type, std::string_view message) {
             s.span.record_exception(type, message);
           })
      .def(
          "set_status",
          [](PySpan& s, int code, std::string_view description) {
            if (code < 0 || code > 2) throw py::value_error("code is 0 to 2 (StatusCode)");
            s.span.set_status(static_cast<tr::StatusCode>(code), description);
          },
          py::arg("code"), py::arg("description") = "")
      .def(
          "end", [](PySpan& s, uint64_t end_time_ns) { s.span.end(end_time_ns); },
          py::arg("end_time_ns") = 0);

  py::class_<SpanScope, PySpan> scope_class(m, "SpanScope",
                                            "with start_as_current_span(...): see trace.py");
  add_raw_method(scope_class, scope_enter);
  add_raw_method(scope_class, scope_exit);
  add_raw_function(m, start_as_current_span_def);
  m.def(
      "default_tracer", [] { return py::reinterpret_borrow<py::object>(default_tracer()); },
      "The Tracer of the \"coretel.python\" scope (start_as_current_span()'s default)");

  m.def(
      "inject",
      [](const std::optional<tr::Context>& context) {
        py::dict out;
        if (!context) return out;
        Runtime* rt = Runtime::current();
        const std::shared_ptr<const tr::TextMapPropagator> fallback =
            rt ? nullptr : tr::propagator_for({"tracecontext", "baggage"});
        tr::HeaderCarrier carrier;
        (rt ? rt->propagator() : *fallback).inject(*context, carrier);
        for (const auto& [name, value] : carrier.headers()) out[py::str(name)] = value;
        return out;
      },
      py::arg("context") = py::none());
  m.def(
      "extract",
      [](py::handle headers) {
        std::vector<std::pair<std::string, std::string>> lines;
        py::iterable items = py::isinstance<py::dict>(headers) || py::hasattr(headers, "items")
                                 ? py::iterable(headers.attr("items")())
                                 : py::reinterpret_borrow<py::iterable>(headers);
        for (py::handle item : items) {
          const auto pair = py::reinterpret_borrow<py::sequence>(item);
          if (pair.size() != 2) throw py::type_error("a header is a (name, value) pair");
          lines.emplace_back(py::str(pair[0]).cast<std::string>(),
                             py::str(pair[1]).cast<std::string>());
        }
        Runtime* rt = Runtime::current();
        const std::shared_ptr<const tr::TextMapPropagator> fallback =
            rt ? nullptr : tr::propagator_for({"tracecontext", "baggage"});
        const tr::HeaderCarrier carrier(std::move(lines));
        return (rt ? rt->propagator() : *fallback).extract(carrier, {});
      },
      py::arg("headers"));
  m.def("finished_spans", [] {
    py::list out;
    if (Runtime* rt = Runtime::current())
      for (const tr::SpanData& s : rt->take_finished_spans()) out.append(span_dict(s));
    return out;
  });
}

}  // namespace coretel::python
