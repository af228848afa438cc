#include "coretel/collect/series.h"

namespace coretel {

std::vector<std::string_view> SeriesInfo::bucket_values(uint32_t bucket) const {
  std::vector<std::string_view> values;
  values.reserve(measurement.size());
  for (const auto& attribute : measurement) {
    uint32_t radix = static_cast<uint32_t>(attribute.values.size());
    values.push_back(attribute.values[bucket % radix]);
    bucket /= radix;
  }
  return values;
}

}  // namespace coretel
