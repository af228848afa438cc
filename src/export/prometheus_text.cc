// prometheus_text.cc: PrometheusTextRenderer (coretel/export/prometheus_text.h), the writer of
// text exposition format 0.0.4 (Prometheus "Exposition formats"). render() orchestrates the
// pieces, each in its own file beside this one:
//  - prometheus_naming.{h,cc}: OTel -> Prometheus names, label keys and label text;
//  - prometheus_label_cache.{h,cc}: the label text of every series bucket, kept across scrapes;
//  - prometheus_families.{h,cc}: per-descriptor sample names, families sorted by name, rows;
//  - number_format.h: sample values and bounds as text.
// This file writes the bytes: HELP/TYPE headers, then each sample as
// `<name>{<labels>[,le="<bound>"]} <value>\n`, straight from the cached text and the view's words.
#include "coretel/export/prometheus_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "../metrics/number_format.h"
#include "coretel/collect/field_values.h"
#include "coretel/metrics/exponential_histogram.h"
#include "prometheus_families.h"
#include "prometheus_label_cache.h"
#include "prometheus_naming.h"

namespace coretel {

namespace {

using prometheus::DescriptorFamilies;
using prometheus::Family;
using prometheus::FamilyMember;
using prometheus::FieldNames;
using prometheus::Role;
using prometheus::Row;

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
char* put_double(char* p, double v) {
  return format_double(p, v, NonFiniteStyle::kPrometheus);
}

// Appends to a std::string through a raw cursor. The string is grown in chunks small enough to
// stay in cache (resize() zero-fills them, and they are overwritten while still cached), so
// writing costs no per-piece capacity checks; finish() trims the unused tail.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out), pos_(out.size()) {}
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  /// A cursor with room for `n` characters; pass the advanced cursor to commit().
  char* room(std::size_t n) {
    if (out_.size() - pos_ < n) out_.resize(pos_ + std::max(n, kChunk));
    return out_.data() + pos_;
  }
  void commit(const char* p) { pos_ = static_cast<std::size_t>(p - out_.data()); }
  void append(std::string_view s) { commit(put(room(s.size()), s)); }
  void finish() { out_.resize(pos_); }

 private:
  static constexpr std::size_t kChunk = 16 * 1024;
  std::string& out_;
  std::size_t pos_;
};

// Writes the samples of the rows of one scrape; `labels` is the label cache's text the rows'
// spans index.
class SampleWriter {
 public:
  SampleWriter(TextWriter& w, const char* labels) : w_(w), labels_(labels) {}

