// config_file.h: coretel's part of a YAML configuration file, in the OpenTelemetry Collector's
// layout (its `service::telemetry::logs` section), so one file can configure a service and
// coretel:
//
//   service:
//     telemetry:
//       logs:
//         level: info,syslog.receiver=debug   # CORETEL_LOG's syntax (events/filter.h)
//         providers:                          # per aspect: noop, console_direct,
//           engine: its                       #   console_async, its, otlp
//           admin: its                        #   (internal: console_direct or noop)
//           global: console_direct
//           internal: noop
//         queue_capacity: 2048                # console_async
//         its: {ring_capacity: 1024, recent_capacity: 256, interval_ms: 100,
//               console: true, otlp: false}
//         otlp: {endpoint: "http://localhost:4318/v1/logs", protocol: http/protobuf,
//                timeout_ms: 10000, compression: none}
//         batch: {schedule_delay_ms: 1000, export_timeout_ms: 30000, max_queue_size: 2048,
//                 max_export_batch_size: 512}
//
// Every key is optional; what the file leaves out keeps the value of `base` (the environment's:
// read_sdk_configuration().events), except that a `protocol` given without an `endpoint` turns
// a default endpoint into that protocol's default (http://localhost:4317 for grpc,
// http://localhost:4318/v1/logs otherwise). Other top-level keys and other keys of `service` and
// `telemetry` belong to the application and are not read; inside `logs`, an unknown key or
// value is an error.
//
// COLD PATH (start-up). Thread-safety: a pure function of its arguments and the file.
#pragma once

#include <stdexcept>
#include <string>

#include "coretel/events/provider.h"

namespace coretel {

/// A configuration file that cannot be used: what() is "FILE:LINE:COLUMN: problem", naming the
/// accepted keys or values where that is the problem.
class ConfigFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// `base` with what the file at `path` sets under service.telemetry.logs. Throws ConfigFileError
/// when the file cannot be read, is not YAML, or sets an unknown key, a value of the wrong type
/// or an unknown mode or level (the level's directives are checked by configure_events(), which
/// reports them as warnings). Range checks are configure_events()'s.
events::EventsConfiguration read_logs_configuration(const std::string& path,
                                                    events::EventsConfiguration base);

}  // namespace coretel
