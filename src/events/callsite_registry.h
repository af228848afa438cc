// callsite_registry.h (internal): the filter in force and every call site that has run, so that
// a new filter reaches the cached interest of each (emit.h: Callsite).
// COLD PATH. Thread-safe: one mutex.
#pragma once

#include <mutex>

#include "coretel/events/emit.h"
#include "coretel/events/filter.h"

namespace coretel::events {

class CallsiteRegistry {
 public:
  static CallsiteRegistry& instance();

  /// Adds `site` (once) and sets its interest from the filter; returns it.
  bool add(Callsite& site);
  /// Replaces the filter and recomputes every registered call site's interest.
  void set_filter(EventFilter filter);

 private:
  // Until a filter is set, the first call site reads CORETEL_LOG (and reports its warnings).
  void ensure_filter();
  void apply(Callsite& site) const;

  std::mutex mutex_;
  EventFilter filter_;
  bool filter_set_ = false;
  Callsite* head_ = nullptr;
};

}  // namespace coretel::events
