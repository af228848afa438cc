// emit.h: emitting events. What an engine includes.
//
//   #define CORETEL_EVENT_SCOPE "syslog.receiver"   // per file, or per library in CMake:
//                                                   // target_compile_definitions(lib PRIVATE
//                                                   //   CORETEL_EVENT_SCOPE="syslog.receiver")
//   #include "coretel/events/emit.h"
//   namespace ev = coretel::events;
//   CORETEL_INFO("syslog.receiver.start", ev::kv("network.transport", "tcp"),
//                ev::kv("server.port", port));
//   CORETEL_WARN("syslog.receiver.parse.fail", ev::body("no PRI"), ev::kv("peer", formatted));
//
// CORETEL_DEBUG / _INFO / _WARN / _ERROR(NAME, FIELDS...) emit one event at that severity:
//  * NAME is a string literal checked when compiled (names.h): lowercase, dot-separated;
//  * FIELDS are kv(KEY, VALUE) attributes, KEY a literal checked the same way, VALUE a string
//    (std::string, std::string_view, const char*), an integer, a floating-point number, a bool,
//    or any type fmt can format (written as its text); and at most one body(TEXT);
//  * the scope (InstrumentationScope) is CORETEL_EVENT_SCOPE as defined when this header was
//    included ("default" when it was not); CORETEL_EVENT_IN(SCOPE, SEVERITY, NAME, FIELDS...)
//    names one for a single event.
// An event declared in a registry has a typed emitter in the code coretel-schema generates
// (docs/events.md): CORETEL_EMIT(SEVERITY, EVENT, ARGS...) emits EVENT (a generated
// `<Name>Event` type) with its attributes as typed arguments, in the registry's order, required
// ones first: a wrong name, a missing required attribute or a wrong type does not compile (an
// attribute with no scalar value, an array or an enum of mixed value types, is not a parameter
// and cannot be given), and the arguments are evaluated only when the event is enabled.
//   CORETEL_EMIT(ev::Severity::kInfo, telemetry::SyslogReceiverStartEvent, address, port, cores);
// Cost: each use is a call site with static state. Disabled by the filter (filter.h), an event
// costs one relaxed load and a branch, and its fields are not evaluated; on a thread whose
// aspect's provider is noop, one more load. Enabled, the fields are evaluated, the record is
// built on the stack and the aspect's provider takes it (provider.h). An unsigned value above
// 2^63 - 1 is written as a double (OTLP has no unsigned integer).
//
// Thread-safety: any thread. A call site registers itself, once, the first time it runs; call
// sites must outlive the program's events (static storage: a library holding call sites must
// not be unloaded).
#pragma once

#include <array>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "coretel/events/names.h"
#include "coretel/events/provider.h"
#include "coretel/events/record.h"
#include "coretel/events/severity.h"

// The scope of the events of this file: define it before including this header (or for a whole
// library with target_compile_definitions); "default" otherwise.
#ifndef CORETEL_EVENT_SCOPE
#define CORETEL_EVENT_SCOPE "default"
#endif

namespace coretel::events {

/// One use of an emitting macro: its scope, name and severity, and whether the current filter
/// lets it through (cached; recomputed when configure_events() changes the filter).
class Callsite {
 public:
  constexpr Callsite(std::string_view scope, EventName name, Severity severity) noexcept
      : scope_(scope), name_(name.view()), severity_(severity) {}
  Callsite(const Callsite&) = delete;
  Callsite& operator=(const Callsite&) = delete;

  /// Whether the filter lets this call site through (the first call registers it).
  bool enabled() noexcept {
    const uint8_t interest = interest_.load(std::memory_order_relaxed);
    if (interest == kAlways) return true;
    if (interest == kNever) [[likely]]
      return false;
    return register_site();
  }
  std::string_view scope() const noexcept { return scope_; }
  std::string_view name() const noexcept { return name_; }
  Severity severity() const noexcept { return severity_; }

 private:
  friend class CallsiteRegistry;
  static constexpr uint8_t kUnknown = 0, kNever = 1, kAlways = 2;
  bool register_site() noexcept;

  std::string_view scope_;
  std::string_view name_;
  Severity severity_;
  std::atomic<uint8_t> interest_{kUnknown};
  Callsite* next_ = nullptr;  // the registry's list, guarded by its mutex
};

/// An attribute of an event: kv(key, value).
struct Field {
  std::string_view key;
  AttributeValueRef value;
};
/// An attribute whose value was formatted (a type fmt formats); owns its text.
struct FormattedField {
  std::string_view key;
  std::string text;
};
/// The event's body: body(text).
struct Body {
  std::string_view text;
};

inline Field kv(AttributeKey key, std::string_view v) noexcept {
  return {key.view(), v};
}
/// A null pointer is an empty string.
inline Field kv(AttributeKey key, const char* v) noexcept {
  return {key.view(), v != nullptr ? std::string_view(v) : std::string_view()};
}
inline Field kv(AttributeKey key, const std::string& v) noexcept {
  return {key.view(), std::string_view(v)};
}
inline Field kv(AttributeKey key, bool v) noexcept {
  return {key.view(), v};
}
template <std::integral T>
requires(!std::same_as<T, bool> && !std::same_as<T, char>) Field kv(AttributeKey key, T v)
noexcept {
  if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
    if (v > static_cast<T>(std::numeric_limits<int64_t>::max()))
      return {key.view(), static_cast<double>(v)};
  }
  return {key.view(), static_cast<int64_t>(v)};
}
template <std::floating_point T>
Field kv(AttributeKey key, T v) noexcept {
  return {key.view(), static_cast<double>(v)};
}
template <class T>
requires(!std::convertible_to<const T&, std::string_view> && !std::is_arithmetic_v<T> &&
         fmt::is_formattable<T>::value) FormattedField kv(AttributeKey key, const T& v) {
  return {key.view(), fmt::format("{}", v)};
}
inline Body body(std::string_view text) noexcept {
  return {text};
}

