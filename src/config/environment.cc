#include "coretel/config/environment.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <type_traits>
#include <unordered_set>

#include <fmt/format.h>

#include "../common/ascii.h"
#include "coretel/export/utf8.h"

namespace coretel {

namespace {

// What a warning shows of a value.
constexpr std::size_t kShownBytes = 64;
// Integer settings: 0 to 2^31 - 1 (SDK env vars, "Integer").
constexpr int64_t kMaxInteger = std::numeric_limits<int32_t>::max();

constexpr std::string_view kGrpcDefaultEndpoint = "http://localhost:4317";

using ascii::hex_digit;
using ascii::iequals;
using ascii::lowercase;

bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// Without the spaces and tabs around it (W3C Baggage OWS).
constexpr std::string_view trim(std::string_view text) noexcept {
  return ascii::trim_ows(text);
}

// The comma-separated pieces of `text`, empty ones included.
std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> pieces;
  for (;;) {
    const std::size_t comma = text.find(',');
    pieces.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return pieces;
    text.remove_prefix(comma + 1);
  }
}

// `text` as a warning shows it: its first kShownBytes bytes (not splitting a UTF-8 sequence),
// then "..." if cut, ill-formed UTF-8 replaced by U+FFFD, control characters as \xHH.
std::string shown(std::string_view text) {
  const bool cut = text.size() > kShownBytes;
  text = utf8_prefix(text, kShownBytes);
  std::string out;
  append_single_line(out, text);
  if (cut) out.append("...");
  return out;
}

// One variable as read: `value` is nullopt when unset or empty (SDK env vars, "Parsing empty
// value").
struct Variable {
  std::string_view name;
  std::optional<std::string> value;
  bool set() const noexcept { return value.has_value(); }
};

// Reads variables through the lookup and collects warnings.
class Reader {
 public:
  Reader(const EnvironmentLookup& lookup, std::vector<std::string>& warnings)
      : lookup_(lookup), warnings_(warnings) {}

  // Each variable is looked up once: the generic OTLP variables serve every signal.
  Variable get(std::string_view name) {
    if (name.empty() || !lookup_) return {name, std::nullopt};
    auto it = seen_.find(name);
    if (it == seen_.end()) {
      std::optional<std::string> value = lookup_(name);
      if (value && value->empty()) value.reset();
      it = seen_.emplace(std::string(name), std::move(value)).first;
    }
    return {it->first, it->second};
  }

  // "NAME=value: problem; outcome", once per text (a generic variable read for several signals
  // warns once when the outcome is the same, once per signal when it differs).
  void warn(const Variable& variable, std::string_view problem, std::string_view outcome) {
    if (!warned_.insert(fmt::format("{}\n{}\n{}", variable.name, problem, outcome)).second) return;
    warnings_.push_back(fmt::format("{}={}: {}; {}", variable.name,
                                    shown(variable.value.value_or(std::string())), problem,
                                    outcome));
  }
  // The same with the value hidden (headers: they often carry credentials).
  void warn_hidden(const Variable& variable, std::string_view problem, std::string_view outcome) {
    if (!warned_.insert(fmt::format("{}\n{}\n{}", variable.name, problem, outcome)).second) return;
    warnings_.push_back(fmt::format("{}=<hidden>: {}; {}", variable.name, problem, outcome));
  }

 private:
  const EnvironmentLookup& lookup_;
  std::vector<std::string>& warnings_;
  // std::map: a Variable's name views its key, which stays put.
  std::map<std::string, std::optional<std::string>, std::less<>> seen_;
  std::set<std::string> warned_;
};

// --- value types (SDK env vars, "Configuration types")

// A parser: the value of `text`, or nullopt with `problem` saying what is wrong.
template <class T>
using Parser = std::optional<T> (*)(std::string_view text, std::string& problem);

// A Numeric value (SDK env vars, "Numeric", "Duration", "Timeout"): whole milliseconds, 0 to
// 2^31 - 1; no sign, no spaces, no unit.
std::optional<std::chrono::milliseconds> parse_milliseconds(std::string_view text,
                                                            std::string& problem) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    problem = text.front() == '-' ? "negative" : fmt::format("greater than {}", kMaxInteger);
    return std::nullopt;
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    problem = "not a whole number of milliseconds";
    return std::nullopt;
  }
  if (value < 0) {
    problem = "negative";
    return std::nullopt;
  }
  if (value > kMaxInteger) {
    problem = fmt::format("greater than {}", kMaxInteger);
    return std::nullopt;
  }
  return std::chrono::milliseconds(value);
}

