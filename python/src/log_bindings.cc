// log_bindings.cc: Python `logging` records into the native log pipeline. LogForwarder is the
// native half of coretel/_logging.py's TelemetryHandler: Logger.callHandlers() calls its
// handle() directly, so a record costs one call from Python. The record goes to the calling
// thread's aspect's provider (events/provider.h: OTLP, console, or the tests' capture), which
// copies it into its bounded queue and never blocks: a full queue drops it and counts it
// (dropped_logs()).
#include <pybind11/stl.h>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "context_bridge.h"
#include "coretel/events/provider.h"
#include "coretel/events/record.h"
#include "instance_of.h"
#include "instruments.h"
#include "log_capture.h"
#include "module.h"
#include "python_values.h"
#include "raw_method.h"
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

// The LogRecord fields LogForwarder::forward() reads: indexes into Names::fields.
enum Field : std::size_t {
  kLevelno,
  kLevelname,
  kMsg,
  kArgs,
  kCreated,
  kPathname,
  kFuncName,
  kLineno,
  kThreadName,
  kThread,
  kExcInfo,
  kFieldCount
};

// Attribute names looked up on every record, made once (interned, kept for the process).
struct Names {
  PyObject* levelno = intern("levelno");
  PyObject* levelname = intern("levelname");
  PyObject* get_message = intern("getMessage");
  PyObject* msg = intern("msg");
  PyObject* args = intern("args");
  PyObject* name = intern("name");
  PyObject* created = intern("created");
  PyObject* pathname = intern("pathname");
  PyObject* func_name = intern("funcName");
  PyObject* lineno = intern("lineno");
  PyObject* thread_name = intern("threadName");
  PyObject* thread = intern("thread");
  PyObject* exc_info = intern("exc_info");
  PyObject* qualname = intern("__qualname__");
  PyObject* module = intern("__module__");
  PyObject* filters = intern("filters");
  PyObject* filter = intern("filter");
  PyObject* tb_lineno = intern("tb_lineno");
  PyObject* cache = intern("cache");
  PyObject* strip = intern("strip");
  PyObject* notes = intern("__notes__");
  PyObject* suppress_context = intern("__suppress_context__");
  // The names of the Field values, in their order.
  std::array<PyObject*, kFieldCount> fields = {levelno,     levelname, msg,       args,
                                               created,     pathname,  func_name, lineno,
                                               thread_name, thread,    exc_info};

  static PyObject* intern(const char* text) {
    PyObject* s = PyUnicode_InternFromString(text);
    if (s == nullptr) throw py::error_already_set();
    return s;
  }
};

const Names& names() {
  static const Names* n = new Names();  // under the GIL, at the first record
  return *n;
}

