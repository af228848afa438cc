// prometheus_text.h: renders published MetricsViews as Prometheus text exposition format 0.0.4,
// following OTel spec, compatibility/prometheus_and_openmetrics.md.
//
// COLD PATH (scrapes), but built for large scrapes: no iostreams, no per-sample allocation,
// each series bucket's label text built once and kept across scrapes (shared by all of its
// fields), family names and HELP/TYPE lines cached per descriptor, samples written straight from
// the cached text and the view's words. A PrometheusTextRenderer belongs to one thread at a time
// (it keeps caches); the free helpers are pure and any thread may call them.
//
// Mapping (one field of a metric set -> Prometheus families):
//   Counter, ObserveCounter          counter   <name>[_<unit>]_total
//   UpDownCounter, ObserveUpDown...  gauge     <name>[_<unit>]
//   Gauge                            gauge     <name>[_<unit>]
//   Histogram                        histogram <name>[_<unit>]_bucket{le=...} (cumulative, with
//                                              le="+Inf"), _sum, _count
//   ExponentialHistogram             histogram the same classic form; `le` is the upper bound of
//                                              each non-empty bucket (negative buckets first,
//                                              then le="0" for the zero bucket when it or a
//                                              negative bucket holds values, then the positive
//                                              ones). The OpenTelemetry spec ("Prometheus and
//                                              OpenMetrics Compatibility") lets text exposition
//                                              drop exponential histograms or convert them; the
//                                              `le` set follows the scale, so it changes when
//                                              the scale drops (docs/architecture.md, 5).
//   Mmsc                             summary   <name>[_<unit>] with no quantile samples: only
//                                              <base>_sum and <base>_count (a summary's _sum and
//                                              _count are counter-like and need no _total), plus
//                                              two gauge families <base>_min and <base>_max whose
//                                              samples are omitted while the count is 0.
// Every sample carries `otel_scope_name` (the metric-set name), the entity attributes as
// `otel_scope_<key>`, then registration and measurement attributes under their sanitised keys.
// The resource becomes one `target_info` gauge. Families are written sorted by name; values
// are cumulative and carry no timestamp.
//
// Whatever attributes and the resource hold, the output stays a valid exposition (`promtool check
// metrics` accepts it; metric names come from descriptors, see prometheus_metric_name()):
//  - label keys: sanitised to [a-zA-Z_][a-zA-Z0-9_]* (OTel spec, "Metric Attributes"); keys that
//    collide after sanitising get their values joined with `;` (same section).
//  - reserved label keys: an attribute whose sanitised key is `le` or `quantile` is exported as
//    `exported_le` / `exported_quantile`, on every family and on `target_info`. Prometheus
//    reserves `le` for histogram buckets and `quantile` for summary quantiles (its text parser
//    reads them as bucket bounds and quantiles, and promtool's lint rejects them on any other
//    family); the OTel spec gives no rule for them, so this follows Prometheus' own rule for a
//    scraped label that conflicts with one it sets: rename it `exported_<name>` (Prometheus
//    documentation, "Configuration", scrape_config `honor_labels`). An `exported_le` that then
//    meets an attribute with that key is joined with it by the `;` rule.
//  - label values and HELP text: text format 0.0.4 is UTF-8 (Prometheus documentation,
//    "Exposition formats"); each ill-formed UTF-8 subsequence is replaced by one U+FFFD per
//    maximal subpart (coretel/export/utf8.h), so one bad byte (in OTEL_SERVICE_NAME, say) cannot
//    make a scraper reject the whole scrape. The JSON exporters replace the same bytes the same
//    way.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "coretel/collect/metrics_view.h"
#include "coretel/metrics/attributes.h"
#include "coretel/metrics/descriptor.h"
#include "coretel/resource.h"

