#include "coretel/config/config_file.h"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include <fmt/format.h>

#include "coretel/config/environment.h"

namespace coretel {

namespace {

// Reads one mapping, refusing keys it does not know.
class Section {
 public:
  Section(const std::string& path, const YAML::Node& node, std::string name,
          std::initializer_list<std::string_view> keys)
      : path_(path), node_(node), name_(std::move(name)) {
    if (!node_.IsMap()) fail(node_, fmt::format("`{}` must be a mapping", name_));
    for (const auto& entry : node_) {
      if (!entry.first.IsScalar())
        fail(entry.first, fmt::format("a key of `{}` is not a name", name_));
      const std::string key = entry.first.Scalar();
      bool known = false;
      for (std::string_view k : keys) known = known || k == key;
      if (!known)
        fail(entry.first, fmt::format("unknown key `{}` in `{}` (accepted: {})", key, name_,
                                      fmt::join(keys, ", ")));
    }
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& problem) const {
    const YAML::Mark mark = at.Mark();
    throw ConfigFileError(
        fmt::format("{}:{}:{}: {}", path_, mark.line + 1, mark.column + 1, problem));
  }

  // The const operator[]: a missing key is not inserted.
  YAML::Node get(std::string_view key) const { return node_[std::string(key)]; }
  std::string qualified(std::string_view key) const { return fmt::format("{}.{}", name_, key); }

  void string(std::string_view key, std::string& out) const {
    if (const YAML::Node n = get(key)) {
      if (!n.IsScalar()) fail(n, fmt::format("`{}` must be a string", qualified(key)));
      out = n.as<std::string>();
    }
  }
  void boolean(std::string_view key, bool& out) const {
    if (const YAML::Node n = get(key)) {
      bool v = false;
      if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
        fail(n, fmt::format("`{}` must be true or false", qualified(key)));
      out = v;
    }
  }
  void count(std::string_view key, std::size_t& out) const {
    if (const YAML::Node n = get(key)) {
      uint64_t v = 0;
      if (!n.IsScalar() || n.Scalar().starts_with('-') || !YAML::convert<uint64_t>::decode(n, v))
        fail(n, fmt::format("`{}` must be a whole number", qualified(key)));
      out = static_cast<std::size_t>(v);
    }
  }
  // Whole milliseconds, 0 to 2^31 - 1 (as the OTEL_* durations).
  void millis(std::string_view key, std::chrono::milliseconds& out) const {
    std::size_t v = 0;
    const YAML::Node n = get(key);
    if (!n) return;
    count(key, v);
    if (v > 2147483647u) fail(n, fmt::format("`{}` must be at most 2147483647 ms", qualified(key)));
    out = std::chrono::milliseconds(static_cast<int64_t>(v));
  }
  void mode(std::string_view key, events::ProviderMode& out) const {
    if (const YAML::Node n = get(key)) {
      const auto m = n.IsScalar() ? events::provider_mode_named(n.Scalar()) : std::nullopt;
      if (!m)
        fail(n, fmt::format("`{}`: unknown provider mode `{}` (accepted: noop, console_direct, "
                            "console_async, its, otlp)",
                            qualified(key), n.IsScalar() ? n.Scalar() : std::string("?")));
      out = *m;
    }
  }

 private:
  const std::string& path_;
  const YAML::Node node_;
  std::string name_;
};

void read_otlp(const Section& s, OtlpExporterOptions& o) {
  // A protocol set without an endpoint moves a default endpoint to that protocol's default.
  const std::string http_default =
      events::EventsConfiguration::default_logs_exporter_options().endpoint;
  constexpr std::string_view kGrpcDefault = "http://localhost:4317";
  const bool default_endpoint = o.endpoint == http_default || o.endpoint == kGrpcDefault;
  if (const YAML::Node n = s.get("protocol")) {
    const std::string p = n.IsScalar() ? n.Scalar() : std::string();
    if (p == "http/protobuf") {
      o.protocol = OtlpProtocol::kHttpProtobuf;
    } else if (p == "http/json") {
      o.protocol = OtlpProtocol::kHttpJson;
    } else if (p == "grpc") {
      o.protocol = OtlpProtocol::kGrpc;
    } else {
      s.fail(n, fmt::format("`{}`: unknown protocol `{}` (accepted: http/protobuf, http/json, "
                            "grpc)",
                            s.qualified("protocol"), p));
    }
  }
  if (default_endpoint)
    o.endpoint = o.protocol == OtlpProtocol::kGrpc ? std::string(kGrpcDefault) : http_default;
  s.string("endpoint", o.endpoint);
  s.millis("timeout_ms", o.timeout);
  if (const YAML::Node n = s.get("compression")) {
    const std::string c = n.IsScalar() ? n.Scalar() : std::string();
    if (c != "gzip" && c != "none")
      s.fail(n, fmt::format("`{}`: unknown compression `{}` (accepted: gzip, none)",
                            s.qualified("compression"), c));
    o.compression = c == "gzip" ? OtlpCompression::kGzip : OtlpCompression::kNone;
  }
}

}  // namespace

events::EventsConfiguration read_logs_configuration(const std::string& path,
                                                    events::EventsConfiguration base) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigFileError(fmt::format("{}: cannot be read", path));
  } catch (const YAML::ParserException& e) {
    throw ConfigFileError(
        fmt::format("{}:{}:{}: not YAML: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (root.IsNull()) return base;  // an empty file sets nothing
  // The path to the section: the application's own keys around it are not coretel's to judge.
  YAML::Node node = root;
  for (const char* key : {"service", "telemetry", "logs"}) {
    if (!node.IsMap()) return base;
    const YAML::Node& parent = node;
    const YAML::Node child = parent[key];
    if (!child) return base;
    node.reset(child);
  }
  const Section logs(path, node, "service.telemetry.logs",
                     {"level", "providers", "queue_capacity", "its", "otlp", "batch"});
  logs.string("level", base.level);
  logs.count("queue_capacity", base.queue_capacity);
  if (const YAML::Node n = logs.get("providers")) {
    const Section p(path, n, "service.telemetry.logs.providers",
                    {"engine", "admin", "global", "internal"});
    p.mode("engine", base.engine);
    p.mode("admin", base.admin);
    p.mode("global", base.global);
    p.mode("internal", base.internal);
  }
  if (const YAML::Node n = logs.get("its")) {
    const Section s(path, n, "service.telemetry.logs.its",
                    {"ring_capacity", "recent_capacity", "interval_ms", "console", "otlp"});
    s.count("ring_capacity", base.its.ring_capacity);
    s.count("recent_capacity", base.its.recent_capacity);
    s.millis("interval_ms", base.its.interval);
    s.boolean("console", base.its.console);
    s.boolean("otlp", base.its.otlp);
  }
  if (const YAML::Node n = logs.get("otlp")) {
    const Section s(path, n, "service.telemetry.logs.otlp",
                    {"endpoint", "protocol", "timeout_ms", "compression"});
    read_otlp(s, base.otlp);
  }
  if (const YAML::Node n = logs.get("batch")) {
    const Section s(
        path, n, "service.telemetry.logs.batch",
        {"schedule_delay_ms", "export_timeout_ms", "max_queue_size", "max_export_batch_size"});
    s.millis("schedule_delay_ms", base.batch.schedule_delay);
    s.millis("export_timeout_ms", base.batch.export_timeout);
    s.count("max_queue_size", base.batch.max_queue_size);
    s.count("max_export_batch_size", base.batch.max_export_batch_size);
  }
  return base;
}

}  // namespace coretel
