#include "context_bridge.h"

#include <vector>

#include "instance_of.h"

#include "runtime.h"

namespace coretel::python {

namespace py = pybind11;

namespace {

// coretel._context.current, looked up once and kept for the process (not released at
// interpreter exit: a native thread of a finished interpreter must not decref it).
py::handle context_var() {
  static PyObject* var = [] {
    py::object v = py::module_::import("coretel._context").attr("current");
    return v.release().ptr();
  }();
  return var;
}

// The ContextVar's values, reused. Making one costs a C++ copy, a node in pybind11's instance
// registry and a Python object, and most live only as long as one span scope. A kept object
// whose only reference is the pool's (the ContextVar, every Token and every copied
// contextvars.Context have let go of it, and no Python code holds it) cannot be seen by Python
// any more, so it takes the next value in place: to Python it is a new, immutable Context.
// A weak reference does not count, but it would see the object live on: such an object leaves
// the pool and dies, as it would have without the pool. Under the GIL, which makes the
// reference count exact; not on a free-threaded build. At most kPooled objects, kept for the
// process like the ContextVar.
py::object context_object(const trace::Context& context) {
#ifndef Py_GIL_DISABLED
  constexpr std::size_t kPooled = 32;
  static auto* pool = new std::vector<PyObject*>();
  py::object dying;  // released last: its weak references' callbacks may run Python code
  py::object out;
  for (std::size_t i = 0; i < pool->size() && !out;) {
    PyObject* kept = (*pool)[i];
    if (Py_REFCNT(kept) != 1) {
      ++i;
    } else if (reinterpret_cast<py::detail::instance*>(kept)->weakrefs == nullptr) {
      instance_of<trace::Context>(kept) = context;
      out = py::reinterpret_borrow<py::object>(kept);
    } else if (!dying) {  // one at a time; the last kept takes its place, looked at next
      dying = py::reinterpret_steal<py::object>(kept);
      (*pool)[i] = pool->back();
      pool->pop_back();
    } else {
      ++i;
    }
  }
  if (!out) {
    out = new_instance(context);
    if (pool->size() < kPooled) pool->push_back(py::object(out).release().ptr());
  }
  return out;
#else
  return new_instance(context);
#endif
}

}  // namespace

trace::Tracer native_tracer(const std::string& scope) {
  if (Runtime* rt = Runtime::current()) return rt->tracer(scope);
  static auto* idle = new trace::TracerProvider(
      {.sampler = trace::sampler_named("always_off"), .limits = {}, .processors = {}});
  return idle->tracer(scope);
}

py::handle python_context_var() {
  return context_var();
}

std::optional<trace::Context> python_current_context() {
  PyObject* value = nullptr;
  if (PyContextVar_Get(context_var().ptr(), Py_None, &value) != 0) throw py::error_already_set();
  const py::object held = py::reinterpret_steal<py::object>(value);
  if (held.is_none()) return std::nullopt;
  return instance_of<trace::Context>(held);
}

PythonContextScope::PythonContextScope() {
  if (std::optional<trace::Context> context = python_current_context())
    scope_.emplace(std::move(*context));
}

namespace detail {

py::object set_python_context(const trace::Context& context) {
  const py::object value = context_object(context);
  PyObject* token = PyContextVar_Set(context_var().ptr(), value.ptr());
  if (token == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(token);
}

void reset_python_context(const py::object& token) {
  if (PyContextVar_Reset(context_var().ptr(), token.ptr()) != 0) throw py::error_already_set();
}

}  // namespace detail

}  // namespace coretel::python
