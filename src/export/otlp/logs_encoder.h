// logs_encoder.h (internal): events as one ExportLogsServiceRequest (opentelemetry-proto:
// collector/logs/v1/logs_service.proto, logs/v1/logs.proto), in the protobuf wire format or in
// OTLP/JSON (common_encoding.h has the JSON rules).
//
// The mapping (OpenTelemetry logs data model, "Log and Event Record Definition"):
//  * one ResourceLogs with the Resource's attributes;
//  * one ScopeLogs per instrumentation scope (EventRecord::scope), scopes in the order they first
//    appear, records of a scope in the order given;
//  * one LogRecord per event: time_unix_nano, observed_time_unix_nano, severity_number,
//    severity_text ("INFO"), body (a string AnyValue, left out when empty), attributes in the
//    order given, dropped_attributes_count, flags (the W3C trace flags), trace_id and span_id
//    (bytes; hex strings in JSON, per the JSON mapping) when the record has a trace context,
//    and event_name.
// COLD PATH (the exporter's thread). Thread-compatible.
#pragma once

#include <span>
#include <string>

#include "coretel/events/record.h"
#include "coretel/resource.h"
#include "metrics_encoder.h"

namespace coretel::otlp {

/// Appends the request for `records` to `out` (nothing when `records` is empty); returns the
/// number of log records written.
uint64_t encode_logs(const Resource& resource, std::span<const events::EventRecord> records,
                     Encoding encoding, std::string& out);

}  // namespace coretel::otlp
