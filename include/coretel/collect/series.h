// series.h: SeriesInfo, the immutable metadata of one registered metric-set instance.
//
// COLD PATH. Created once at registration by SeriesRegistry, which owns it; never modified
// afterwards, so any thread may read it. Collectors, published views and export transactions
// point at it (no reference count per holder): the registry frees it only after its collector
// retired it and every SeriesPin taken before that is gone (registry.h), and a view or
// transaction holds such a pin. It holds the attributes, not rendered text: each exporter renders
// its own label and name strings (the Prometheus renderer caches them per series across scrapes,
// keyed by `serial`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coretel/metrics/attributes.h"
#include "coretel/metrics/descriptor.h"
#include "coretel/metrics/measurement.h"

namespace coretel {

using SeriesId = uint32_t;

/// A deduplicated entity: the attribute set that identifies an observed thing. Two registrations
/// with equal entity attributes share one Entity. Owned by the registry, freed with the last
/// series that uses it (same rule as SeriesInfo).
struct Entity {
  uint64_t id;
  Attributes attributes;
};

struct SeriesInfo {
  // Members ordered to leave no padding (this struct is kept once per series), and what a scrape
  // reads of every series first (id, serial, descriptor, combination count: one cache line).
  SeriesId id;
  /// Which collector (NUMA node) accumulates this series.
  uint32_t collector_index = 0;
  /// Unique per registration in the process (ids are reused, serials never): what a cache
  /// that outlives a view keys a series by.
  uint64_t serial = 0;
  const MetricsDescriptor* descriptor;
  uint32_t combination_count = 1;
  uint32_t words_per_combination = 0;
  /// Never null.
  const Entity* entity;
  uint64_t start_time_unix_nano = 0;
  /// Measurement attributes (empty for a plain set); combination_count is the product of their
  /// radixes. Points at the MeasuredSet's static table.
  std::span<const MeasurementAttributeDescriptor> measurement;
  /// Registration attributes: never null for a registered series (an empty set when none).
  const Attributes* registration = nullptr;
  /// Word offset of field `f` inside one combination's value block.
  uint32_t field_offset(std::size_t f) const noexcept { return descriptor->layout[f].word_offset; }

  /// The measurement-attribute value strings of a combination (one per attribute, in declaration
  /// order; the first attribute is the lowest mixed-radix digit).
  std::vector<std::string_view> combination_values(uint32_t combination) const;
};

}  // namespace coretel