// The export interval: as parse_milliseconds, and > 0 (an interval of 0 has no meaning for a
// periodic reader: it is outside the item's valid range, SDK env vars "Numeric").
std::optional<std::chrono::milliseconds> parse_interval(std::string_view text,
                                                        std::string& problem) {
  std::optional<std::chrono::milliseconds> value = parse_milliseconds(text, problem);
  if (value && value->count() == 0) {
    problem = "an interval must be greater than 0";
    return std::nullopt;
  }
  return value;
}

// A count limit (SDK env vars, "Attribute Limits", "Span Limits"): a whole number, 0 to
// 2^31 - 1.
std::optional<std::size_t> parse_count(std::string_view text, std::string& problem) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > kMaxInteger) {
    problem = fmt::format("not a whole number from 0 to {}", kMaxInteger);
    return std::nullopt;
  }
  return static_cast<std::size_t>(value);
}

// A value length limit: as parse_count, and at least 1 (coretel's SpanLimits reads 0 as no
// limit, the variable's unset default).
std::optional<std::size_t> parse_length(std::string_view text, std::string& problem) {
  std::optional<std::size_t> value = parse_count(text, problem);
  if (value && *value == 0) {
    problem = "a length limit must be at least 1";
    return std::nullopt;
  }
  return value;
}

std::string show_milliseconds(std::chrono::milliseconds value) {
  return fmt::format("{} ms", value.count());
}

// Enums (SDK env vars, "Enum"): case-insensitive.
std::optional<OtlpProtocol> parse_protocol(std::string_view text, std::string& problem) {
  if (iequals(text, "http/protobuf")) return OtlpProtocol::kHttpProtobuf;
  if (iequals(text, "http/json")) return OtlpProtocol::kHttpJson;
  if (iequals(text, "grpc")) return OtlpProtocol::kGrpc;
  problem = "not grpc, http/protobuf or http/json";
  return std::nullopt;
}

// OTEL_TRACES_SAMPLER (SDK env vars, "General SDK Configuration"): the built-in samplers coretel
// has; jaeger_remote and xray are not among them.
std::optional<std::string> parse_sampler(std::string_view text, std::string& problem) {
  const std::string name = lowercase(text);
  for (std::string_view known : {"always_on", "always_off", "traceidratio", "parentbased_always_on",
                                 "parentbased_always_off", "parentbased_traceidratio"})
    if (name == known) return name;
  problem =
      "not always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off "
      "or parentbased_traceidratio";
  return std::nullopt;
}

// OTEL_TRACES_SAMPLER_ARG for the ratio samplers: a probability in [0, 1].
std::optional<double> parse_ratio(std::string_view text, std::string& problem) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) {
    problem = "not a probability from 0 to 1";
    return std::nullopt;
  }
  return value;
}

std::optional<OtlpCompression> parse_compression(std::string_view text, std::string& problem) {
  if (iequals(text, "none")) return OtlpCompression::kNone;
  if (iequals(text, "gzip")) return OtlpCompression::kGzip;
  problem = "not gzip or none";
  return std::nullopt;
}

std::optional<TemporalityPreference> parse_temporality(std::string_view text,
                                                       std::string& problem) {
  if (iequals(text, "cumulative")) return TemporalityPreference::kCumulative;
  if (iequals(text, "delta")) return TemporalityPreference::kDelta;
  if (iequals(text, "lowmemory")) return TemporalityPreference::kLowMemory;
  problem = "not cumulative, delta or lowmemory";
  return std::nullopt;
}

std::optional<std::string> parse_string(std::string_view text, std::string&) {
  return std::string(text);
}

template <class T>
std::string show(const T& value) {
  if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
    return show_milliseconds(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, std::size_t>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, double>) {
    return fmt::format("{}", value);
  } else {
    return std::string(to_string(value));
  }
}

// --- URLs (OTLP exporter, "Endpoint URLs for OTLP/HTTP")