py::object get(py::handle object, PyObject* name) {
  PyObject* v = PyObject_GetAttr(object.ptr(), name);
  if (v == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(v);
}

// What the forwarder and stacktrace() use from the standard library, looked up by bind_logs()
// when the module is imported, before any record: a function-local static whose initialiser runs
// Python code could deadlock two threads (one holds the static's guard and waits for the GIL,
// the other holds the GIL and waits for the guard). Kept for the process.
struct Stdlib {
  py::handle format_exception_only;  // traceback.format_exception_only
  py::handle linecache;              // the module: its `cache` is read at each use
  py::handle getline;                // linecache.getline
  PyTypeObject* log_record;          // logging.LogRecord
};
const Stdlib* stdlib_objects = nullptr;

const Stdlib& stdlib() {
  return *stdlib_objects;
}

void load_stdlib() {
  auto kept = [](const char* module, const char* name) {
    return py::object(py::module_::import(module).attr(name)).release();
  };
  stdlib_objects =
      new Stdlib{.format_exception_only = kept("traceback", "format_exception_only"),
                 .linecache = py::module_::import("linecache").release(),
                 .getline = kept("linecache", "getline"),
                 .log_record = reinterpret_cast<PyTypeObject*>(kept("logging", "LogRecord").ptr())};
}

// traceback.format_exception_only(kind, value), joined: the rare shapes stacktrace() leaves to
// Python (a SyntaxError's caret line, __notes__, a value that is not an exception).
void append_python_exception_only(py::handle kind, py::handle value, std::string& out) {
  for (py::handle line : stdlib().format_exception_only(kind, value)) out += utf8(line);
}

// The last line(s) of a traceback for `value`: "<module>.<qualname>: <str(value)>\n", as
// traceback.format_exception_only() writes it (the module left out for builtins and __main__;
// ": <str>" left out when str() is empty; "<exception str() failed>" when it raises).
void append_exception_only(py::handle kind, py::handle value, std::string& out) {
  const Names& n = names();
  if (!PyExceptionInstance_Check(value.ptr()) ||
      PyObject_IsSubclass(PyExceptionInstance_Class(value.ptr()), PyExc_SyntaxError) != 0 ||
      PyObject_HasAttr(value.ptr(), n.notes)) {
    PyErr_Clear();
    append_python_exception_only(kind, value, out);
    return;
  }
  const py::handle type = PyExceptionInstance_Class(value.ptr());
  const py::object module = get(type, n.module);
  const py::object qualname = get(type, n.qualname);
  if (!PyUnicode_Check(module.ptr())) {
    out += "<unknown>.";
  } else if (const std::string_view m = utf8(module); m != "__main__" && m != "builtins") {
    out += m;
    out += '.';
  }
  out += PyUnicode_Check(qualname.ptr()) ? utf8(qualname) : std::string_view("<unknown>");
  PyObject* text = PyObject_Str(value.ptr());
  if (text == nullptr) {
    PyErr_Clear();
    out += ": <exception str() failed>\n";
    return;
  }
  const py::object held = py::reinterpret_steal<py::object>(text);
  if (const std::string_view t = utf8(held); !t.empty()) {
    out += ": ";
    out += t;
  }
  out += '\n';
}

// linecache.getline(filename, lineno, frame's globals): the line from linecache.cache when it
// holds the file's lines (getline's own first step, which does not check the file either),
// without getline's two Python calls; else getline itself, which reads the file (or asks the
// module's loader) and fills the cache.
// `cache`: linecache.cache, read once a stack trace.
py::object source_line(const py::object& cache, PyObject* filename, PyObject* lineno,
                       PyFrameObject* frame) {
  if (PyDict_CheckExact(cache.ptr())) {
    PyObject* entry = PyDict_GetItemWithError(cache.ptr(), filename);  // borrowed
    if (entry == nullptr && PyErr_Occurred()) throw py::error_already_set();
    // (size, mtime, lines, fullname); a 1-tuple is a lazy entry, which getline loads.
    if (entry != nullptr && PyTuple_CheckExact(entry) && PyTuple_GET_SIZE(entry) == 4 &&
        PyList_CheckExact(PyTuple_GET_ITEM(entry, 2))) {
      PyObject* lines = PyTuple_GET_ITEM(entry, 2);
      const long at = PyLong_AsLong(lineno);
      if (at == -1 && PyErr_Occurred()) throw py::error_already_set();
      if (at < 1 || at > PyList_GET_SIZE(lines)) return py::str("");
      return py::reinterpret_borrow<py::object>(PyList_GET_ITEM(lines, at - 1));
    }
  }
  const auto globals = py::reinterpret_borrow<py::object>(PyFrame_GetGlobals(frame));
  return stdlib().getline(py::handle(filename), py::handle(lineno), globals);
}

// "Traceback (most recent call last):" and a "File ..., line N, in name" line per frame, each
// with its stripped source line when linecache has it. The traceback's and the frame's fields
// are read through the C API (PyTracebackObject, PyFrame_GetCode); tb_lineno through its
// attribute (its field may not be computed yet).
void append_frames(py::handle traceback, std::string& out) {
  const Names& n = names();
  const py::object cache = get(stdlib().linecache, n.cache);
  out += "Traceback (most recent call last):\n";
  // The last one's tb_next is NULL here (None from Python).
  for (PyObject* tb = traceback.ptr(); tb != nullptr && tb != Py_None;
       tb = reinterpret_cast<PyObject*>(reinterpret_cast<PyTracebackObject*>(tb)->tb_next)) {
    if (!PyTraceBack_Check(tb)) throw py::type_error("a traceback is a traceback object");
    PyFrameObject* frame = reinterpret_cast<PyTracebackObject*>(tb)->tb_frame;  // borrowed
    const py::object lineno = get(tb, n.tb_lineno);
    const auto code =
        py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(PyFrame_GetCode(frame)));
    PyObject* filename = reinterpret_cast<PyCodeObject*>(code.ptr())->co_filename;
    out += "  File \"";
    out += utf8(filename);
    out += "\", line ";
    out += std::to_string(lineno.cast<long>());
    out += ", in ";
    out += utf8(reinterpret_cast<PyCodeObject*>(code.ptr())->co_name);
    out += '\n';
    const py::object line = source_line(cache, filename, lineno.ptr(), frame);
    if (PyUnicode_Check(line.ptr())) {
      PyObject* stripped = PyObject_CallMethodNoArgs(line.ptr(), n.strip);
      if (stripped == nullptr) throw py::error_already_set();
      const py::object held = py::reinterpret_steal<py::object>(stripped);
      if (const std::string_view text = utf8(held); !text.empty()) {
        out += "    ";
        out += text;
        out += '\n';
      }
    }
  }
}

