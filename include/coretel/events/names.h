// names.h: the naming rule of event names and event attribute keys, checked at compile time.
//
// Rule (OpenTelemetry semantic conventions, "Naming": names are lowercase, dot-separated
// namespaces, multi-word components in snake_case; an event name is such a name, "Events",
// `event_name`): one or more components separated by '.', each a lowercase ASCII letter
// followed by lowercase letters, digits and '_'. At most 255 bytes.
//
//   CORETEL_INFO("syslog.receiver.start", coretel::events::kv("network.transport", "tcp"));
//   CORETEL_INFO("Syslog Start");  // does not compile: the EventName constructor calls
//                                  // event_name_is_not_lowercase_dot_separated()
//
// Thread-safety: values.
#pragma once

#include <cstddef>
#include <string_view>

namespace coretel::events {

/// True when `name` follows the rule above.
constexpr bool is_valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 255) return false;
  bool component_start = true;
  for (char c : name) {
    const bool lower = c >= 'a' && c <= 'z';
    const bool digit = c >= '0' && c <= '9';
    if (component_start) {
      if (!lower) return false;
      component_start = false;
    } else if (c == '.') {
      component_start = true;
    } else if (!lower && !digit && c != '_') {
      return false;
    }
  }
  return !component_start;
}

// Not constexpr, on purpose: reached during constant evaluation, it makes the compiler reject
// the name with this function's name in the error.
void event_name_is_not_lowercase_dot_separated();
void attribute_key_is_not_lowercase_dot_separated();

/// An event name, checked when the program is compiled (from a string literal, or a constant
/// such as a generated event's kName).
class EventName {
 public:
  template <std::size_t N>
  consteval EventName(const char (&literal)[N]) : text_(literal, N - 1) {  // NOLINT: implicit
    if (!is_valid_name(text_)) event_name_is_not_lowercase_dot_separated();
  }
  consteval explicit EventName(std::string_view constant) : text_(constant) {
    if (!is_valid_name(text_)) event_name_is_not_lowercase_dot_separated();
  }
  constexpr std::string_view view() const noexcept { return text_; }

 private:
  std::string_view text_;
};

/// An event attribute key, checked when the program is compiled (only from a string literal).
class AttributeKey {
 public:
  template <std::size_t N>
  consteval AttributeKey(const char (&literal)[N]) : text_(literal, N - 1) {  // NOLINT: implicit
    if (!is_valid_name(text_)) attribute_key_is_not_lowercase_dot_separated();
  }
  constexpr std::string_view view() const noexcept { return text_; }

 private:
  std::string_view text_;
};

}  // namespace coretel::events