  void emit(const FamilyMember& member) {
    const MetricsField& field = member.descriptor->descriptor->fields[member.field];
    const FieldNames& names = member.descriptor->fields[member.field];
    const std::vector<Row>& rows = member.descriptor->rows;
    const uint32_t f = member.field;
    const uint32_t offset = member.descriptor->offsets[f];
    scope_len_ = member.descriptor->scope_labels.size();
    switch (member.role) {
      case Role::kScalar:
        switch (field.value_type) {
          case ValueType::kU64:
            emit_scalars(names.open_base, rows, offset,
                         [](char* p, uint64_t x) { return format_u64(p, x); });
            return;
          case ValueType::kI64:
            emit_scalars(names.open_base, rows, offset, [](char* p, uint64_t x) {
              return format_i64(p, static_cast<int64_t>(x));
            });
            return;
          case ValueType::kF64:
            emit_scalars(names.open_base, rows, offset,
                         [](char* p, uint64_t x) { return put_double(p, word_to_double(x)); });
            return;
        }
        return;
      case Role::kHistogram:
        for (const Row& row : rows) {
          HistogramValue h = read_histogram(field, row.words + offset);
          uint64_t cumulative = 0;
          for (std::size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            emit_u64(names.open_bucket, row, names.le[i], cumulative);
          }
          emit_double(names.open_sum, row, h.sum);
          emit_u64(names.open_count, row, "} ", cumulative);
        }
        return;
      case Role::kExponentialHistogram:
        for (const Row& row : rows) {
          const ExponentialHistogramValue h = read_exponential_histogram(field, row.words + offset);
          // A classic histogram whose `le` bounds are the non-empty buckets' upper bounds, from
          // the most negative up (include/coretel/export/prometheus_text.h): an empty bucket's
          // line would repeat the cumulative count before it. Bucket i of the positive range
          // holds (base^i, base^(i+1)]; of the negative range, [-base^(i+1), -base^i).
          uint64_t cumulative = 0;
          for (std::size_t k = h.negative.counts.size(); k-- > 0;) {
            if (h.negative.counts[k] == 0) continue;
            cumulative += h.negative.counts[k];
            const int64_t index = h.negative.offset + static_cast<int64_t>(k);
            emit_u64(names.open_bucket, row, le_tail(-expo::bound(index, h.scale)), cumulative);
          }
          if (h.zero_count != 0 || !h.negative.counts.empty()) {
            cumulative += h.zero_count;
            emit_u64(names.open_bucket, row, ",le=\"0\"} ", cumulative);
          }
          for (std::size_t k = 0; k < h.positive.counts.size(); ++k) {
            if (h.positive.counts[k] == 0) continue;
            cumulative += h.positive.counts[k];
            const int64_t index = h.positive.offset + static_cast<int64_t>(k) + 1;
            emit_u64(names.open_bucket, row, le_tail(expo::bound(index, h.scale)), cumulative);
          }
          emit_u64(names.open_bucket, row, ",le=\"+Inf\"} ", h.count);
          emit_double(names.open_sum, row, h.sum);
          emit_u64(names.open_count, row, "} ", h.count);
        }
        return;
      case Role::kMmscSummary:
        for (const Row& row : rows) {
          MmscValue v = read_mmsc(row.words + offset);
          emit_double(names.open_sum, row, v.sum);
          emit_u64(names.open_count, row, "} ", v.count);
        }
        return;
      case Role::kMmscMin:
      case Role::kMmscMax: {
        const bool min = member.role == Role::kMmscMin;
        for (const Row& row : rows) {
          MmscValue v = read_mmsc(row.words + offset);
          if (v.count == 0) continue;
          emit_double(min ? names.open_min : names.open_max, row, min ? v.min : v.max);
        }
        return;
      }
    }
  }

 private:
  // The head to write before a row's labels: the scoped head, or the bare one for a row with
  // its full label text (kFullLabels).
  std::string_view head_of(std::string_view head, const Row& row) const {
    static_assert(prometheus::kFullLabels == 1u << 31);
    return std::string_view(head.data(), head.size() - (row.label_len >> 31) * scope_len_);
  }
  std::string_view label_of(const Row& row) const {
    return std::string_view(labels_ + row.label_begin, row.label_len & ~prometheus::kFullLabels);
  }

  template <class Format>
  void emit_scalars(std::string_view head, const std::vector<Row>& rows, uint32_t offset,
                    Format format) {
    for (const Row& row : rows) {
      char* p = w_.room(head.size() + label_of(row).size() + 3 + kMaxNumberChars);
      p = put(p, head_of(head, row));
      p = put(p, label_of(row));
      *p++ = '}';
      *p++ = ' ';
      p = format(p, row.words[offset]);
      *p++ = '\n';
      w_.commit(p);
    }
  }