// exception.stacktrace: the text of traceback.format_exception(type, value, traceback), chained
// exceptions included (__cause__, else __context__ unless __suppress_context__; each exception
// once), without the lines of ^ and ~ that Python 3.11 puts under a frame's failing expression
// (finding them parses each frame's source: several times the cost of the rest).
std::string stacktrace(py::handle type, py::handle value, py::handle traceback) {
  const Names& n = names();
  struct Link {
    py::object kind, value, traceback;
    const char* separator;  // printed after this link's cause, before this link
  };
  std::vector<Link> chain{{py::reinterpret_borrow<py::object>(type),
                           py::reinterpret_borrow<py::object>(value),
                           py::reinterpret_borrow<py::object>(traceback), nullptr}};
  for (;;) {
    Link& link = chain.back();
    if (!PyExceptionInstance_Check(link.value.ptr())) break;
    auto seen = [&](PyObject* e) {
      return std::any_of(chain.begin(), chain.end(),
                         [e](const Link& l) { return l.value.ptr() == e; });
    };
    const auto cause = py::reinterpret_steal<py::object>(PyException_GetCause(link.value.ptr()));
    const auto context =
        py::reinterpret_steal<py::object>(PyException_GetContext(link.value.ptr()));
    if (cause && !seen(cause.ptr())) {
      link.separator = "\nThe above exception was the direct cause of the following exception:\n\n";
      chain.push_back(
          {py::reinterpret_borrow<py::object>(PyExceptionInstance_Class(cause.ptr())), cause,
           py::reinterpret_steal<py::object>(PyException_GetTraceback(cause.ptr())), nullptr});
    } else if (context && !seen(context.ptr()) &&
               !PyObject_IsTrue(get(link.value, n.suppress_context).ptr())) {
      link.separator = "\nDuring handling of the above exception, another exception occurred:\n\n";
      chain.push_back(
          {py::reinterpret_borrow<py::object>(PyExceptionInstance_Class(context.ptr())), context,
           py::reinterpret_steal<py::object>(PyException_GetTraceback(context.ptr())), nullptr});
    } else {
      break;
    }
  }
  std::string out;
  out.reserve(1024);  // a usual stack trace: no regrowth on the way
  for (std::size_t i = chain.size(); i-- > 0;) {
    const Link& link = chain[i];
    if (link.traceback && !link.traceback.is_none()) append_frames(link.traceback, out);
    append_exception_only(link.kind, link.value, out);
    if (i > 0) out += chain[i - 1].separator;
  }
  return out;
}