// "host[:port]" (host a name, an IPv4 address or a bracketed IPv6 address; port decimal, at most
// 65535): true when well-formed (RFC 3986 section 3.2.2, loosely). `need_port`: the port must be
// there and non-empty.
bool valid_host_port(std::string_view authority, bool need_port) noexcept {
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
      has_port = true;
    }
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    has_port = true;
  }
  if (host.empty() || host == "[]") return false;
  // A name or IPv4 address: RFC 3986 reg-name characters (unreserved, pct-encoded, sub-delims).
  if (host.front() != '[' &&
      host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "-._~%!$&'()*+,;=") != std::string_view::npos)
    return false;
  if (need_port && port.empty()) return false;
  if (!has_port || port.empty()) return true;
  if (port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

bool has_space_or_control(std::string_view text) noexcept {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// An http:// or https:// URL cut in three: "scheme://authority", the path ("" or from '/') and
// the rest ("" or from '?' or '#').
struct HttpUrl {
  std::string_view origin;
  std::string_view path;
  std::string_view rest;
};

// nullopt unless `text` is an http:// or https:// URL (scheme of any case) with a host, an
// optional port and userinfo, and no space or control character.
std::optional<HttpUrl> split_http_url(std::string_view text) {
  std::size_t scheme_end = 0;
  if (istarts_with(text, "http://")) {
    scheme_end = 7;
  } else if (istarts_with(text, "https://")) {
    scheme_end = 8;
  } else {
    return std::nullopt;
  }
  if (has_space_or_control(text)) return std::nullopt;
  const std::size_t authority_end = std::min(text.find_first_of("/?#", scheme_end), text.size());
  std::string_view authority = text.substr(scheme_end, authority_end - scheme_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (!valid_host_port(authority, /*need_port=*/false)) return std::nullopt;
  const std::size_t path_end = std::min(text.find_first_of("?#", authority_end), text.size());
  return HttpUrl{text.substr(0, authority_end),
                 text.substr(authority_end, path_end - authority_end), text.substr(path_end)};
}

// OTEL_EXPORTER_OTLP_ENDPOINT for HTTP: a base URL, to which the signal's path ("v1/metrics",
// "v1/logs") is appended after a '/' (OTLP exporter, "Endpoint URLs for OTLP/HTTP").
std::optional<std::string> http_base_endpoint(std::string_view text, std::string_view signal_path,
                                              std::string& problem) {
  const std::optional<HttpUrl> url = split_http_url(text);
  if (!url) {
    problem = "not an http:// or https:// URL with a host";
    return std::nullopt;
  }
  std::string out(url->origin);
  out.append(url->path);
  if (out.back() != '/') out.push_back('/');
  out.append(signal_path);
  out.append(url->rest);
  return out;
}
std::optional<std::string> parse_http_base_endpoint_metrics(std::string_view text,
                                                            std::string& problem) {
  return http_base_endpoint(text, "v1/metrics", problem);
}
std::optional<std::string> parse_http_base_endpoint_logs(std::string_view text,
                                                         std::string& problem) {
  return http_base_endpoint(text, "v1/logs", problem);
}
std::optional<std::string> parse_http_base_endpoint_traces(std::string_view text,
                                                           std::string& problem) {
  return http_base_endpoint(text, "v1/traces", problem);
}

// OTEL_EXPORTER_OTLP_{METRICS,LOGS}_ENDPOINT for HTTP: used as is, except that no path becomes the
// root path "/" (OTLP exporter, "Endpoint URLs for OTLP/HTTP").
std::optional<std::string> parse_http_signal_endpoint(std::string_view text, std::string& problem) {
  const std::optional<HttpUrl> url = split_http_url(text);
  if (!url) {
    problem = "not an http:// or https:// URL with a host";
    return std::nullopt;
  }
  if (!url->path.empty()) return std::string(text);
  std::string out(url->origin);
  out.push_back('/');
  out.append(url->rest);
  return out;
}

// Either endpoint variable for gRPC: used as is, an http:// or https:// URL or a scheme-less
// host:port (OTLP exporter, "Configuration Options": Endpoint (OTLP/gRPC)).
std::optional<std::string> parse_grpc_endpoint(std::string_view text, std::string& problem) {
  if (split_http_url(text) ||
      (!has_space_or_control(text) && valid_host_port(text, /*need_port=*/true)))
    return std::string(text);
  problem = "not an http:// or https:// URL or a host:port";
  return std::nullopt;
}

// --- settings

// A setting read from one variable.
template <class T>
struct Read {
  Variable variable;
  std::optional<T> value;  // nullopt: unset, or set and unusable (`problem`)
  std::string problem;
};

template <class T>
Read<T> read(Reader& reader, std::string_view name, Parser<T> parse) {
  Read<T> result{reader.get(name), std::nullopt, {}};
  if (result.variable.set()) result.value = parse(*result.variable.value, result.problem);
  return result;
}

// An option with a generic and a metrics form (OTLP exporter, "Configuration Options": the
// metrics form wins) or with one form (pass an unset `generic`): the metrics value when usable,
// else the generic one, else `fallback`. Each unusable value warns, naming what is used instead.
template <class T>
T settle(Reader& reader, const Read<T>& generic, const Read<T>& metrics, T fallback) {
  T result = metrics.value ? *metrics.value : generic.value ? *generic.value : std::move(fallback);
  for (const Read<T>* one : {&generic, &metrics}) {
    if (one->variable.set() && !one->value)
      reader.warn(one->variable, one->problem, "using " + show(result));
  }
  return result;
}

template <class T>
T setting(Reader& reader, std::string_view generic_name, std::string_view metrics_name,
          Parser<T> parse, T fallback) {
  const Read<T> generic = read(reader, generic_name, parse);
  const Read<T> metrics = read(reader, metrics_name, parse);
  return settle(reader, generic, metrics, std::move(fallback));
}

// A Boolean (SDK env vars, "Boolean"): true only for "true" in any case; anything else is false,
// with a warning unless it is "false" in any case. Unset: nullopt.
std::optional<bool> read_boolean(Reader& reader, std::string_view name) {
  const Variable variable = reader.get(name);
  if (!variable.set()) return std::nullopt;
  if (iequals(*variable.value, "true")) return true;
  if (!iequals(*variable.value, "false"))
    reader.warn(variable, "not true or false", "taken as false");
  return false;
}

// OTEL_EXPORTER_OTLP_[METRICS_]HEADERS (OTLP exporter, "Specifying headers via environment
// variables"): "k1=v1,k2=v2" as W3C Baggage without properties; keys and values trimmed of
// spaces and tabs, then percent-decoded. An entry without '=', with an empty key, a bad percent
// escape, a key that is not an HTTP field name (RFC 9110 token) or a value with a control
// character (other than tab) warns and is skipped; empty entries are skipped silently. Warnings
// never show values.
std::optional<std::vector<std::pair<std::string, std::string>>> read_headers(
    Reader& reader, std::string_view name) {
  const Variable variable = reader.get(name);
  if (!variable.set()) return std::nullopt;
  static constexpr std::string_view kSkipped = "skipped that entry";
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t position = 0;
  for (std::string_view entry : split_commas(*variable.value)) {
    ++position;
    entry = trim(entry);
    if (entry.empty()) continue;
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos) {
      reader.warn_hidden(variable, fmt::format("entry {} has no '='", position), kSkipped);
      continue;
    }
    const std::string_view raw_key = trim(entry.substr(0, equals));
    const std::string_view raw_value = trim(entry.substr(equals + 1));
    if (raw_key.empty()) {
      reader.warn_hidden(variable, fmt::format("entry {} has an empty key", position), kSkipped);
      continue;
    }
    std::optional<std::string> key = percent_decode(raw_key);
    std::optional<std::string> value = percent_decode(raw_value);
    const char* problem = nullptr;
    if (!key || !value) {
      problem = "has a bad percent escape";
    } else if (key->empty() ||
               key->find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789!#$%&'*+-.^_`|~") != std::string::npos) {
      problem = "has a key that is not an HTTP header name";
    } else {
      for (char c : *value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7f) problem = "has a control character";
      }
    }
    if (problem != nullptr) {
      reader.warn_hidden(variable,
                         fmt::format("entry {} (\"{}\") {}", position, shown(raw_key), problem),
                         kSkipped);
      continue;
    }
    headers.emplace_back(std::move(*key), std::move(*value));
  }
  return headers;
}

// OTEL_RESOURCE_ATTRIBUTES (resource/sdk.md, "Specifying resource information via an environment
// variable"): "k1=v1,k2=v2", keys and values trimmed then percent-decoded, all values strings.
// On any error (an entry without '=', an empty key, a bad percent escape) the whole variable is
// discarded with one warning. Empty entries are skipped; a repeated key keeps its first place
// and takes the last value.
std::vector<Attribute> read_resource_attributes(Reader& reader) {
  const Variable variable = reader.get("OTEL_RESOURCE_ATTRIBUTES");
  if (!variable.set()) return {};
  static constexpr std::string_view kDiscarded = "ignored the whole variable";
  std::vector<Attribute> attributes;
  std::size_t position = 0;
  for (std::string_view entry : split_commas(*variable.value)) {
    ++position;
    entry = trim(entry);
    if (entry.empty()) continue;
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos) {
      reader.warn(variable, fmt::format("entry {} has no '='", position), kDiscarded);
      return {};
    }
    const std::string_view raw_key = trim(entry.substr(0, equals));
    if (raw_key.empty()) {
      reader.warn(variable, fmt::format("entry {} has an empty key", position), kDiscarded);
      return {};
    }
    std::optional<std::string> key = percent_decode(raw_key);
    std::optional<std::string> value = percent_decode(trim(entry.substr(equals + 1)));
    if (!key || !value) {
      reader.warn(variable, fmt::format("entry {} has a bad percent escape", position), kDiscarded);
      return {};
    }
    bool replaced = false;
    for (Attribute& attribute : attributes) {
      if (attribute.key == *key) {
        attribute.value = std::move(*value);
        replaced = true;
        break;
      }
    }
    if (!replaced) attributes.push_back({std::move(*key), std::move(*value)});
  }
  return attributes;
}