  // `head` + labels + "} " + value + '\n'.
  void emit_double(std::string_view head, const Row& row, double v) {
    char* p = w_.room(head.size() + label_of(row).size() + 3 + kMaxNumberChars);
    p = put(p, head_of(head, row));
    p = put(p, label_of(row));
    *p++ = '}';
    *p++ = ' ';
    p = put_double(p, v);
    *p++ = '\n';
    w_.commit(p);
  }
  // `,le="<bound>"} `.
  const std::string& le_tail(double bound) {
    le_.assign(",le=\"");
    append_double(le_, bound, NonFiniteStyle::kPrometheus);
    le_.append("\"} ");
    return le_;
  }
  // `head` + labels + `tail` (`} ` or `,le="<bound>"} `) + value + '\n'.
  void emit_u64(std::string_view head, const Row& row, std::string_view tail, uint64_t v) {
    char* p = w_.room(head.size() + label_of(row).size() + tail.size() + 1 + kMaxNumberChars);
    p = put(p, head_of(head, row));
    p = put(p, label_of(row));
    p = put(p, tail);
    p = format_u64(p, v);
    *p++ = '\n';
    w_.commit(p);
  }

  TextWriter& w_;
  const char* labels_;
  std::string le_;             // le_tail's text
  std::size_t scope_len_ = 0;  // of the current member's descriptor
};

}  // namespace

struct PrometheusTextRenderer::Impl {
  prometheus::FamilyIndex families;
  prometheus::LabelCache labels;
  prometheus::PrometheusLabelSet target_labels;  // scratch of render_target_info()
  std::size_t last_size = 0;

  // The descriptor of the series added last: a view's series of one set are mostly adjacent.
  const MetricsDescriptor* last_descriptor = nullptr;
  DescriptorFamilies* last_families = nullptr;

  // Adds the rows of series `s` (one per observed bucket) to its descriptor's rows.
  void add_series(const MetricsView& view, const SeriesView& s) {
    const SeriesInfo& info = *s.info;
    if (info.descriptor != last_descriptor) {
      last_families = &families.descriptor(info.descriptor);
      last_descriptor = info.descriptor;
    }
    DescriptorFamilies& d = *last_families;
    const prometheus::LabelCache::Slot& slot = labels.see(info, d);
    std::vector<Row>& rows = d.rows;
    if (!slot.measured()) {
      if (view.observed(s, 0))
        rows.push_back(Row{view.combination_words(s, 0), slot.span.begin, slot.span.len});
      return;
    }
    for (uint32_t b = 0; b < info.combination_count; ++b) {
      if (!view.observed(s, b)) continue;
      prometheus::LabelCache::LabelSpan span = labels.bucket_labels(slot, info, b, d);
      rows.push_back(Row{view.combination_words(s, b), span.begin, span.len});
    }
  }

  void render_target_info(const Resource& resource, std::string& out) {
    if (resource.attributes.empty()) return;
    target_labels.clear();
    for (const AttributeRef& a : resource.attributes)
      target_labels.add({}, a.key, a.value, prometheus::PrometheusLabelSet::Group::kPoint);
    out.append("# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{");
    target_labels.append_to(out);
    out.append("} 1\n");
  }

  void render(const Resource& resource, std::span<const MetricsViewPtr> views, std::string& out) {
    std::size_t start = out.size();
    out.reserve(start + last_size + last_size / 8);
    labels.begin_scrape();
    families.clear_rows();

    for (const MetricsViewPtr& view : views) {
      if (view == nullptr) continue;
      for (const SeriesView& s : view->series()) add_series(*view, s);
    }
    const std::vector<Family>& sorted = families.families();

    render_target_info(resource, out);
    TextWriter w(out);
    SampleWriter samples(w, labels.text());
    for (const Family& family : sorted) {
      bool any = false;
      for (const FamilyMember& m : family.members) any = any || !m.descriptor->rows.empty();
      if (!any) continue;
      w.append(family.header);
      for (const FamilyMember& m : family.members) samples.emit(m);
    }
    w.finish();
    last_size = out.size() - start;

    labels.end_scrape();
    families.trim_rows();
  }
};

PrometheusTextRenderer::PrometheusTextRenderer() : impl_(std::make_unique<Impl>()) {}
PrometheusTextRenderer::~PrometheusTextRenderer() = default;

void PrometheusTextRenderer::render(const Resource& resource, std::span<const MetricsViewPtr> views,
                                    std::string& out) {
  impl_->render(resource, views, out);
}

}  // namespace coretel
