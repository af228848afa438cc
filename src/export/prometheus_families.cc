// prometheus_families.cc: the family index of the text exposition renderer
// (prometheus_families.h).
#include "prometheus_families.h"

#include <map>
#include <utility>

#include "../metrics/number_format.h"
#include "coretel/export/prometheus_text.h"
#include "prometheus_naming.h"

namespace coretel::prometheus {

namespace {

std::string_view to_string(FamilyType type) {
  switch (type) {
    case FamilyType::kCounter:
      return "counter";
    case FamilyType::kGauge:
      return "gauge";
    case FamilyType::kHistogram:
      return "histogram";
    case FamilyType::kSummary:
      return "summary";
  }
  return "untyped";
}

}  // namespace

DescriptorFamilies& FamilyIndex::add(const MetricsDescriptor* descriptor) {
  auto cache = std::make_unique<DescriptorFamilies>();
  cache->descriptor = descriptor;
  for (const FieldLayout& layout : descriptor->layout) cache->offsets.push_back(layout.word_offset);
  {
    // The same call as LabelCache::render_labels() makes, so the texts match byte for byte.
    PrometheusLabelSet scope;
    scope.add_text("otel_scope_name", {}, descriptor->name, PrometheusLabelSet::Group::kScopeName,
                   "otel.scope.name");
    scope.append_to(cache->scope_labels);
  }
  for (const MetricsField& field : descriptor->fields) {
    FieldNames names;
    names.base = prometheus_metric_name(field);
    names.open_base = names.base;
    names.open_base.append("{").append(cache->scope_labels);
    if (field.kind == InstrumentKind::kHistogram) {
      names.open_bucket = names.base;
      names.open_bucket.append("_bucket{").append(cache->scope_labels);
      for (double bound : field.bounds) {
        std::string le = ",le=\"";
        append_double(le, bound, NonFiniteStyle::kPrometheus);
        le.append("\"} ");
        names.le.push_back(std::move(le));
      }
      names.le.push_back(",le=\"+Inf\"} ");
    }
    if (field.kind == InstrumentKind::kExponentialHistogram) {
      names.open_bucket = names.base;
      names.open_bucket.append("_bucket{").append(cache->scope_labels);
    }
    if (field.kind == InstrumentKind::kHistogram || field.kind == InstrumentKind::kMmsc ||
        field.kind == InstrumentKind::kExponentialHistogram) {
      names.open_sum = names.base;
      names.open_sum.append("_sum{").append(cache->scope_labels);
      names.open_count = names.base;
      names.open_count.append("_count{").append(cache->scope_labels);
    }
    if (field.kind == InstrumentKind::kMmsc) {
      names.min = names.base + "_min";
      names.max = names.base + "_max";
      names.open_min = names.min;
      names.open_min.append("{").append(cache->scope_labels);
      names.open_max = names.max;
      names.open_max.append("{").append(cache->scope_labels);
    }
    cache->fields.push_back(std::move(names));
  }
  DescriptorFamilies& ref = *cache;
  descriptors_.emplace(descriptor, std::move(cache));
  order_.push_back(&ref);
  dirty_ = true;
  return ref;
}

void FamilyIndex::clear_rows() {
  for (DescriptorFamilies* cache : order_) cache->rows.clear();
}

void FamilyIndex::trim_rows() {
  for (DescriptorFamilies* cache : order_) {
    std::vector<Row>& rows = cache->rows;
    if (rows.capacity() > 1024 && rows.capacity() / 4 > rows.size()) {
      rows.clear();
      rows.shrink_to_fit();
    }
  }
}

const std::vector<Family>& FamilyIndex::families() {
  if (dirty_) rebuild();
  return families_;
}

void FamilyIndex::rebuild() {
  std::map<std::string, Family, std::less<>> by_name;
  auto add = [&](const std::string& name, FamilyType type, std::string_view brief,
                 DescriptorFamilies* cache, uint32_t field, Role role) {
    auto [it, inserted] = by_name.try_emplace(name);
    Family& family = it->second;
    if (inserted) {
      family.type = type;
      family.header = "# HELP " + name + " ";
      append_escaped(family.header, brief, false);
      family.header.append("\n# TYPE ").append(name).append(" ");
      family.header.append(to_string(type)).append("\n");
    } else {
      // Conflicting TYPE: the family seen later is dropped. Within one descriptor, two fields
      // mapping to one name would duplicate every series: the later field is dropped.
      if (family.type != type) return;
      for (const FamilyMember& m : family.members)
        if (m.descriptor == cache) return;
    }
    family.members.push_back({cache, field, role});
  };
  for (DescriptorFamilies* cache : order_) {
    const auto& fields = cache->descriptor->fields;
    for (uint32_t f = 0; f < fields.size(); ++f) {
      const MetricsField& field = fields[f];
      const FieldNames& names = cache->fields[f];
      switch (field.kind) {
        case InstrumentKind::kCounter:
        case InstrumentKind::kObserveCounter:
          add(names.base, FamilyType::kCounter, field.brief, cache, f, Role::kScalar);
          break;
        case InstrumentKind::kUpDownCounter:
        case InstrumentKind::kObserveUpDownCounter:
        case InstrumentKind::kGauge:
          add(names.base, FamilyType::kGauge, field.brief, cache, f, Role::kScalar);
          break;
        case InstrumentKind::kHistogram:
          add(names.base, FamilyType::kHistogram, field.brief, cache, f, Role::kHistogram);
          break;
        case InstrumentKind::kExponentialHistogram:
          add(names.base, FamilyType::kHistogram, field.brief, cache, f,
              Role::kExponentialHistogram);
          break;
        case InstrumentKind::kMmsc:
          add(names.base, FamilyType::kSummary, field.brief, cache, f, Role::kMmscSummary);
          add(names.min, FamilyType::kGauge, field.brief, cache, f, Role::kMmscMin);
          add(names.max, FamilyType::kGauge, field.brief, cache, f, Role::kMmscMax);
          break;
      }
    }
  }
  families_.clear();
  families_.reserve(by_name.size());
  for (auto& [name, family] : by_name) families_.push_back(std::move(family));
  dirty_ = false;
}

}  // namespace coretel::prometheus
