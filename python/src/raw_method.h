// raw_method.h: CPython methods and functions without pybind11's dispatcher, for the calls made
// once per span scope (making it, its __enter__ and its __exit__) and once per log record (the
// logging handler's handle and emit, log_bindings.cc). For each call the dispatcher
// builds a function_call (two std::vectors: two heap blocks made and freed) and walks the
// overloads; a method here is a plain PyMethodDef, called by CPython's vectorcall with the
// arguments as they are.
//
// Errors: a C++ exception thrown by the body becomes the Python exception pybind11 would raise
// (error_already_set restored; anything else through the module's and pybind11's registered
// translators: std::runtime_error -> RuntimeError, std::bad_alloc -> MemoryError, ...).
// Call with the GIL held (CPython calls these with it).
#pragma once

#include <utility>

#include <pybind11/pybind11.h>

namespace coretel::python {

/// Runs `body` (returns a new reference, or nullptr with a Python error set) and turns a C++
/// exception into the Python exception pybind11's dispatcher would have raised.
template <class Body>
PyObject* translating_exceptions(Body&& body) {
  namespace detail = pybind11::detail;
  try {
    return std::forward<Body>(body)();
  } catch (pybind11::error_already_set& e) {
    e.restore();
    return nullptr;
#ifdef __GLIBCXX__
  } catch (abi::__forced_unwind&) {
    throw;  // thread cancellation goes on, as through pybind11's own functions
#endif
  } catch (...) {
    if (detail::apply_exception_translators(
            detail::get_local_internals().registered_exception_translators) ||
        detail::apply_exception_translators(
            detail::get_internals().registered_exception_translators))
      return nullptr;
    PyErr_SetString(PyExc_SystemError, "coretel: a C++ exception no translator knows");
    return nullptr;
  }
}

/// Puts `def` (static: it must outlive the class) in the class `cls` as a method: `self` is the
/// instance, as for a method of a class written in C. Throws error_already_set.
inline void add_raw_method(pybind11::handle cls, PyMethodDef& def) {
  PyObject* method = PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(cls.ptr()), &def);
  if (method == nullptr) throw pybind11::error_already_set();
  const auto held = pybind11::reinterpret_steal<pybind11::object>(method);
  if (PyObject_SetAttrString(cls.ptr(), def.ml_name, method) != 0)
    throw pybind11::error_already_set();
}

/// Puts `def` (static) in the module `module` as a function.
inline void add_raw_function(pybind11::module_& module, PyMethodDef& def) {
  PyObject* function = PyCFunction_NewEx(&def, nullptr, nullptr);
  if (function == nullptr) throw pybind11::error_already_set();
  module.add_object(def.ml_name, pybind11::reinterpret_steal<pybind11::object>(function));
}

/// A METH_FASTCALL function as the PyCFunction a PyMethodDef holds (CPython casts it back by the
/// flags).
template <class Fast>
PyCFunction fastcall(Fast* function) {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(function));
}

}  // namespace coretel::python
