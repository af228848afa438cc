#include "common_encoding.h"

#include <cmath>
#include <variant>

#include "../../metrics/number_format.h"
#include "coretel/export/utf8.h"

namespace coretel::otlp {

namespace {

// opentelemetry-proto common/v1 field numbers.
constexpr uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr uint32_t kAnyString = 1, kAnyBool = 2, kAnyInt = 3, kAnyDouble = 4;

using ValueVariant = std::variant<std::string_view, int64_t, double, bool>;

}  // namespace

void write_string(ProtobufWriter& w, uint32_t field, std::string_view text) {
  if (is_valid_utf8(text)) {
    w.bytes_field(field, text);
  } else {
    w.bytes_field(field, to_valid_utf8(text));
  }
}

void write_any_value(ProtobufWriter& w, uint32_t field, AttributeValueRef value) {
  const std::size_t mark = w.begin_message(field);
  std::visit(
      [&w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          write_string(w, kAnyString, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          w.varint_field(kAnyBool, v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          w.varint_field(kAnyInt, static_cast<uint64_t>(v));
        } else {
          w.double_field(kAnyDouble, v);
        }
      },
      static_cast<const ValueVariant&>(value));
  w.end_message(mark);
}

void write_key_value(ProtobufWriter& w, uint32_t field, std::string_view key,
                     AttributeValueRef value) {
  const std::size_t mark = w.begin_message(field);
  write_string(w, kKeyValueKey, key);
  write_any_value(w, kKeyValueValue, value);
  w.end_message(mark);
}

void write_attributes(ProtobufWriter& w, uint32_t field, const Attributes& attributes) {
  for (const AttributeRef& a : attributes) write_key_value(w, field, a.key, a.value);
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::string valid;
  if (!is_valid_utf8(text)) {
    valid = to_valid_utf8(text);
    text = valid;
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void append_json_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append(std::isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  append_double(out, v, NonFiniteStyle::kAttribute);
}

void append_json_u64(std::string& out, uint64_t v) {
  char buf[kMaxNumberChars];
  out.push_back('"');
  out.append(buf, format_u64(buf, v));
  out.push_back('"');
}

void append_json_i64(std::string& out, int64_t v) {
  out.push_back('"');
  append_i64(out, v);
  out.push_back('"');
}

void append_any_value_members(std::string& out, AttributeValueRef value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          out.append("\"stringValue\":");
          append_json_string(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out.append(v ? "\"boolValue\":true" : "\"boolValue\":false");
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out.append("\"intValue\":");
          append_json_i64(out, v);
        } else {
          out.append("\"doubleValue\":");
          append_json_double(out, v);
        }
      },
      static_cast<const ValueVariant&>(value));
}

void append_key_value(std::string& out, bool& first, std::string_view key,
                      AttributeValueRef value) {
  if (!first) out.push_back(',');
  first = false;
  out.append("{\"key\":");
  append_json_string(out, key);
  out.append(",\"value\":{");
  append_any_value_members(out, value);
  out.append("}}");
}

void append_attributes(std::string& out, const Attributes& attributes) {
  out.append("\"attributes\":[");
  bool first = true;
  for (const AttributeRef& a : attributes) append_key_value(out, first, a.key, a.value);
  out.push_back(']');
}

}  // namespace coretel::otlp
