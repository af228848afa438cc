// runtime_bindings.cc: start, flush and stop the native runtime from Python (coretel/_enable.py).
#include <pybind11/stl.h>

#include "instruments.h"
#include "module.h"
#include "python_values.h"
#include "runtime.h"

namespace coretel::python {

namespace py = pybind11;

void bind_runtime(py::module_& m) {
  m.def(
      "start",
      [](const std::map<std::string, std::string>& env, const std::string& default_service_name,
         bool testing) {
        StartResult r;
        try {
          r = Runtime::start(env, default_service_name, testing);
        } catch (const std::logic_error& e) {
          throw std::runtime_error(e.what());  // RuntimeError
        }
        py::dict out;
        out["traces"] = r.traces;
        out["metrics"] = r.metrics;
        out["logs"] = r.logs;
        out["service_name"] = r.service_name;
        out["resource"] = to_python(r.resource);
        out["warnings"] = r.warnings;
        out["metrics_renewed"] = r.metrics_renewed;
        return out;
      },
      py::arg("env"), py::arg("default_service_name"), py::kw_only(), py::arg("testing") = false,
      "Starts the native pipeline from an OTEL_* overlay; see coretel/_native.pyi.");
  m.def("started", [] { return Runtime::current() != nullptr; });
  m.def(
      "shutdown",
      [](int timeout_ms) {
        py::gil_scoped_release release;
        return Runtime::shutdown(std::chrono::milliseconds(std::max(timeout_ms, 0)));
      },
      py::arg("timeout_ms") = 5000);
  m.def(
      "force_flush",
      [](int timeout_ms) {
        py::gil_scoped_release release;
        Runtime* rt = Runtime::current();
        return rt == nullptr || rt->force_flush(std::chrono::milliseconds(std::max(timeout_ms, 0)));
      },
      py::arg("timeout_ms") = 5000);
  m.def("after_fork_in_child", [] { Runtime::forget_after_fork(); });
}

}  // namespace coretel::python
