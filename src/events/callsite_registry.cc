#include "callsite_registry.h"

#include <cstdio>
#include <cstdlib>

namespace coretel::events {

CallsiteRegistry& CallsiteRegistry::instance() {
  static CallsiteRegistry* registry = new CallsiteRegistry();  // never destroyed: sites outlive
  return *registry;
}

void CallsiteRegistry::ensure_filter() {
  if (filter_set_) return;
  filter_set_ = true;
  const char* spec = std::getenv("CORETEL_LOG");
  if (spec == nullptr || *spec == '\0') return;
  filter_ = EventFilter::parse(spec);
  for (const std::string& warning : filter_.warnings())
    std::fprintf(stderr, "coretel: %s\n", warning.c_str());
}

void CallsiteRegistry::apply(Callsite& site) const {
  site.interest_.store(
      filter_.enabled(site.scope(), site.severity()) ? Callsite::kAlways : Callsite::kNever,
      std::memory_order_relaxed);
}

bool CallsiteRegistry::add(Callsite& site) {
  std::lock_guard lock(mutex_);
  ensure_filter();
  if (site.interest_.load(std::memory_order_relaxed) == Callsite::kUnknown) {
    site.next_ = head_;
    head_ = &site;
    apply(site);
  }
  return site.interest_.load(std::memory_order_relaxed) == Callsite::kAlways;
}

void CallsiteRegistry::set_filter(EventFilter filter) {
  std::lock_guard lock(mutex_);
  filter_ = std::move(filter);
  filter_set_ = true;
  for (Callsite* site = head_; site != nullptr; site = site->next_) apply(*site);
}

bool Callsite::register_site() noexcept {
  try {
    return CallsiteRegistry::instance().add(*this);
  } catch (...) {  // the mutex failing: leave the site unknown, emit nothing this time
    return false;
  }
}

}  // namespace coretel::events
