// snapshot_message.h: the message a reporter sends to its collector, as 64-bit words.
//
// COLD PATH, shared by the reporter (encode) and the collector (decode). One message carries the
// changed fields of one combination of one series, all stamped with one timestamp:
//   word 0      header: series id (bits 0-31) | combination (bits 32-47) | field count (bits 48-63)
//   word 1      timestamp, Unix nanoseconds, taken by the reporter
//   then, per changed field: its index in the descriptor (one word), then its value words
//   (field_values.h). A message with field count 0 is legal (a heartbeat) but never sent.
#pragma once

#include <cstdint>

#include "coretel/collect/series.h"

namespace coretel {

struct SnapshotHeader {
  SeriesId series;
  uint32_t combination;
  uint32_t field_count;
};

inline constexpr uint32_t kSnapshotHeaderWords = 2;

constexpr uint64_t encode_snapshot_header(SeriesId series, uint32_t combination,
                                          uint32_t field_count) noexcept {
  return uint64_t{series} | (uint64_t{combination & 0xFFFF} << 32) |
         (uint64_t{field_count & 0xFFFF} << 48);
}

constexpr SnapshotHeader decode_snapshot_header(uint64_t word) noexcept {
  return {static_cast<SeriesId>(word & 0xFFFFFFFF), static_cast<uint32_t>((word >> 32) & 0xFFFF),
          static_cast<uint32_t>(word >> 48)};
}

/// Largest message for a series: every field changed.
constexpr uint32_t max_snapshot_words(const MetricsDescriptor& d) noexcept {
  return kSnapshotHeaderWords + static_cast<uint32_t>(d.fields.size()) + d.total_words();
}

}  // namespace coretel