// OTEL_{METRICS,LOGS}_EXPORTER (SDK env vars, "Exporter Selection"): a comma-separated list of
// enum values out of `known`, trimmed and lowercased; unknown entries warn and are skipped,
// repeats are dropped, "none" with others warns and wins.
std::vector<std::string> read_exporters(Reader& reader, std::string_view name,
                                        std::initializer_list<std::string_view> known) {
  const Variable variable = reader.get(name);
  if (!variable.set()) return {};
  std::vector<std::string> exporters;
  for (std::string_view entry : split_commas(*variable.value)) {
    entry = trim(entry);
    if (entry.empty()) continue;
    std::string name_lower = lowercase(entry);
    if (std::find(known.begin(), known.end(), name_lower) == known.end()) {
      reader.warn(
          variable,
          fmt::format("unknown exporter \"{}\" (known: {})", shown(entry), fmt::join(known, ", ")),
          "skipped it");
      continue;
    }
    bool repeated = false;
    for (const std::string& seen : exporters) repeated = repeated || seen == name_lower;
    if (!repeated) exporters.push_back(std::move(name_lower));
  }
  if (exporters.size() > 1) {
    for (const std::string& exporter : exporters) {
      if (exporter == "none") {
        reader.warn(variable, "\"none\" listed with other exporters", "using none");
        return {"none"};
      }
    }
  }
  return exporters;
}

