// context_bridge.h: one trace across the Python/C++ boundary.
//
// Python keeps its current span context in a contextvars.ContextVar (coretel._context.current,
// holding a coretel._native.Context or None), so that asyncio tasks and threads each see their
// own; native code keeps it per thread (trace::current_context(), trace::ContextScope). The
// bridge carries it across both ways:
//  * Python -> native: a native entry point called from Python opens a PythonContextScope first:
//    the Python current context becomes the thread's native current context for the call, so a
//    native span started there is a child of the Python span;
//  * native -> Python: native code that calls back into Python does it through
//    call_with_native_context(): the thread's native current context is the Python current
//    context during the callback (set on the ContextVar, reset after), so a Python span started
//    there is a child of the native span.
// Both need the GIL held. Thread-safety: per thread, like the contexts they carry.
#pragma once

#include <optional>
#include <string>

#include <pybind11/pybind11.h>

#include "coretel/trace/span.h"

namespace coretel::python {

/// The Tracer of `scope` for native code of the extension: the running runtime's (the one
/// enable_telemetry() configured), else one that samples nothing, so that a span still
/// propagates its parent's trace.
trace::Tracer native_tracer(const std::string& scope);

/// The Python current context; nullopt when none is set.
std::optional<trace::Context> python_current_context();

/// Python -> native (see above). Scopes end in reverse order on the thread that opened them.
class PythonContextScope {
 public:
  PythonContextScope();
  PythonContextScope(const PythonContextScope&) = delete;
  PythonContextScope& operator=(const PythonContextScope&) = delete;

 private:
  std::optional<trace::ContextScope> scope_;
};

/// native -> Python (see above): calls `callback(args...)` and returns what it returned; what it
/// raises propagates (as pybind11::error_already_set), the ContextVar reset either way.
template <class... Args>
pybind11::object call_with_native_context(const pybind11::handle& callback, Args&&... args);

namespace detail {
pybind11::object set_python_context(const trace::Context& context);  // returns the token
void reset_python_context(const pybind11::object& token);
}  // namespace detail

/// The ContextVar itself (borrowed; kept for the process), for callers that set it through the
/// C API (PyContextVar_Set / PyContextVar_Reset) on a hot path.
pybind11::handle python_context_var();

template <class... Args>
pybind11::object call_with_native_context(const pybind11::handle& callback, Args&&... args) {
  const pybind11::object token = detail::set_python_context(trace::current_context());
  try {
    pybind11::object out = callback(std::forward<Args>(args)...);
    detail::reset_python_context(token);
    return out;
  } catch (...) {
    detail::reset_python_context(token);
    throw;
  }
}

}  // namespace coretel::python