namespace coretel {

/// The Content-Type of text exposition 0.0.4.
inline constexpr std::string_view kPrometheusTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// The unit suffix for a UCUM unit: "s" -> "seconds", "By/s" -> "bytes_per_second", "1" and
/// pure annotations ("{request}") -> "" (annotations are dropped everywhere); unknown units are
/// sanitised as they are. OTel spec, compatibility/prometheus_and_openmetrics.md, "Metric
/// Metadata".
std::string prometheus_unit_suffix(std::string_view ucum_unit);

/// The family name of a field: the name with characters outside [a-zA-Z0-9_:] replaced by `_`,
/// runs of `_` collapsed, a leading digit prefixed with `_`, then the unit suffix (unless the
/// name already ends with it) and `_total` for Counter and ObserveCounter (unless present).
/// For a Histogram or Mmsc this is the base name its samples' suffixes are appended to.
/// OTel spec, compatibility/prometheus_and_openmetrics.md, "Metric Metadata" and "Sums".
std::string prometheus_metric_name(const MetricsField& field);

/// A label key sanitised to [a-zA-Z_][a-zA-Z0-9_]*: other characters (every byte of a non-ASCII
/// character included) become `_`, runs of `_` are collapsed (so no key gets the reserved `__`
/// prefix from sanitising), a leading digit is prefixed with `_`. OTel spec,
/// compatibility/prometheus_and_openmetrics.md, "Metric Attributes". A result of `le` or
/// `quantile`, which Prometheus reserves for histogram buckets and summary quantiles, becomes
/// `exported_le` / `exported_quantile` (see the mapping above).
std::string prometheus_label_key(std::string_view key);

/// The label-value form of an attribute value (unescaped): strings as they are, integers in
/// decimal, doubles in shortest round-trip form (`NaN`, `Infinity`, `-Infinity`), booleans as
/// `true`/`false`. OTel spec, compatibility/prometheus_and_openmetrics.md, "Metric Attributes".
std::string prometheus_label_value(AttributeValueRef value);

/// Appends `value` escaped for a label value: `\` -> `\\`, `"` -> `\"`, newline -> `\n`; each
/// maximal subpart of an ill-formed UTF-8 subsequence becomes U+FFFD (coretel/export/utf8.h), so
/// the result is always valid UTF-8 whatever the bytes of `value`.
void append_escaped_label_value(std::string& out, std::string_view value);

/// Renders views as text exposition 0.0.4. Not thread-safe: one renderer per thread (or one
/// used by one thread at a time); reuse it across scrapes so that its caches pay off.
///
/// Caches:
///  - per descriptor: family names, HELP/TYPE lines. Kept for the renderer's lifetime;
///    descriptors seen by a renderer must outlive it (they are static in practice: this cache is
///    keyed by descriptor address).
///  - per series: the label text of each exported combination (a measured set's combination
///    from the scrape that first sees it observed), without the `otel_scope_name` label, which
///    is kept once per metric set unless colliding keys reorder the labels, keyed by SeriesInfo::id
///    and told apart by SeriesInfo::serial (unique in the process), so a series whose id was
///    reused is rendered afresh; the cache never points at a SeriesInfo between scrapes. A
///    series a scrape did not see (its series was retired, or its view was not passed) is
///    dropped at the end of that scrape.
///  Memory held: the label text of the last scrape's series combinations (compacted once half of
///  it is dropped text; at most 4 GiB), a 16-byte slot per SeriesId up to the largest id seen
///  (trimmed on compaction) plus 8 bytes per combination of a measured set (the text and slots
///  grow by a quarter, not double), and per-scrape scratch of 16 bytes per exported series
///  combination, sized to the last scrape. The render benchmark's
///  renderer_bytes_per_series measures it (BENCHMARKS.md).
class PrometheusTextRenderer {
 public:
  PrometheusTextRenderer();
  ~PrometheusTextRenderer();
  PrometheusTextRenderer(const PrometheusTextRenderer&) = delete;
  PrometheusTextRenderer& operator=(const PrometheusTextRenderer&) = delete;

  /// Appends the exposition of `resource` (as `target_info`, when non-empty) and of every series
  /// of `views` (one view per collector; null views are skipped) to `out`. Rules: OTel spec,
  /// compatibility/prometheus_and_openmetrics.md. One HELP/TYPE per family and all samples of a
  /// family contiguous across views and descriptors; when two descriptors give one name two
  /// different TYPEs, the family seen later is dropped. Measured-set combinations appear
  /// once observed. Sanitised label keys that collide get their values joined with `;` in the order
  /// of the original keys; `le` and `quantile` become `exported_le` / `exported_quantile`; label
  /// values and HELP text are made valid UTF-8 (U+FFFD replacement). Never throws for any
  /// attribute content; throws std::bad_alloc when memory runs out and std::length_error when
  /// the cached label text would exceed 4 GiB.
  void render(const Resource& resource, std::span<const MetricsViewPtr> views, std::string& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coretel