// OTEL_PROPAGATORS (SDK env vars, "General SDK Configuration"): a comma-separated list, trimmed,
// lowercased and deduplicated; coretel has tracecontext and baggage. The other standard values
// (b3, b3multi, jaeger, xray, ottrace) and unknown ones warn and are skipped; "none" with others
// warns and wins. Unset, or nothing usable: tracecontext,baggage.
std::vector<std::string> read_propagators(Reader& reader) {
  const Variable variable = reader.get("OTEL_PROPAGATORS");
  const std::vector<std::string> fallback = {"tracecontext", "baggage"};
  if (!variable.set()) return fallback;
  std::vector<std::string> out;
  for (std::string_view entry : split_commas(*variable.value)) {
    entry = trim(entry);
    if (entry.empty()) continue;
    std::string name = lowercase(entry);
    if (name != "tracecontext" && name != "baggage" && name != "none") {
      const bool standard = name == "b3" || name == "b3multi" || name == "jaeger" ||
                            name == "xray" || name == "ottrace";
      reader.warn(variable,
                  standard ? fmt::format("propagator \"{}\" is not in coretel", shown(entry))
                           : fmt::format("unknown propagator \"{}\" (known: tracecontext, "
                                         "baggage, none)",
                                         shown(entry)),
                  "skipped it");
      continue;
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  if (out.size() > 1 && std::find(out.begin(), out.end(), "none") != out.end()) {
    reader.warn(variable, "\"none\" listed with other propagators", "using none");
    return {"none"};
  }
  if (out.empty()) return fallback;
  return out;
}

// What differs between the metrics and the logs OTLP exporter's variables.
struct Signal {
  std::string_view name;  // in the variable names: "METRICS", "LOGS"
  std::string_view http_default_endpoint;
  Parser<std::string> http_base_endpoint;
};
constexpr Signal kMetricsSignal{"METRICS", "http://localhost:4318/v1/metrics",
                                parse_http_base_endpoint_metrics};
constexpr Signal kLogsSignal{"LOGS", "http://localhost:4318/v1/logs",
                             parse_http_base_endpoint_logs};
constexpr Signal kTracesSignal{"TRACES", "http://localhost:4318/v1/traces",
                               parse_http_base_endpoint_traces};

// `endpoint_set`: whether either endpoint variable is set (to any value).
OtlpExporterOptions read_otlp(Reader& reader, const Signal& signal, bool& endpoint_set) {
  auto var = [&signal](std::string_view option) {
    return fmt::format("OTEL_EXPORTER_OTLP_{}_{}", signal.name, option);
  };
  OtlpExporterOptions options;
  options.protocol = setting<OtlpProtocol>(reader, "OTEL_EXPORTER_OTLP_PROTOCOL", var("PROTOCOL"),
                                           parse_protocol, OtlpProtocol::kHttpProtobuf);

  const bool grpc = options.protocol == OtlpProtocol::kGrpc;
  const Read<std::string> generic_endpoint =
      read<std::string>(reader, "OTEL_EXPORTER_OTLP_ENDPOINT",
                        grpc ? parse_grpc_endpoint : signal.http_base_endpoint);
  const Read<std::string> signal_endpoint = read<std::string>(
      reader, var("ENDPOINT"), grpc ? parse_grpc_endpoint : parse_http_signal_endpoint);
  endpoint_set = generic_endpoint.variable.set() || signal_endpoint.variable.set();
  options.endpoint =
      settle(reader, generic_endpoint, signal_endpoint,
             std::string(grpc ? kGrpcDefaultEndpoint : signal.http_default_endpoint));

  // Headers: the signal's form, when set, replaces the generic one entirely.
  std::optional<std::vector<std::pair<std::string, std::string>>> generic_headers =
      read_headers(reader, "OTEL_EXPORTER_OTLP_HEADERS");
  std::optional<std::vector<std::pair<std::string, std::string>>> signal_headers =
      read_headers(reader, var("HEADERS"));
  if (signal_headers) {
    options.headers = std::move(*signal_headers);
  } else if (generic_headers) {
    options.headers = std::move(*generic_headers);
  }

  options.timeout = setting<std::chrono::milliseconds>(
      reader, "OTEL_EXPORTER_OTLP_TIMEOUT", var("TIMEOUT"), parse_milliseconds, options.timeout);
  options.compression =
      setting<OtlpCompression>(reader, "OTEL_EXPORTER_OTLP_COMPRESSION", var("COMPRESSION"),
                               parse_compression, OtlpCompression::kNone);
  options.certificate = setting<std::string>(reader, "OTEL_EXPORTER_OTLP_CERTIFICATE",
                                             var("CERTIFICATE"), parse_string, {});
  options.client_key = setting<std::string>(reader, "OTEL_EXPORTER_OTLP_CLIENT_KEY",
                                            var("CLIENT_KEY"), parse_string, {});
  options.client_certificate = setting<std::string>(reader, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
                                                    var("CLIENT_CERTIFICATE"), parse_string, {});

  const std::optional<bool> generic_insecure = read_boolean(reader, "OTEL_EXPORTER_OTLP_INSECURE");
  const std::optional<bool> signal_insecure = read_boolean(reader, var("INSECURE"));
  options.insecure = signal_insecure.value_or(generic_insecure.value_or(false));

  if (signal.name == kMetricsSignal.name)
    options.temporality = setting<TemporalityPreference>(
        reader, {}, "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", parse_temporality,
        TemporalityPreference::kCumulative);
  return options;
}

// A queue size of the batch processor: 1 to 65534 (Boost.Lockfree's fixed-size queue).
std::optional<std::size_t> parse_queue_size(std::string_view text, std::string& problem) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 65534) {
    problem = "not a whole number from 1 to 65534";
    return std::nullopt;
  }
  return static_cast<std::size_t>(value);
}

