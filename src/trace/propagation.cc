#include "coretel/trace/propagation.h"

#include <algorithm>

#include "../common/ascii.h"
#include "coretel/config/environment.h"

namespace coretel::trace {

namespace {

using ascii::iequals;
using ascii::trim_ows;

// RFC 7230 tchar.
bool token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), token_char);
}

// W3C Baggage baggage-octet: printable US-ASCII but space, '"', ',', ';' and '\'.
bool baggage_octet(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

// The value's octets percent-decoded; nullopt when an octet is not allowed or an escape is bad.
std::optional<std::string> decode_value(std::string_view v) {
  if (!std::all_of(v.begin(), v.end(), baggage_octet)) return std::nullopt;
  return percent_decode(v);
}

void encode_value(std::string& out, std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : v) {
    if (baggage_octet(c) && c != '%') {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
}

class TraceContextPropagator final : public TextMapPropagator {
 public:
  void inject(const Context& context, HeaderCarrier& carrier) const override {
    if (!context.span || !context.span->valid()) return;
    const SpanContext& s = *context.span;
    carrier.set("traceparent", format_traceparent(s.trace_id, s.span_id, s.flags));
    if (!s.trace_state.empty()) carrier.set("tracestate", s.trace_state.header());
  }
  Context extract(const HeaderCarrier& carrier, Context context) const override {
    // None, or two lines: not a parent to continue.
    const std::optional<std::string_view> line = carrier.single("traceparent");
    if (!line) return context;
    const std::optional<Traceparent> parent = parse_traceparent(*line);
    if (!parent) return context;
    SpanContext span;
    span.trace_id = parent->trace_id;
    span.span_id = parent->parent_id;
    span.flags = parent->flags;
    span.remote = true;
    if (std::optional<TraceState> state = TraceState::parse(carrier.get("tracestate")))
      span.trace_state = std::move(*state);
    context.span = std::move(span);
    return context;
  }
  std::vector<std::string> fields() const override { return {"traceparent", "tracestate"}; }
};

class BaggagePropagator final : public TextMapPropagator {
 public:
  void inject(const Context& context, HeaderCarrier& carrier) const override {
    const std::string header = context.baggage.header();
    if (!header.empty()) carrier.set("baggage", header);
  }
  Context extract(const HeaderCarrier& carrier, Context context) const override {
    const std::vector<std::string_view> lines = carrier.get("baggage");
    if (!lines.empty()) context.baggage = Baggage::parse(lines);
    return context;
  }
  std::vector<std::string> fields() const override { return {"baggage"}; }
};

class CompositePropagator final : public TextMapPropagator {
 public:
  explicit CompositePropagator(std::vector<std::shared_ptr<const TextMapPropagator>> all)
      : all_(std::move(all)) {}
  void inject(const Context& context, HeaderCarrier& carrier) const override {
    for (const auto& p : all_) p->inject(context, carrier);
  }
  Context extract(const HeaderCarrier& carrier, Context context) const override {
    for (const auto& p : all_) context = p->extract(carrier, std::move(context));
    return context;
  }
  std::vector<std::string> fields() const override {
    std::vector<std::string> out;
    for (const auto& p : all_)
      for (std::string& f : p->fields()) out.push_back(std::move(f));
    return out;
  }

 private:
  std::vector<std::shared_ptr<const TextMapPropagator>> all_;
};

}  // namespace

std::vector<std::string_view> HeaderCarrier::get(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : headers_)
    if (iequals(k, name)) out.push_back(v);
  return out;
}

std::optional<std::string_view> HeaderCarrier::single(std::string_view name) const noexcept {
  std::optional<std::string_view> out;
  for (const auto& [k, v] : headers_) {
    if (!iequals(k, name)) continue;
    if (out) return std::nullopt;  // a second line
    out = v;
  }
  return out;
}

void HeaderCarrier::set(std::string_view name, std::string value) {
  std::erase_if(headers_, [name](const auto& h) { return iequals(h.first, name); });
  headers_.emplace_back(std::string(name), std::move(value));
}

Baggage Baggage::parse(const std::vector<std::string_view>& header_lines) {
  Baggage out;
  std::size_t bytes = 0;
  for (std::string_view line : header_lines) {
    bytes += line.size();
    if (bytes > kMaxBytes) break;  // the rest is beyond the limit
    while (true) {
      const std::size_t comma = line.find(',');
      const std::string_view member = trim_ows(line.substr(0, comma));
      const std::size_t semicolon = member.find(';');
      const std::string_view pair = trim_ows(member.substr(0, semicolon));
      const std::size_t eq = pair.find('=');
      if (eq != std::string_view::npos) {
        const std::string_view key = trim_ows(pair.substr(0, eq));
        std::optional<std::string> value = decode_value(trim_ows(pair.substr(eq + 1)));
        if (token(key) && value) {
          const std::string properties(semicolon == std::string_view::npos
                                           ? std::string_view()
                                           : trim_ows(member.substr(semicolon + 1)));
          auto it = std::find_if(out.entries_.begin(), out.entries_.end(),
                                 [key](const BaggageEntry& e) { return e.key == key; });
          if (it != out.entries_.end()) {
            it->value = std::move(*value);
            it->properties = properties;
          } else if (out.entries_.size() < kMaxEntries) {
            out.entries_.push_back({std::string(key), std::move(*value), properties});
          }
        }
      }
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::string Baggage::header() const {
  std::string out;
  for (const BaggageEntry& e : entries_) {
    std::string member = e.key + "=";
    encode_value(member, e.value);
    if (!e.properties.empty()) member += ";" + e.properties;
    if (out.size() + (out.empty() ? 0 : 1) + member.size() > kMaxBytes) continue;
    if (!out.empty()) out += ',';
    out += member;
  }
  return out;
}

std::optional<std::string_view> Baggage::get(std::string_view key) const noexcept {
  for (const BaggageEntry& e : entries_)
    if (e.key == key) return std::string_view(e.value);
  return std::nullopt;
}

Baggage Baggage::with(std::string key, std::string value, std::string properties) const {
  Baggage out = *this;
  if (!token(key)) return out;
  for (BaggageEntry& e : out.entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      e.properties = std::move(properties);
      return out;
    }
  }
  out.entries_.push_back({std::move(key), std::move(value), std::move(properties)});
  return out;
}

std::shared_ptr<const TextMapPropagator> trace_context_propagator() {
  static const auto p = std::make_shared<const TraceContextPropagator>();
  return p;
}

std::shared_ptr<const TextMapPropagator> baggage_propagator() {
  static const auto p = std::make_shared<const BaggagePropagator>();
  return p;
}

std::shared_ptr<const TextMapPropagator> composite_propagator(
    std::vector<std::shared_ptr<const TextMapPropagator>> propagators) {
  return std::make_shared<const CompositePropagator>(std::move(propagators));
}

std::shared_ptr<const TextMapPropagator> propagator_for(const std::vector<std::string>& names) {
  std::vector<std::shared_ptr<const TextMapPropagator>> all;
  for (const std::string& name : names) {
    if (name == "tracecontext") all.push_back(trace_context_propagator());
    if (name == "baggage") all.push_back(baggage_propagator());
  }
  return composite_propagator(std::move(all));
}

}  // namespace coretel::trace
