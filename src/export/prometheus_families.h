// prometheus_families.h (internal): the family index of the text exposition renderer
// (prometheus_text.cc): per descriptor, the Prometheus names of each field's samples; across
// descriptors, the families sorted by name, each with its HELP/TYPE header and its members (the
// descriptor fields whose samples it holds); per scrape, the rows (series buckets) of each
// descriptor.
//
// Mapping of fields to families (Prometheus "Exposition formats", text format 0.0.4; OTel spec,
// compatibility/prometheus_and_openmetrics.md, "Sums", "Gauges", "Histograms", "Summaries"):
// Counter/ObserveCounter -> counter; UpDownCounter/ObserveUpDownCounter/Gauge -> gauge;
// Histogram -> histogram (_bucket{le=...}, _sum, _count); Mmsc -> summary <base> (_sum, _count)
// plus gauges <base>_min and <base>_max. One family per name: when two descriptors give one name
// two TYPEs, the family seen later is dropped; two fields of one descriptor with one name keep
// the first.
//
// Not thread-safe: owned by one PrometheusTextRenderer. Descriptors are keyed by address and
// must outlive the index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "coretel/metrics/descriptor.h"

namespace coretel::prometheus {

enum class FamilyType : uint8_t { kCounter, kGauge, kHistogram, kSummary };
/// What samples a member writes into its family.
enum class Role : uint8_t {
  kScalar,
  kHistogram,
  kExponentialHistogram,
  kMmscSummary,
  kMmscMin,
  kMmscMax
};

/// Sample names of one field, computed once per descriptor.
struct FieldNames {
  std::string base;  // family name (scalars: with _total for counters)
  std::string min;   // Mmsc: <base>_min (a family name)
  std::string max;   // Mmsc: <base>_max (a family name)
  // Sample heads: the sample name, '{' and the descriptor's scope label
  // (DescriptorFamilies::scope_labels); without that label, the bare head.
  std::string open_base;        // <base>{ + scope label
  std::string open_bucket;      // histograms: <base>_bucket{ + scope label
  std::string open_sum;         // histograms and Mmsc: <base>_sum{ + scope label
  std::string open_count;       // histograms and Mmsc: <base>_count{ + scope label
  std::string open_min;         // Mmsc: <base>_min{ + scope label
  std::string open_max;         // Mmsc: <base>_max{ + scope label
  std::vector<std::string> le;  // histogram: `,le="<bound>"} ` per bucket, +Inf last
};

/// Row::label_len flag: the label text is a series' full label text, written after the bare head
/// (`name{`). Without it, the text is what follows the descriptor's scope label (empty, or
/// starting with ','), written after the scoped head (FieldNames). The full text is kept only for
/// series whose label text does not start with the scope label (colliding keys are joined and
/// sorted by key, prometheus_naming.h), so every other series stores its scope label once per
/// descriptor instead of once per bucket.
inline constexpr uint32_t kFullLabels = 0x80000000u;

/// One exported series bucket of this scrape (16 bytes): its words and its label text (a span of
/// the label cache's text, prometheus_label_cache.h). Its fields are at its descriptor's offsets.
struct Row {
  const uint64_t* words;  // the bucket's words in its view
  uint32_t label_begin;
  uint32_t label_len;  // length | kFullLabels when the text is the full label text
};

/// What the renderer keeps per descriptor.
struct DescriptorFamilies {
  const MetricsDescriptor* descriptor = nullptr;
  std::vector<FieldNames> fields;
  // The label every series of the descriptor starts with unless keys collide, as
  // PrometheusLabelSet writes it: otel_scope_name="<escaped MetricsDescriptor::name>".
  std::string scope_labels;
  // Word offset of each field inside a bucket: MetricsDescriptor::layout's word_offset, which
  // is what MetricsView::field_words() adds for every series of the descriptor
  // (SeriesInfo::field_offset()).
  std::vector<uint32_t> offsets;
  std::vector<Row> rows;  // this scrape's rows of this descriptor
};

/// One field's share of a family.
struct FamilyMember {
  DescriptorFamilies* descriptor;
  uint32_t field;
  Role role;
};

struct Family {
  FamilyType type;
  std::string header;  // # HELP and # TYPE lines
  std::vector<FamilyMember> members;
};

class FamilyIndex {
 public:
  /// The names of `descriptor`'s fields, computed on first use (which marks the families for
  /// rebuilding). The reference stays valid for the index's lifetime.
  DescriptorFamilies& descriptor(const MetricsDescriptor* descriptor) {
    auto it = descriptors_.find(descriptor);
    if (it != descriptors_.end()) return *it->second;
    return add(descriptor);
  }
  /// Empties every descriptor's rows (start of a scrape).
  void clear_rows();
  /// Releases the rows' memory where the last scrape used under a quarter of it (end of a
  /// scrape).
  void trim_rows();
  /// The families sorted by name, rebuilt first if a descriptor was added since the last call.
  const std::vector<Family>& families();

 private:
  DescriptorFamilies& add(const MetricsDescriptor* descriptor);
  void rebuild();

  std::unordered_map<const MetricsDescriptor*, std::unique_ptr<DescriptorFamilies>> descriptors_;
  std::vector<DescriptorFamilies*> order_;  // first seen first
  std::vector<Family> families_;            // sorted by name
  bool dirty_ = false;
};

}  // namespace coretel::prometheus