// OTEL_BLRP_* and OTEL_BSP_* (SDK env vars, "Batch LogRecord Processor", "Batch Span
// Processor"): the same four variables under `prefix`, into the events' or the spans' options.
template <class Options>
Options read_batch(Reader& reader, std::string_view prefix) {
  const std::string delay = fmt::format("{}_SCHEDULE_DELAY", prefix);
  const std::string timeout = fmt::format("{}_EXPORT_TIMEOUT", prefix);
  const std::string queue = fmt::format("{}_MAX_QUEUE_SIZE", prefix);
  const std::string batch_size = fmt::format("{}_MAX_EXPORT_BATCH_SIZE", prefix);
  Options b;
  b.schedule_delay =
      setting<std::chrono::milliseconds>(reader, {}, delay, parse_interval, b.schedule_delay);
  b.export_timeout =
      setting<std::chrono::milliseconds>(reader, {}, timeout, parse_milliseconds, b.export_timeout);
  b.max_queue_size = setting<std::size_t>(reader, {}, queue, parse_queue_size, b.max_queue_size);
  const Read<std::size_t> batch = read<std::size_t>(reader, batch_size, parse_queue_size);
  b.max_export_batch_size = settle(reader, Read<std::size_t>{}, batch,
                                   std::min(b.max_export_batch_size, b.max_queue_size));
  if (b.max_export_batch_size > b.max_queue_size) {
    // "must be less than or equal to maxQueueSize" (SDK env vars).
    reader.warn(batch.variable, fmt::format("greater than the queue size ({})", b.max_queue_size),
                fmt::format("using {}", b.max_queue_size));
    b.max_export_batch_size = b.max_queue_size;
  }
  return b;
}

