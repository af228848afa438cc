#include "coretel/collect/series.h"

namespace coretel {

std::vector<std::string_view> SeriesInfo::combination_values(uint32_t combination) const {
  std::vector<std::string_view> values;
  values.reserve(measurement.size());
  for (const auto& attribute : measurement) {
    uint32_t radix = static_cast<uint32_t>(attribute.values.size());
    values.push_back(attribute.values[combination % radix]);
    combination /= radix;
  }
  return values;
}

}  // namespace coretel
