// clock.h: the one clock of the collection pipeline.
//
// Every time the pipeline records (a series' start time at registration, a snapshot's
// timestamp when a reporter sends it, a collector's merge and publish times) reads this clock,
// so a series' start time is never later than the timestamps of its values: two clocks of
// different resolution (a precise one at registration, a coarse one at report) would let a
// value sent within the same tick carry a time before its series started.
#pragma once

#include <cstdint>

namespace coretel {

/// Wall-clock time in nanoseconds since the Unix epoch, from CLOCK_REALTIME_COARSE: a few
/// nanoseconds to read (no TSC access), at the kernel tick's resolution (1 to 4 ms), ample for
/// 100 ms report cadences. Follows wall-clock adjustments like CLOCK_REALTIME. Any thread.
uint64_t unix_nano_now() noexcept;

}  // namespace coretel