// The span limits (SDK env vars, "Attribute Limits" and "Span Limits"): a model-specific
// variable (span, event, link) wins over the general OTEL_ATTRIBUTE_* one, which applies to
// every attribute collection without one.
trace::SpanLimits read_span_limits(Reader& reader) {
  trace::SpanLimits l;
  l.attribute_value_length =
      setting<std::size_t>(reader, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                           "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", parse_length, 0);
  l.attribute_count =
      setting<std::size_t>(reader, "OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
                           parse_count, l.attribute_count);
  l.event_count =
      setting<std::size_t>(reader, {}, "OTEL_SPAN_EVENT_COUNT_LIMIT", parse_count, l.event_count);
  l.link_count =
      setting<std::size_t>(reader, {}, "OTEL_SPAN_LINK_COUNT_LIMIT", parse_count, l.link_count);
  l.event_attribute_count =
      setting<std::size_t>(reader, "OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT",
                           parse_count, l.event_attribute_count);
  l.link_attribute_count =
      setting<std::size_t>(reader, "OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
                           parse_count, l.link_attribute_count);
  return l;
}

}  // namespace

std::string_view to_string(OtlpProtocol protocol) noexcept {
  switch (protocol) {
    case OtlpProtocol::kHttpProtobuf:
      return "http/protobuf";
    case OtlpProtocol::kHttpJson:
      return "http/json";
    case OtlpProtocol::kGrpc:
      return "grpc";
  }
  return "unknown";
}

std::string_view to_string(OtlpCompression compression) noexcept {
  switch (compression) {
    case OtlpCompression::kNone:
      return "none";
    case OtlpCompression::kGzip:
      return "gzip";
  }
  return "unknown";
}

std::string_view to_string(TemporalityPreference preference) noexcept {
  switch (preference) {
    case TemporalityPreference::kCumulative:
      return "cumulative";
    case TemporalityPreference::kDelta:
      return "delta";
    case TemporalityPreference::kLowMemory:
      return "lowmemory";
  }
  return "unknown";
}

EnvironmentLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_digit(text[i + 1]);
    const int low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

