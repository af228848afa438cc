// batch_options.h (internal): the range check both batching processors share (the OTLP logs batch
// processor's BatchLogProcessorOptions, the batch span processor's BatchSpanProcessorOptions:
// the same four options of the SDK's batching processors, logs/sdk.md and trace/sdk.md).
// COLD PATH (construction).
#pragma once

#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace coretel::detail {

/// Throws std::invalid_argument, "coretel: <what> <option> ... out of range ...", when one of
/// `o`'s options is out of range: schedule_delay > 0, export_timeout >= 0, max_queue_size 1 to
/// 65534 (Boost.Lockfree's fixed-size queue), max_export_batch_size 1 to max_queue_size.
template <class Options>
void check_batch_options(const Options& o, std::string_view what) {
  if (o.schedule_delay.count() <= 0)
    throw std::invalid_argument(fmt::format("coretel: {} schedule_delay must be above 0 ms", what));
  if (o.export_timeout.count() < 0)
    throw std::invalid_argument(
        fmt::format("coretel: {} export_timeout must not be negative", what));
  if (o.max_queue_size < 1 || o.max_queue_size > 65534)
    throw std::invalid_argument(fmt::format(
        "coretel: {} max_queue_size {} is out of range (1 to 65534)", what, o.max_queue_size));
  if (o.max_export_batch_size < 1 || o.max_export_batch_size > o.max_queue_size)
    throw std::invalid_argument(fmt::format(
        "coretel: {} max_export_batch_size {} is out of range (1 to max_queue_size, {})", what,
        o.max_export_batch_size, o.max_queue_size));
}

}  // namespace coretel::detail