namespace detail {

/// Whether the calling thread's aspect has a provider (is not noop).
bool thread_has_provider() noexcept;
/// Builds the record and hands it to the calling thread's provider.
void dispatch(const Callsite& site, std::string_view body,
              std::span<const AttributeRef> attributes) noexcept;

inline void add(AttributeRef*& out, std::string_view&, const Field& f) noexcept {
  *out++ = {f.key, f.value};
}
inline void add(AttributeRef*& out, std::string_view&, const FormattedField& f) noexcept {
  *out++ = {f.key, std::string_view(f.text)};
}
inline void add(AttributeRef*&, std::string_view& body, const Body& b) noexcept {
  body = b.text;
}

template <class T>
inline constexpr std::size_t kIsAttribute = std::is_same_v<std::decay_t<T>, Body> ? 0 : 1;

template <class... Fields>
void emit(const Callsite& site, const Fields&... fields) noexcept {
  static_assert(((std::is_same_v<Fields, Field> || std::is_same_v<Fields, FormattedField> ||
                  std::is_same_v<Fields, Body>)&&...),
                "event fields are coretel::events::kv(key, value) and body(text)");
  static_assert((0 + ... + (1 - kIsAttribute<Fields>)) <= 1, "an event has at most one body");
  constexpr std::size_t n = (0 + ... + kIsAttribute<Fields>);
  std::array<AttributeRef, n == 0 ? 1 : n> attributes;
  [[maybe_unused]] AttributeRef* out = attributes.data();
  std::string_view text;
  (add(out, text, fields), ...);
  dispatch(site, text, std::span<const AttributeRef>(attributes.data(), n));
}

}  // namespace detail

}  // namespace coretel::events

/// Emits event NAME at `severity` (a coretel::events::Severity) in `scope` (a string literal or
/// constant) with FIELDS, evaluated only when the event is enabled.
#define CORETEL_EVENT_IN(scope, severity, name, ...)                                         \
  do {                                                                                       \
    static constinit ::coretel::events::Callsite coretel_event_site_(scope, name, severity); \
    if (coretel_event_site_.enabled() && ::coretel::events::detail::thread_has_provider())   \
        [[unlikely]]                                                                         \
      ::coretel::events::detail::emit(coretel_event_site_ __VA_OPT__(, ) __VA_ARGS__);       \
  } while (false)
/// Emits the registry-declared EVENT (a generated `<Name>Event`) at `severity` in
/// CORETEL_EVENT_SCOPE through its typed emit(): ARGS are its attributes, evaluated only when the
/// event is enabled.
#define CORETEL_EMIT(severity, EVENT, ...)                                                 \
  do {                                                                                     \
    static constinit ::coretel::events::Callsite coretel_event_site_(                      \
        CORETEL_EVENT_SCOPE, ::coretel::events::EventName(EVENT::kName), severity);        \
    if (coretel_event_site_.enabled() && ::coretel::events::detail::thread_has_provider()) \
        [[unlikely]]                                                                       \
      EVENT::emit(coretel_event_site_ __VA_OPT__(, ) __VA_ARGS__);                         \
  } while (false)
/// The same in CORETEL_EVENT_SCOPE.
#define CORETEL_EVENT(severity, name, ...) \
  CORETEL_EVENT_IN(CORETEL_EVENT_SCOPE, severity, name __VA_OPT__(, ) __VA_ARGS__)

#define CORETEL_DEBUG(name, ...) \
  CORETEL_EVENT(::coretel::events::Severity::kDebug, name __VA_OPT__(, ) __VA_ARGS__)
#define CORETEL_INFO(name, ...) \
  CORETEL_EVENT(::coretel::events::Severity::kInfo, name __VA_OPT__(, ) __VA_ARGS__)
#define CORETEL_WARN(name, ...) \
  CORETEL_EVENT(::coretel::events::Severity::kWarn, name __VA_OPT__(, ) __VA_ARGS__)
#define CORETEL_ERROR(name, ...) \
  CORETEL_EVENT(::coretel::events::Severity::kError, name __VA_OPT__(, ) __VA_ARGS__)