SdkConfiguration read_sdk_configuration(const EnvironmentLookup& lookup) {
  SdkConfiguration config;
  Reader reader(lookup, config.warnings);
  config.sdk_disabled = read_boolean(reader, "OTEL_SDK_DISABLED").value_or(false);
  config.service_name = reader.get("OTEL_SERVICE_NAME").value;
  if (auto level = reader.get("CORETEL_LOG").value) config.events.level = *level;
  config.resource_attributes = read_resource_attributes(reader);
  config.metrics_exporters =
      read_exporters(reader, "OTEL_METRICS_EXPORTER", {"otlp", "prometheus", "console", "none"});
  bool endpoint_set = false;
  config.otlp_metrics = read_otlp(reader, kMetricsSignal, endpoint_set);
  config.metric_reader.interval = setting<std::chrono::milliseconds>(
      reader, {}, "OTEL_METRIC_EXPORT_INTERVAL", parse_interval, config.metric_reader.interval);
  config.metric_reader.timeout = setting<std::chrono::milliseconds>(
      reader, {}, "OTEL_METRIC_EXPORT_TIMEOUT", parse_milliseconds, config.metric_reader.timeout);

  // coretel pushes OTLP only when asked: OTEL_METRICS_EXPORTER lists otlp or, with no exporter
  // chosen, an OTLP endpoint variable is set.
  bool otlp = false;
  if (config.metrics_exporters.empty()) {
    otlp = endpoint_set;
  } else {
    for (const std::string& name : config.metrics_exporters) otlp = otlp || name == "otlp";
  }
  config.otlp_metrics_enabled = otlp && !config.sdk_disabled;

  // Logs: the same rules; they choose what the `its` provider feeds.
  config.logs_exporters = read_exporters(reader, "OTEL_LOGS_EXPORTER", {"otlp", "console", "none"});
  bool logs_endpoint_set = false;
  config.events.otlp = read_otlp(reader, kLogsSignal, logs_endpoint_set);
  config.events.batch = read_batch<events::BatchLogProcessorOptions>(reader, "OTEL_BLRP");
  bool logs_otlp = false;
  if (config.logs_exporters.empty()) {
    logs_otlp = logs_endpoint_set;
  } else {
    bool console = false;
    for (const std::string& name : config.logs_exporters) {
      logs_otlp = logs_otlp || name == "otlp";
      console = console || name == "console";
    }
    config.events.its.console = console;
  }
  config.otlp_logs_enabled = logs_otlp && !config.sdk_disabled;
  config.events.its.otlp = config.otlp_logs_enabled;

  // Traces: the sampler, and its argument only for the ratio samplers and only when the
  // sampler variable is set (SDK env vars: "OTEL_TRACES_SAMPLER_ARG ... used only if
  // OTEL_TRACES_SAMPLER is set").
  config.traces_exporters =
      read_exporters(reader, "OTEL_TRACES_EXPORTER", {"otlp", "console", "none"});
  bool traces_endpoint_set = false;
  config.otlp_traces = read_otlp(reader, kTracesSignal, traces_endpoint_set);
  bool traces_otlp = false;
  if (config.traces_exporters.empty()) {
    traces_otlp = traces_endpoint_set;
  } else {
    for (const std::string& name : config.traces_exporters)
      traces_otlp = traces_otlp || name == "otlp";
  }
  config.otlp_traces_enabled = traces_otlp && !config.sdk_disabled;
  config.span_batch = read_batch<trace::BatchSpanProcessorOptions>(reader, "OTEL_BSP");
  config.span_limits = read_span_limits(reader);
  config.propagators = read_propagators(reader);
  const Read<std::string> sampler = read<std::string>(reader, "OTEL_TRACES_SAMPLER", parse_sampler);
  config.traces_sampler =
      settle(reader, Read<std::string>{}, sampler, std::string("parentbased_always_on"));
  if (sampler.value && sampler.value->ends_with("traceidratio")) {
    config.traces_sampler_ratio =
        setting<double>(reader, {}, "OTEL_TRACES_SAMPLER_ARG", parse_ratio, 1.0);
  }
  return config;
}

void report_configuration_warnings(const SdkConfiguration& config) {
  // Never destroyed: a call during static destruction still finds them.
  static auto* const mutex = new std::mutex;
  static auto* const reported = new std::unordered_set<std::string>;
  std::lock_guard<std::mutex> lock(*mutex);
  for (const std::string& warning : config.warnings) {
    if (!reported->insert(warning).second) continue;
    const std::string line = "coretel: " + warning + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace coretel
