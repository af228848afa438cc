// traces_encoder.h (internal): spans as one ExportTraceServiceRequest (opentelemetry-proto:
// collector/trace/v1/trace_service.proto, trace/v1/trace.proto), in the protobuf wire format or
// in OTLP/JSON (common_encoding.h has the JSON rules).
//
// The mapping (OpenTelemetry trace data model: trace/api.md and trace/sdk.md's span fields, as
// opentelemetry-proto trace/v1 carries them):
//  * one ResourceSpans with the Resource's attributes;
//  * one ScopeSpans per instrumentation scope (SpanData::scope, its name only), scopes in the
//    order they first appear, spans of a scope in the order given;
//  * one Span per SpanData: trace_id and span_id (bytes; lowercase hex strings in JSON, per the
//    JSON mapping), trace_state (the tracestate header value, left out when empty),
//    parent_span_id (only when the span has a parent), flags (SpanFlags: the W3C trace flags in
//    bits 0-7, HAS_IS_REMOTE 0x100 always, IS_REMOTE 0x200 when the parent is remote; a root
//    span has no remote parent), name, kind (SpanKind + 1: INTERNAL 1 ... CONSUMER 5),
//    start_time_unix_nano, end_time_unix_nano, attributes in the order given, events (time,
//    name, attributes) and links (trace_id, span_id, trace_state, attributes, flags as for a
//    span with the linked context's remote bit), the dropped_* counts when not zero, and status
//    (message when not empty, code when not UNSET; in JSON "status" is always there with its
//    code).
// COLD PATH (the exporter's thread). Thread-compatible.
#pragma once

#include <span>
#include <string>

#include "coretel/resource.h"
#include "coretel/trace/span.h"
#include "metrics_encoder.h"

namespace coretel::otlp {

/// Appends the request for `spans` to `out` (nothing when `spans` is empty); returns the number
/// of spans written.
uint64_t encode_traces(const Resource& resource, std::span<const trace::SpanData> spans,
                       Encoding encoding, std::string& out);

}  // namespace coretel::otlp
