// live_check.h: `coretel-schema live-check`: telemetry a program emitted, checked against the
// registries that should declare it, with the finding ids of Weaver's `registry live-check`
// (docs/schema-tool.md lists them).
//
// Inputs (one file, or "-" for stdin), each line one JSON document:
//  * an OTLP/JSON export request: {"resourceMetrics": [...]} or {"resourceLogs": [...]}
//    (the OTLP specification's JSON encoding);
//  * a coretel-otlp-sink line: {"contentType": ..., "signal": ..., "request": <the request>};
//  * coretel's recent-events view (GET /api/v1/telemetry/events): {"events": [...]}.
//
// What is checked, per sample:
//  * resource, scope and data point or log record attributes: `missing_attribute` (violation)
//    when no registry declares the key; `type_mismatch` (violation) when the value's type is not
//    the declared one (an enum's values are strings or integers); `undefined_enum_variant`
//    (information) for a value outside a closed enum's members;
//  * metrics: `missing_metric` (violation) when no registry declares the name;
//    `unexpected_instrument` (violation) when the OTLP point kind does not match the declared
//    instrument (a monotonic Sum is a counter, a non-monotonic one an updowncounter, a Gauge a
//    gauge, a Histogram or ExponentialHistogram a histogram; a Summary only for a coretel
//    metric-set field of instrument mmsc); `unit_mismatch` (violation);
//  * events (log records with an event name, and the view's events): `missing_event`
//    (violation);
//  * on a metric's data points (with their scope's attributes, where coretel metric sets carry
//    the entity) and on an event's record: `required_attribute_not_present` (violation) for a
//    required attribute that is absent; and coretel's own id `undeclared_attribute` (violation)
//    for an attribute that the registry declares but not for this metric or event (the
//    resource's attributes are not the signal's and are not held to this).
// Findings are reported once per distinct (id, signal, key, detail), with how many samples had
// it. Deterministic order: as first found.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "resolved_registry.h"

namespace coretel::schema {

struct LiveFinding {
  std::string id;      ///< Weaver's finding id (or undeclared_attribute)
  std::string level;   ///< violation, improvement, information
  std::string signal;  ///< "metric NAME", "event NAME", "resource"
  std::string detail;  ///< the attribute key, the unit, the instrument...
  std::string message;
  uint64_t samples = 0;  ///< how many times it was seen
};

struct LiveCheckResult {
  std::vector<LiveFinding> findings;
  uint64_t metrics = 0, events = 0, lines = 0;
  /// Lines that were not one of the accepted documents: "LINE: problem".
  std::vector<std::string> unreadable;
  bool violation() const;
};

/// Checks every document of `input` against the union of `registries` (a name declared by any
/// of them is declared).
LiveCheckResult live_check(const std::vector<const ResolvedRegistry*>& registries,
                           std::istream& input);

/// One line per finding ("violation missing_metric metric app.x: ... (3 samples)"), then a
/// summary line.
std::string format_live_check(const LiveCheckResult& result);

}  // namespace coretel::schema