// record.getMessage(): done here for a plain logging.LogRecord (str(msg), then `% args` when
// there are args, as LogRecord.getMessage() does), called for a subclass, which may override it.
template <class Attr>
py::object message_of(py::handle record, Attr& attr) {
  if (Py_TYPE(record.ptr()) != stdlib().log_record) {
    PyObject* m = PyObject_CallMethodNoArgs(record.ptr(), names().get_message);
    if (m == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(m);
  }
  PyObject* text = PyObject_Str(attr(kMsg).ptr());
  if (text == nullptr) throw py::error_already_set();
  py::object message = py::reinterpret_steal<py::object>(text);
  const py::handle args = attr(kArgs);
  const int has_args = PyObject_IsTrue(args.ptr());
  if (has_args < 0) throw py::error_already_set();
  if (has_args == 0) return message;
  PyObject* formatted = PyUnicode_Format(message.ptr(), args.ptr());
  if (formatted == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(formatted);
}

// Records a TelemetryHandler could not forward (an error reading or emitting them), all handlers.
std::atomic<uint64_t> dropped_records{0};

// The handler's native half (coretel/_logging.py's TelemetryHandler says what a record
// becomes). One call per record: Logger.callHandlers() calls handle() directly.
class LogForwarder {
 public:
  // `handler`: a weak reference to the TelemetryHandler (its filters are read from it);
  // `skip`: the keys of a record's __dict__ that are not `extra=` fields; `record_keys`: the
  // keys LogRecord.__init__ sets, in its order (a tuple of str, all in `skip`); `forwarded`: the
  // counter of forwarded records by level.
  // `level_attribute`: the attribute that carries the level name on the counter's series.
  LogForwarder(py::object handler, py::object skip, py::tuple record_keys, Instrument& forwarded,
               std::string level_attribute)
      : handler_(std::move(handler)),
        skip_(std::move(skip)),
        record_keys_(std::move(record_keys)),
        forwarded_(forwarded),
        level_attribute_(std::move(level_attribute)) {
    const Py_ssize_t standard = PyTuple_GET_SIZE(record_keys_.ptr());
    field_at_place_.assign(static_cast<std::size_t>(standard), kFieldCount);
    for (Py_ssize_t place = 0; place < standard; ++place)
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        const int same = PyObject_RichCompareBool(PyTuple_GET_ITEM(record_keys_.ptr(), place),
                                                  names().fields[f], Py_EQ);
        if (same < 0) throw py::error_already_set();
        if (same == 1) field_at_place_[static_cast<std::size_t>(place)] = static_cast<Field>(f);
      }
  }

  // logging.Handler.handle(): the handler's filters, then forward. Returns whether the record
  // passed the filters (true for a dropped record that passed them).
  bool handle(py::handle record) {
    const Names& n = names();
    PyObject* handler = PyWeakref_GetObject(handler_.ptr());  // borrowed
    if (handler == nullptr) throw py::error_already_set();
    py::object passed;  // what the filters returned, when there are filters
    if (handler != Py_None && PyObject_IsTrue(get(handler, n.filters).ptr()) != 0) {
      passed = get(handler, n.filter)(record);
      if (!PyObject_IsTrue(passed.ptr())) return false;
      if (PyObject_IsInstance(passed.ptr(), reinterpret_cast<PyObject*>(Py_TYPE(record.ptr()))) ==
          1)
        record = passed;  // Python 3.12+: a filter may return a replacement record
    }
    emit(record);
    return true;
  }

  // Forwards `record`; a record of the coretel logger (or a child) is ignored, a record logged
  // while this thread is forwarding another one is dropped, and any error drops the record.
  // Every drop is counted (dropped_records()). Never raises.
  void emit(py::handle record) noexcept {
    try {
      const Names& n = names();
      const py::object name = get(record, n.name);
      if (PyUnicode_Check(name.ptr())) {
        const std::string_view scope = utf8(name);
        if (scope == "coretel" || scope.starts_with("coretel.")) return;
      }
      if (busy) {
        dropped_records.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      busy = true;
      struct Done {
        ~Done() { busy = false; }
      } done;
      forward(record, name);
    } catch (...) {
      PyErr_Clear();
      dropped_records.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr std::size_t kMaxLevels = 256;
  static thread_local bool busy;

  void forward(py::handle record, const py::object& name) {
    const Names& n = names();
    // What the views below read. Inline room for a usual record: no heap block a record.
    boost::container::small_vector<py::object, 32> keep;
    PyObject* live = PyObject_GenericGetDict(record.ptr(), nullptr);
    if (live == nullptr) throw py::error_already_set();
    const py::object dict = py::reinterpret_steal<py::object>(live);

    // One walk over the record's __dict__, which runs no Python code. A LogRecord's __dict__
    // starts with what LogRecord.__init__ sets, in its order and under the same interned key
    // objects: a key found at its place there is one of LogRecord's own (one pointer compare, no
    // set lookup), and its value is held when forward() reads that field. Any other str key is
    // an `extra=` field unless `skip` has it; a key that is a str subclass (its __eq__ could run
    // Python code) is checked against `skip` after the walk. Values are held, since a value's
    // __str__ (attribute_view) may change the dict.
    const Py_ssize_t standard = PyTuple_GET_SIZE(record_keys_.ptr());
    std::array<py::object, kFieldCount> values;  // the fields' values, held
    struct Extra {
      py::object key, value;
      bool checked;
    };
    boost::container::small_vector<Extra, 8> extras;
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    Py_ssize_t place = 0;
    for (Py_ssize_t i = 0; PyDict_Next(live, &i, &key, &value); ++place) {
      if (place < standard && key == PyTuple_GET_ITEM(record_keys_.ptr(), place)) {
        if (const Field f = field_at_place_[static_cast<std::size_t>(place)]; f != kFieldCount)
          values[f] = py::reinterpret_borrow<py::object>(value);
        continue;
      }
      if (!PyUnicode_Check(key)) continue;
      const bool exact = PyUnicode_CheckExact(key);
      if (exact && PySet_Contains(skip_.ptr(), key) == 1) continue;
      extras.push_back({py::reinterpret_borrow<py::object>(key),
                        py::reinterpret_borrow<py::object>(value), exact});
    }

    // A field of the record: from the walk; else (a subclass's computed field, a key moved by a
    // delete) from the dict, else as an attribute.
    auto attr = [&](Field f) -> py::handle {
      if (values[f]) return values[f];
      if (PyObject* v = PyDict_GetItemWithError(live, n.fields[f])) {
        values[f] = py::reinterpret_borrow<py::object>(v);
      } else if (PyErr_Occurred()) {
        throw py::error_already_set();
      } else {
        values[f] = get(record, n.fields[f]);
      }
      return values[f];
    };
    const int severity = severity_of(attr(kLevelno).cast<long>());
    const py::handle levelname = attr(kLevelname);
    const std::string_view level = utf8(levelname);
    keep.push_back(message_of(record, attr));
    const std::string_view body =
        PyUnicode_Check(keep.back().ptr()) ? utf8(keep.back()) : std::string_view();
    const std::string_view scope = utf8(name);
    const double created = attr(kCreated).cast<double>();

    boost::container::small_vector<AttributeRef, 16> refs;
    refs.push_back({"code.file.path", attribute_view(attr(kPathname), keep)});
    if (py::handle f = attr(kFuncName); !f.is_none())
      refs.push_back({"code.function.name", attribute_view(f, keep)});
    refs.push_back({"code.line.number", attribute_view(attr(kLineno), keep)});
    if (py::handle t = attr(kThreadName); !t.is_none())
      refs.push_back({"thread.name", attribute_view(t, keep)});
    if (py::handle t = attr(kThread); !t.is_none())
      refs.push_back({"thread.id", attribute_view(t, keep)});
    if (py::handle exc = attr(kExcInfo); PyTuple_Check(exc.ptr()) &&
                                         PyTuple_GET_SIZE(exc.ptr()) == 3 &&
                                         PyTuple_GET_ITEM(exc.ptr(), 0) != Py_None) {
      py::handle type = PyTuple_GET_ITEM(exc.ptr(), 0);
      py::handle value = PyTuple_GET_ITEM(exc.ptr(), 1);
      py::handle traceback = PyTuple_GET_ITEM(exc.ptr(), 2);
      PyObject* qualname = PyObject_GetAttr(type.ptr(), n.qualname);
      if (qualname == nullptr) {
        PyErr_Clear();
        keep.push_back(py::str(type));
      } else {
        keep.push_back(py::reinterpret_steal<py::object>(qualname));
      }
      refs.push_back({"exception.type", attribute_view(keep.back(), keep)});
      refs.push_back({"exception.message", attribute_view(value, keep)});
      keep.push_back(py::str(stacktrace(type, value, traceback)));
      refs.push_back({"exception.stacktrace", utf8(keep.back())});
    }
    for (Extra& e : extras) {
      if (!e.checked) {
        const int skipped = PySet_Contains(skip_.ptr(), e.key.ptr());
        if (skipped < 0) throw py::error_already_set();
        if (skipped == 1) continue;
      }
      keep.push_back(std::move(e.key));
      const std::string_view k = utf8(keep.back());
      keep.push_back(std::move(e.value));
      refs.push_back({k, attribute_view(keep.back(), keep)});
    }

    events::EventRecord out;
    out.time_unix_nano = static_cast<uint64_t>(created * 1e9 + 0.5);
    out.severity = static_cast<events::Severity>(severity);
    out.severity_text = level;
    out.scope = scope;
    out.body = body;
    out.attributes = {refs.data(), refs.size()};
    PyObject* current = nullptr;
    if (PyContextVar_Get(python_context_var().ptr(), Py_None, &current) != 0)
      throw py::error_already_set();
    const py::object held = py::reinterpret_steal<py::object>(current);
    if (!held.is_none()) {
      const trace::Context& context = instance_of<trace::Context>(held);
      if (context.span && context.span->valid()) {
        out.trace.trace_id = context.span->trace_id.bytes;
        out.trace.span_id = context.span->span_id.bytes;
        out.trace.flags = context.span->flags;
      }
    }
    events::emit_record(out);
    count(level);
  }

  // One add to the forwarded counter's series of `level` (the first kMaxLevels level names have
  // a series each; later ones are counted under "other").
  void count(std::string_view level) {
    auto it = by_level_.find(level);
    if (it == by_level_.end()) {
      const std::string key(by_level_.size() < kMaxLevels ? level : "other");
      it = by_level_.find(key);
      if (it == by_level_.end())
        it = by_level_
                 .emplace(key, forwarded_.series(Attributes(std::vector<Attribute>{
                                   {level_attribute_, AttributeValue(key)}})))
                 .first;
    }
    it->second->add_int(1);
  }

  py::object handler_;     // weakref.ref(TelemetryHandler)
  py::object skip_;        // frozenset of str
  py::tuple record_keys_;  // tuple of str, each in skip_
  // The Field that LogRecord.__init__ sets at each place of record_keys_; kFieldCount for a
  // key forward() does not read.
  std::vector<Field> field_at_place_;
  Instrument& forwarded_;
  std::string level_attribute_;
  // Read and written with the GIL held.
  std::map<std::string, std::unique_ptr<Series>, std::less<>> by_level_;
};

thread_local bool LogForwarder::busy = false;

// LogForwarder.handle(record) -> bool and .emit(record) -> None, `record` by position or by
// keyword as logging.Handler's: the one argument, or nullptr with TypeError set.
PyObject* record_argument(const char* method, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  const Py_ssize_t keywords = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  if (nargs + keywords == 1 && (keywords == 0 || PyUnicode_CompareWithASCIIString(
                                                     PyTuple_GET_ITEM(kwnames, 0), "record") == 0))
    return args[0];
  PyErr_Format(PyExc_TypeError, "%s() takes one argument, record", method);
  return nullptr;
}

PyObject* forwarder_handle_raw(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                               PyObject* kwnames) {
  return translating_exceptions([&]() -> PyObject* {
    PyObject* record = record_argument("handle", args, nargs, kwnames);
    if (record == nullptr) return nullptr;
    return Py_NewRef(instance_of<LogForwarder>(self).handle(record) ? Py_True : Py_False);
  });
}

PyObject* forwarder_emit_raw(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                             PyObject* kwnames) {
  return translating_exceptions([&]() -> PyObject* {
    PyObject* record = record_argument("emit", args, nargs, kwnames);
    if (record == nullptr) return nullptr;
    instance_of<LogForwarder>(self).emit(record);
    return Py_NewRef(Py_None);
  });
}

PyMethodDef forwarder_handle{"handle", fastcall(forwarder_handle_raw),
                             METH_FASTCALL | METH_KEYWORDS,
                             "logging.Handler.handle(record): the handler's filters, then emit; "
                             "returns whether the record passed the filters"};
PyMethodDef forwarder_emit{"emit", fastcall(forwarder_emit_raw), METH_FASTCALL | METH_KEYWORDS,
                           "Forwards `record`; drops it, counted, on any error reading or "
                           "emitting it (TypeError only for a wrong call)"};

}  // namespace

void bind_logs(py::module_& m) {
  load_stdlib();
  auto forwarder_class =
      py::class_<LogForwarder>(m, "LogForwarder",
                               "The native half of coretel._logging.TelemetryHandler")
          .def(py::init([](py::object handler, py::object skip, py::tuple record_keys,
                           Instrument& forwarded, std::string level_attribute) {
                 if (!PyWeakref_CheckRef(handler.ptr()))
                   throw py::type_error("handler is a weakref.ref to the handler");
                 if (!PyFrozenSet_Check(skip.ptr())) throw py::type_error("skip is a frozenset");
                 for (py::handle key : record_keys) {
                   const int in_skip = PySet_Contains(skip.ptr(), key.ptr());
                   if (in_skip < 0) throw py::error_already_set();
                   if (in_skip == 0) throw py::value_error("every record key is in skip");
                 }
                 return new LogForwarder(std::move(handler), std::move(skip),
                                         std::move(record_keys), forwarded,
                                         std::move(level_attribute));
               }),
               py::arg("handler"), py::arg("skip"), py::arg("record_keys"), py::arg("forwarded"),
               py::arg("level_attribute"));
  // handle() and emit() are called once a record: plain CPython methods (raw_method.h), not
  // through pybind11's dispatcher.
  add_raw_method(forwarder_class, forwarder_handle);
  add_raw_method(forwarder_class, forwarder_emit);
  m.def("dropped_records", [] { return dropped_records.load(std::memory_order_relaxed); });
  m.def(
      "stacktrace",
      [](py::handle type, py::handle value, py::handle traceback) {
        return stacktrace(type, value, traceback);
      },
      py::arg("type"), py::arg("value"), py::arg("traceback"),
      "exception.stacktrace of (type, value, traceback): coretel/_logging.py");
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
