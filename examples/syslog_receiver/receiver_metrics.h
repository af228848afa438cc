// receiver_metrics.h: the demo engine's telemetry, generated from the registry.
//
// registry/syslog_receiver declares the metric sets (docs/telemetry/syslog_receiver); the
// build generates syslog_receiver/telemetry/*.h from it (coretel_generate_registry in
// examples/CMakeLists.txt). This header gives the generated types the demo's names.
//
// Every worker core registers one of each set per transport, with entity attributes
// {cpu.logical_number, network.transport} (SyslogReceiverAttributes); records happen on that
// worker's thread only.
#pragma once

#include "syslog_receiver/telemetry/syslog.h"

namespace coretel_demo {

/// Traffic of one transport on one core: bytes, parse time (Mmsc and histogram), connections.
using ReceiverMetrics = telemetry::SyslogReceiverMetrics;
/// The attributes a worker registers its sets with, typed.
using WorkerAttributes = telemetry::SyslogReceiverAttributes;
/// Messages parsed, counted per severity (a measurement attribute).
using MessagesBySeverity = telemetry::SyslogReceiverMessagesBySyslogSeverity;
/// Rejected input, counted per reason (a measurement attribute).
using ParseErrorsByReason = telemetry::SyslogReceiverErrorsByErrorType;
/// TCP connections refused at accept, counted per reason (tcp transport only).
using RefusalsByReason = telemetry::SyslogReceiverRefusalsBySyslogConnectionRefusalReason;
using RefusalReason = telemetry::SyslogConnectionRefusalReason;
/// Accepted TCP connections that ended, counted per reason (tcp transport only).
using ClosesByReason = telemetry::SyslogReceiverClosesBySyslogConnectionCloseReason;
using CloseReason = telemetry::SyslogConnectionCloseReason;

}  // namespace coretel_demo
