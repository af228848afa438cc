// module.cc: coretel._native, the extension module of the Python package (python/coretel/):
// the native runtime, spans and their context, log records, metric instruments, and the
// example's native engine. The Python modules of the package are the public API; this module's
// names are internal (python/coretel/_native.pyi describes them).
#include "module.h"

#include <pthread.h>

#include "coretel/events/provider.h"
#include "runtime.h"

PYBIND11_MODULE(_native, m) {
  m.doc() = "coretel's native pipeline (internal: use the coretel package's API)";
  // Until enable_telemetry() says where they go, native events (an engine's CORETEL_INFO, ...)
  // go nowhere: the C++ default, the console, would write to the Python program's stderr
  // uninvited.
  for (auto aspect : {coretel::events::Aspect::kEngine, coretel::events::Aspect::kAdmin,
                      coretel::events::Aspect::kGlobal})
    coretel::events::set_provider(aspect, nullptr);
  // In a forked child, before any Python at-fork hook runs (they may free series, which would
  // take locks a parent's thread held at fork()): the runtime, the events providers and the
  // metrics pipeline are the parent's, their threads are not here. Registered once, at import,
  // so it holds whether or not telemetry was ever enabled.
  pthread_atfork(nullptr, nullptr, [] { coretel::python::Runtime::forget_after_fork(); });
  coretel::python::bind_runtime(m);
  coretel::python::bind_trace(m);
  coretel::python::bind_logs(m);
  coretel::python::bind_metrics(m);
  pybind11::module_ demo = m.def_submodule("demo", "The example's native engine");
  coretel::python::bind_demo(demo);
}
