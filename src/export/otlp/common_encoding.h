// common_encoding.h (internal): the OTLP common messages (opentelemetry-proto common/v1:
// AnyValue, KeyValue) as every signal's encoder writes them, in the protobuf wire format and in
// OTLP/JSON (the OTLP specification's "JSON Protobuf Encoding": lowerCamelCase keys, 64-bit
// integers as decimal strings, non-finite doubles as "NaN", "Infinity", "-Infinity").
// Strings that are not UTF-8 have each ill-formed subsequence replaced by U+FFFD
// (coretel/export/utf8.h): protobuf `string` fields and JSON must be UTF-8, and a receiver
// rejects the whole request otherwise.
// COLD PATH (exporter threads). Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "coretel/metrics/attributes.h"
#include "protobuf_wire.h"

namespace coretel::otlp {

// --- protobuf

/// A `string` field, made UTF-8.
void write_string(ProtobufWriter& w, uint32_t field, std::string_view text);
/// An AnyValue message as field `field` of the enclosing message.
void write_any_value(ProtobufWriter& w, uint32_t field, AttributeValueRef value);
/// A KeyValue message as field `field` of the enclosing message.
void write_key_value(ProtobufWriter& w, uint32_t field, std::string_view key,
                     AttributeValueRef value);
/// One KeyValue per attribute, each as field `field`.
void write_attributes(ProtobufWriter& w, uint32_t field, const Attributes& attributes);

// --- OTLP/JSON

/// A JSON string, made UTF-8, with `"`, `\` and control characters escaped.
void append_json_string(std::string& out, std::string_view text);
/// A JSON number, or "NaN" / "Infinity" / "-Infinity" as strings (proto3 JSON).
void append_json_double(std::string& out, double v);
/// A 64-bit integer as a decimal string.
void append_json_u64(std::string& out, uint64_t v);
void append_json_i64(std::string& out, int64_t v);
/// The members of an AnyValue object, without its braces: "stringValue":"..." and so on.
void append_any_value_members(std::string& out, AttributeValueRef value);
/// One KeyValue object, preceded by a comma unless `first` (which it then clears).
void append_key_value(std::string& out, bool& first, std::string_view key, AttributeValueRef value);
/// "attributes":[...] with one KeyValue per attribute.
void append_attributes(std::string& out, const Attributes& attributes);

}  // namespace coretel::otlp
