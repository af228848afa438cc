// module.h: the parts of the coretel._native extension module (module.cc calls each).
#pragma once

#include <pybind11/pybind11.h>

namespace coretel::python {

void bind_runtime(pybind11::module_& m);
void bind_trace(pybind11::module_& m);
void bind_logs(pybind11::module_& m);
void bind_metrics(pybind11::module_& m);
/// The example's native engine (examples/python/demo_engine.cc), as coretel._native.demo.
void bind_demo(pybind11::module_& demo);

}  // namespace coretel::python
