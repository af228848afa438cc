// Python generator (tools/schema/generate_python.h): the exact class a metric becomes (required
// attributes as keyword-only parameters without a default, the others defaulting to None), and
// what is left out: a gauge, a deprecated metric, an attribute of an array type. The generated
// code runs in the Python package's tests (python/tests/test_otlp.py runs the example that uses
// it).
#include <gtest/gtest.h>

#include <string>

#include "generate_python.h"
#include "schema_test_support.h"

using namespace coretel::schema;
using coretel::schema::testing::check_files;
using coretel::schema::testing::TempDir;

namespace {

constexpr const char* kManifest = R"(schema_url: https://example.com/schemas/shop/1.0.0
description: The shop's metrics.
stability: development
)";

constexpr const char* kRegistry = R"(file_format: definition/2
attributes:
  - key: shop.region
    type: string
    brief: Region.
    stability: development
  - key: shop.class
    type: int
    brief: Service class.
    stability: development
  - key: shop.tags
    type: string[]
    brief: Tags.
    stability: development
metrics:
  - name: shop.sales
    brief: Items sold.
    instrument: counter
    unit: "{item}"
    stability: development
    requirement_level: recommended
    attributes:
      - ref: shop.region
        requirement_level: required
      - ref: shop.class
        requirement_level: recommended
      - ref: shop.tags
        requirement_level: opt_in
  - name: shop.revenue
    brief: Money taken.
    instrument: counter
    unit: "{EUR}"
    stability: development
    requirement_level: recommended
    annotations:
      code_generation: {metric_value_type: double}
  - name: shop.queue.depth
    brief: Customers waiting.
    instrument: gauge
    unit: "{customer}"
    stability: development
    requirement_level: recommended
  - name: shop.old
    brief: Old.
    instrument: counter
    unit: "1"
    stability: development
    requirement_level: recommended
    deprecated:
      reason: obsoleted
)";

TEST(Python, GeneratesATypedClassPerMetric) {
  const auto checked = check_files({{"manifest.yaml", kManifest}, {"shop.yaml", kRegistry}}, false);
  const std::string module = python_module(checked.loaded.resolved);
  EXPECT_NE(module.find("SCHEMA_URL = \"https://example.com/schemas/shop/1.0.0\"\n"),
            std::string::npos);
  EXPECT_NE(module.find("SHOP_CLASS = \"shop.class\"\nSHOP_REGION = \"shop.region\"\n"),
            std::string::npos)
      << module;
  EXPECT_NE(module.find(R"(class ShopSales:
    """shop.sales (counter, unit {item}): Items sold.

    Attributes:
        shop.region (str, required): Region.
        shop.class (int, recommended): Service class.
        shop.tags: not a parameter (not a scalar value)
    """

    NAME = "shop.sales"
    UNIT = "{item}"
    DESCRIPTION = "Items sold."

    def __init__(self, meter: coretel.Meter) -> None:
        self._instrument = meter.create_counter(
            self.NAME, unit=self.UNIT, description=self.DESCRIPTION
        )

    def add(self, value: int = 1, *, shop_region: str, shop_class: int | None = None) -> None:
        """Adds one measurement with these attributes."""
        attributes: dict[str, str | int | float | bool] = {SHOP_REGION: shop_region}
        if shop_class is not None:
            attributes[SHOP_CLASS] = shop_class
        self._instrument.add(value, attributes)
)"),
            std::string::npos)
      << module;
  EXPECT_NE(module.find("# shop.queue.depth (gauge, {customer}): not generated, the Python API "
                        "has no gauge."),
            std::string::npos);
  EXPECT_NE(
      module.find(
          R"(            self.NAME, unit=self.UNIT, description=self.DESCRIPTION, value_type=float
        )

    def add(self, value: float = 1.0) -> None:)"),
      std::string::npos)
      << module;
  EXPECT_EQ(module.find("shop.old"), std::string::npos);
  EXPECT_EQ(module.find("SHOP_TAGS"), std::string::npos);
}

TEST(Python, ReportsAnUnwritableFile) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(generate_python(ResolvedRegistry{}, dir.path() / "missing" / "x.py", error));
  EXPECT_NE(error.find("cannot write"), std::string::npos);
}

}  // namespace
