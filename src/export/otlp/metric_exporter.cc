#include "coretel/export/otlp_metric_exporter.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "coretel/semconv/error.h"
#include "coretel/semconv/otel.h"
#include "coretel/semconv/server.h"
#include "coretel/telemetry/coretel.h"
#include "delivery.h"
#include "grpc_transport.h"
#include "http_transport.h"
#include "metrics_encoder.h"
#include "protobuf_wire.h"

namespace coretel {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Exports between two prunes of the observed-total baselines (ObservedTotals::prune).
constexpr uint64_t kPruneEvery = 64;

// `url` without a "user:password@" part, a query or a fragment: an endpoint may carry
// credentials there, and telemetry must not.
std::string without_credentials(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t scheme = url.find("://");
  const std::size_t host = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t at = url.substr(0, url.find('/', host)).rfind('@');
  if (at == std::string_view::npos || at < host) return std::string(url);
  return std::string(url.substr(0, host)) + std::string(url.substr(at + 1));
}

// Error types with a series of their own; the others are counted as `_OTHER` (error.type's
// fallback member), so that a server inventing statuses cannot grow the exporter's series.
constexpr std::size_t kMaxErrorTypes = 16;

// otel.component.type, otel.component.name ("<type>/<n>", n counting the exporters of that type
// in the process), server.address and server.port (from the endpoint, libcurl's URL parser;
// left out when it cannot say).
Attributes component_attributes(const OtlpExporterOptions& options) {
  using semconv::OtelComponentType;
  const OtelComponentType type =
      options.protocol == OtlpProtocol::kGrpc       ? OtelComponentType::kOtlpGrpcMetricExporter
      : options.protocol == OtlpProtocol::kHttpJson ? OtelComponentType::kOtlpHttpJsonMetricExporter
                                                    : OtelComponentType::kOtlpHttpMetricExporter;
  static std::atomic<int64_t> instances[3];
  const int64_t n = instances[options.protocol == OtlpProtocol::kGrpc       ? 0
                              : options.protocol == OtlpProtocol::kHttpJson ? 1
                                                                            : 2]
                        .fetch_add(1);
  semconv::OtelSdkExporterMetricDataPointRegistrationAttributes a;
  a.otel_component_type = type;
  a.otel_component_name = fmt::format("{}/{}", semconv::to_string(type), n);
  if (CURLU* url = curl_url()) {
    if (curl_url_set(url, CURLUPART_URL, options.endpoint.c_str(), CURLU_GUESS_SCHEME) ==
        CURLUE_OK) {
      char* part = nullptr;
      if (curl_url_get(url, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
        std::string_view host = part;
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')  // an IPv6 literal
          host = host.substr(1, host.size() - 2);
        a.server_address = std::string(host);
        curl_free(part);
      }
      if (curl_url_get(url, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        int64_t port = 0;
        if (std::from_chars(part, part + std::strlen(part), port).ec == std::errc())
          a.server_port = port;
        curl_free(part);
      }
    }
    curl_url_cleanup(url);
  }
  return a.attributes();
}

}  // namespace

OtlpMetricExporter::OtlpMetricExporter(CollectionPipeline& pipeline, Resource resource,
                                       OtlpExporterOptions options,
                                       std::optional<uint32_t> delta_consumer)
    : pipeline_(pipeline),
      resource_(std::move(resource)),
      options_(std::move(options)),
      delta_consumer_(delta_consumer) {
  encoding_ = options_.protocol == OtlpProtocol::kHttpJson ? otlp::Encoding::kJson
                                                           : otlp::Encoding::kProtobuf;
  if (options_.temporality != TemporalityPreference::kCumulative && !delta_consumer_)
    throw std::invalid_argument(
        fmt::format("coretel: temporality preference {} needs a delta consumer "
                    "(PipelineOptions::delta_consumers)",
                    to_string(options_.temporality)));
  if (!delta_consumer_ || options_.temporality == TemporalityPreference::kCumulative)
    delta_consumer_.reset();
  scratch_ = std::make_unique<otlp::Scratch>();
  request_ = std::make_unique<otlp::RequestBuffer>();
  observed_ = std::make_unique<otlp::ObservedTotals>();
  // Its own telemetry, beside the engine's: {coretel.exporter.endpoint: the URL without
  // credentials, coretel.exporter.id: a process-unique number}.
  static std::atomic<int64_t> next_exporter_id{0};
  const Attributes entity{
      {std::string(telemetry::attributes::kCoretelExporterEndpoint),
       without_credentials(options_.endpoint)},
      {std::string(telemetry::attributes::kCoretelExporterId), next_exporter_id.fetch_add(1)}};
  self_reporter_ = pipeline_.make_reporter(kUnpinned, entity);
  self_ = self_reporter_->register_set<telemetry::CoretelExporterMetrics>(entity);
  points_ = self_reporter_->register_set<telemetry::CoretelExporterPointsByCoretelExporterOutcome>(
      entity);
  component_ = component_attributes(options_);
  inflight_ =
      self_reporter_->register_set<semconv::OtelSdkExporterMetricDataPointMetrics>({}, component_);
  outcome("");  // the success series exists from the start
  if (options_.protocol == OtlpProtocol::kGrpc) {
    transport_ = std::make_unique<otlp::GrpcTransport>(
        options_, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export");
  } else {
    transport_ = std::make_unique<otlp::HttpTransport>(options_, encoding_ == otlp::Encoding::kJson
                                                                     ? "application/json"
                                                                     : "application/x-protobuf");
  }
}

OtlpMetricExporter::~OtlpMetricExporter() {
  outcomes_.clear();  // hands the last values to the collector
  inflight_.reset();
  points_.reset();
  self_.reset();
  self_reporter_.reset();
}

OtlpExportStats OtlpMetricExporter::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void OtlpMetricExporter::interrupt() noexcept {
  {
    std::lock_guard lock(wait_mutex_);
    interrupted_ = true;
  }
  wait_cv_.notify_all();
}

bool OtlpMetricExporter::wait_for(milliseconds wait) {
  std::unique_lock lock(wait_mutex_);
  return !wait_cv_.wait_for(lock, wait, [this] { return interrupted_; });
}

ExportResult OtlpMetricExporter::export_metrics(Deadline deadline) {
  const OtlpExportStats before = stats();
  const auto started = Clock::now();
  const ExportResult result = export_once(deadline);
  const OtlpExportStats after = stats();
  if (after.exports != before.exports) {
    self_->exports.add(after.exports - before.exports);
    self_->requests.add(after.requests - before.requests);
    self_->retries.add(after.retries - before.retries);
    self_->export_duration.record(std::chrono::duration<double>(Clock::now() - started).count());
    using Outcome = telemetry::CoretelExporterOutcome;
    points_->with(Outcome::kExported)
        .data_points.add(after.data_points_exported - before.data_points_exported);
    points_->with(Outcome::kRejected)
        .data_points.add(after.data_points_rejected - before.data_points_rejected);
    points_->with(Outcome::kDropped)
        .data_points.add(after.data_points_dropped - before.data_points_dropped);
    points_->with(Outcome::kKept).data_points.add(after.data_points_kept - before.data_points_kept);
    // The semantic conventions' view of the same export (see the header).
    const uint64_t accepted = after.data_points_exported - before.data_points_exported;
    const uint64_t rejected = after.data_points_rejected - before.data_points_rejected;
    const uint64_t failed = after.data_points_dropped - before.data_points_dropped +
                            after.data_points_kept - before.data_points_kept;
    if (accepted != 0) outcome("").metric_data_point_exported.add(accepted);
    if (rejected != 0) outcome("rejected").metric_data_point_exported.add(rejected);
    if (failed != 0) outcome(last_error_type_).metric_data_point_exported.add(failed);
    const std::string_view operation_error = failed != 0     ? std::string_view(last_error_type_)
                                             : rejected != 0 ? std::string_view("rejected")
                                                             : std::string_view();
    outcome(operation_error)
        .operation_duration.record(std::chrono::duration<double>(Clock::now() - started).count());
    self_reporter_->report_all();
  }
  return result;
}

semconv::OtelSdkExporterMetrics& OtlpMetricExporter::outcome(std::string_view error_type) {
  auto it = outcomes_.find(error_type);
  if (it != outcomes_.end()) return *it->second;
  const std::string_view other = semconv::to_string(semconv::ErrorType::kOther);
  // The success series, up to kMaxErrorTypes error types, then `_OTHER` for the rest.
  if (outcomes_.size() > kMaxErrorTypes && error_type != other) return outcome(other);
  Attributes attributes = component_;
  if (!error_type.empty()) {
    std::vector<Attribute> all = attributes.to_vector();
    all.push_back({std::string(semconv::attributes::kErrorType), std::string(error_type)});
    attributes = Attributes(std::move(all));
  }
  it = outcomes_
           .emplace(std::string(error_type),
                    self_reporter_->register_set<semconv::OtelSdkExporterMetrics>({}, attributes))
           .first;
  return *it->second;
}

void OtlpMetricExporter::set_last_error_type(std::string_view error_type) {
  last_error_type_ =
      error_type.empty() ? semconv::to_string(semconv::ErrorType::kOther) : error_type;
}

ExportResult OtlpMetricExporter::export_once(Deadline deadline) {
  if (!delta_consumer_) {
    const std::vector<MetricsViewPtr> views = pipeline_.views();
    const uint64_t points =
        otlp::encode_cumulative(resource_, views, encoding_, *request_, *scratch_);
    if (points == 0) return ExportResult::kSuccess;
    // A failure loses nothing: the next view carries the totals.
    return deliver(request_->bytes, points, deadline);
  }
  ExportTransaction tx = pipeline_.begin_export(*delta_consumer_);
  if (tx.detached()) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.consumer_detached;
  }
  // Baselines of retired series go now and then: the map stays bounded by the live series.
  if (++exports_since_prune_ >= kPruneEvery) {
    exports_since_prune_ = 0;
    observed_->prune(pipeline_.registry());
  }
  // `delta` sends observed totals as deltas; `lowmemory` keeps them cumulative (the spec's table).
  otlp::ObservedTotals* const observed =
      options_.temporality == TemporalityPreference::kDelta ? observed_.get() : nullptr;
  const uint64_t points =
      otlp::encode_delta(resource_, tx, encoding_, *request_, *scratch_, observed);
  if (points == 0) {
    tx.commit();
    observed_->commit();
    return ExportResult::kSuccess;
  }
  const ExportResult result = deliver(request_->bytes, points, deadline);
  if (result == ExportResult::kFailedRetryable) {
    tx.rollback();  // the next export carries these deltas
    observed_->rollback();
  } else {
    tx.commit();  // delivered, or dropped and counted
    observed_->commit();
  }
  return result;
}

ExportResult OtlpMetricExporter::deliver(std::string_view body, uint64_t points,
                                         Deadline deadline) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.exports;
  }
  // In flight from here to every return, reported now so that a long retry shows.
  inflight_->inflight.add(static_cast<int64_t>(points));
  self_reporter_->report(inflight_);
  struct Concluded {
    OtlpMetricExporter& e;
    int64_t points;
    ~Concluded() { e.inflight_->inflight.add(-points); }  // reported after the export
  } concluded{*this, static_cast<int64_t>(points)};
  const otlp::Delivery delivery = otlp::deliver(
      *transport_, body, options_.timeout, deadline,
      [this](milliseconds wait) { return wait_for(wait); },
      [this](bool retry) {
        std::lock_guard lock(stats_mutex_);
        ++stats_.requests;
        if (retry) ++stats_.retries;
      });
  const otlp::PostResult& r = delivery.result;
  if (r.outcome == otlp::PostOutcome::kSuccess) {
    const uint64_t rejected =
        otlp::rejected_items(r, encoding_ == otlp::Encoding::kJson, "rejectedDataPoints", points,
                             "metrics", options_.endpoint, "data points");
    std::lock_guard lock(stats_mutex_);
    stats_.data_points_exported += points - rejected;
    stats_.data_points_rejected += rejected;
    return ExportResult::kSuccess;
  }
  set_last_error_type(r.error_type);
  if (r.outcome == otlp::PostOutcome::kPermanent) {
    fmt::print(stderr, "coretel: OTLP export to {} refused ({}); {} data points dropped\n",
               options_.endpoint, r.error, points);
    std::lock_guard lock(stats_mutex_);
    ++stats_.failed_permanent;
    stats_.data_points_dropped += points;
    return ExportResult::kFailedPermanent;
  }
  fmt::print(stderr,
             "coretel: OTLP export to {} failed ({}); {} data points kept for the next "
             "export\n",
             options_.endpoint, r.error, points);
  std::lock_guard lock(stats_mutex_);
  ++stats_.failed_retryable;
  stats_.data_points_kept += points;
  return ExportResult::kFailedRetryable;
}

}  // namespace coretel
