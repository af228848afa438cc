// generate_python.h: a Python module of typed instruments from a resolved registry
// (`coretel-schema generate python`), for the coretel Python package (python/coretel/metrics.py).
//
// One class per metric that is not deprecated: it makes its instrument on a coretel Meter
// (counter and updowncounter with integer values, or float ones when the registry says so:
// `coretel.value_type: f64`, `code_generation.metric_value_type: double`; histogram with float
// values; explicit bounds are the package's, `coretel.histogram_bounds` is not applied) with the
// registry's name, unit and brief, and records with the metric's scalar attributes as keyword
// arguments: a required attribute has no default, the others default to None and are then
// left out. A gauge is listed in a comment (the Python API has no gauge), as are attributes of
// array or template types (its instruments take scalar values). Attribute keys are constants.
//
// Output is deterministic (metrics and attributes sorted by name) so a test can compare the
// committed module with a fresh generation.
#pragma once

#include <filesystem>
#include <string>

#include "resolved_registry.h"

namespace coretel::schema {

/// The module's text.
std::string python_module(const ResolvedRegistry& registry);

/// Writes python_module(registry) to `out_file` (its folder must exist). False with `error` set
/// on an I/O failure.
bool generate_python(const ResolvedRegistry& registry, const std::filesystem::path& out_file,
                     std::string& error);

}  // namespace coretel::schema
