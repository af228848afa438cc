// receiver_metrics.h: the demo engine's telemetry, declared as coretel metric sets.
//
// Every worker core registers one of each set per transport, with entity attributes
// {cpu.logical_number, network.transport}; records happen on that worker's thread only.
#pragma once

#include <array>
#include <cstdint>

#include "coretel/metrics/measurement.h"
#include "coretel/metrics/metric_set.h"
#include "syslog_message.h"

namespace coretel_demo {

// Per-message processing time buckets, in seconds: 0.5 µs .. 1 ms.
inline constexpr std::array<double, 12> kProcessingBoundsSeconds{
    0.5e-6, 1e-6, 2e-6, 4e-6, 8e-6, 16e-6, 32e-6, 64e-6, 128e-6, 256e-6, 512e-6, 1e-3};

/// Traffic of one transport on one core.
struct CORETEL_METRIC_SET_STRUCT(ReceiverMetrics) {
  coretel::Counter<uint64_t> bytes;
  coretel::Mmsc processing_time;
  coretel::Histogram<kProcessingBoundsSeconds> processing_time_distribution;
  coretel::Counter<uint64_t> connections_accepted;
  coretel::UpDownCounter<int64_t> connections_open;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(
    ReceiverMetrics, "syslog.receiver", "Syslog traffic received by one worker core.",
    CORETEL_FIELD(bytes, "syslog.receiver.bytes", "By",
                  "Bytes of syslog payload received (datagrams, or TCP stream bytes)."),
    CORETEL_FIELD(processing_time, "syslog.receiver.processing.duration", "s",
                  "Time to parse one message (RFC 5424 or RFC 3164)."),
    CORETEL_FIELD(processing_time_distribution, "syslog.receiver.processing.duration.distribution",
                  "s", "The same parse time as a histogram, 0.5 us to 1 ms buckets."),
    CORETEL_FIELD(connections_accepted, "syslog.receiver.connections.accepted", "{connection}",
                  "TCP connections accepted (always 0 for UDP)."),
    CORETEL_FIELD(connections_open, "syslog.receiver.connections.open", "{connection}",
                  "TCP connections open now (always 0 for UDP)."));

/// Messages parsed, counted per severity (a measurement attribute).
struct CORETEL_METRIC_SET_STRUCT(MessageMetrics) {
  coretel::Counter<uint64_t> messages;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(MessageMetrics, "syslog.receiver.messages",
                            "Syslog messages accepted, by severity.",
                            CORETEL_FIELD(messages, "syslog.receiver.messages", "{message}",
                                          "Messages parsed successfully (RFC 5424 or RFC 3164)."));

/// Rejected input, counted per reason (a measurement attribute).
struct CORETEL_METRIC_SET_STRUCT(ParseErrorMetrics) {
  coretel::Counter<uint64_t> errors;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(
    ParseErrorMetrics, "syslog.receiver.errors", "Syslog input rejected, by reason.",
    CORETEL_FIELD(errors, "syslog.receiver.parse_errors", "{message}",
                  "Messages or frames rejected; the reason says which rule they broke."));

CORETEL_MEASUREMENT_ATTRIBUTE(Severity, "syslog.severity", "emergency", "alert", "critical",
                              "error", "warning", "notice", "informational", "debug");
CORETEL_MEASUREMENT_ATTRIBUTE(ParseError, "error.type", "missing_priority", "invalid_priority",
                              "invalid_version", "invalid_timestamp", "invalid_header",
                              "invalid_structured_data", "message_too_long", "invalid_framing");

using MessagesBySeverity = coretel::MeasuredSet<MessageMetrics, Severity>;
using ParseErrorsByReason = coretel::MeasuredSet<ParseErrorMetrics, ParseError>;

}  // namespace coretel_demo
