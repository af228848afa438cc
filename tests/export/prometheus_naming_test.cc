// The internals of the Prometheus text exporter that its golden tests reach only through whole
// scrapes: the number formatter (src/metrics/number_format.h), label keys with a prefix, HELP
// escaping and the label set with its `;` joining (src/export/prometheus_naming.h).
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "coretel/export/prometheus_text.h"

#include "number_format.h"
#include "prometheus_naming.h"

namespace coretel_export_test {
namespace {

using coretel::NonFiniteStyle;
using coretel::prometheus::PrometheusLabelSet;
using Group = PrometheusLabelSet::Group;

std::string number(double v, NonFiniteStyle style = NonFiniteStyle::kPrometheus) {
  std::string out = "x";  // appends, not overwrites
  coretel::append_double(out, v, style);
  return out.substr(1);
}

TEST(NumberFormat, ShortestRoundTripAndIntegersAsIntegers) {
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.0), "-0");
  EXPECT_EQ(number(100), "100");
  EXPECT_EQ(number(0.1), "0.1");
  EXPECT_EQ(number(2.5), "2.5");
  EXPECT_EQ(number(1e15), "1e+15");  // scientific when shorter
  EXPECT_EQ(number(123456789012345.0), "123456789012345");
  EXPECT_EQ(number(1e-4), "1e-04");
  EXPECT_EQ(number(0.001), "0.001");
  EXPECT_EQ(number(1e300), "1e+300");
  // The longest forms fit kMaxNumberChars.
  EXPECT_EQ(number(-DBL_MIN), "-2.2250738585072014e-308");
  EXPECT_EQ(number(-DBL_MAX), "-1.7976931348623157e+308");
  EXPECT_LE(number(-DBL_MIN).size(), coretel::kMaxNumberChars);
  for (double v : {0.1, 1.0 / 3, 2.0 / 3, 1e-300, 6.02214076e23, -DBL_MAX, DBL_MIN})
    EXPECT_EQ(std::stod(number(v)), v) << number(v);
}

TEST(NumberFormat, NonFiniteSpellings) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(number(std::nan("")), "NaN");
  EXPECT_EQ(number(-std::nan("")), "NaN");
  EXPECT_EQ(number(inf), "+Inf");
  EXPECT_EQ(number(-inf), "-Inf");
  EXPECT_EQ(number(std::nan(""), NonFiniteStyle::kAttribute), "NaN");
  EXPECT_EQ(number(inf, NonFiniteStyle::kAttribute), "Infinity");
  EXPECT_EQ(number(-inf, NonFiniteStyle::kAttribute), "-Infinity");
  EXPECT_EQ(number(0.5, NonFiniteStyle::kAttribute), "0.5");
}

TEST(NumberFormat, Integers) {
  char buf[coretel::kMaxNumberChars];
  EXPECT_EQ(std::string(buf, coretel::format_u64(buf, UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(std::string(buf, coretel::format_i64(buf, INT64_MIN)), "-9223372036854775808");
  std::string out = "n=";
  coretel::append_i64(out, -42);
  EXPECT_EQ(out, "n=-42");
}

// to_string(AttributeValue), which the console exporter prints, gives a double attribute the
// text of its Prometheus label value.
TEST(NumberFormat, AttributeToStringMatchesThePrometheusLabelValue) {
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, -0.0, 3.0, 0.1, 1e15, 1e-4, 1e300, inf, -inf, std::nan("")}) {
    coretel::AttributeValue value{v};
    EXPECT_EQ(coretel::to_string(value), coretel::prometheus_label_value(value)) << v;
  }
  EXPECT_EQ(coretel::to_string(coretel::AttributeValue{inf}), "Infinity");
  EXPECT_EQ(coretel::to_string(coretel::AttributeValue{1e15}), "1e+15");
}

std::string key(std::string_view prefix, std::string_view k, std::string out = {}) {
  coretel::prometheus::append_label_key(out, prefix, k);
  return out;
}

TEST(PrometheusNaming, LabelKeyWithAPrefix) {
  // Runs of '_' collapse across the prefix; a leading digit needs no '_' after one.
  EXPECT_EQ(key("otel_scope_", "_x"), "otel_scope_x");
  EXPECT_EQ(key("otel_scope_", ".host.name"), "otel_scope_host_name");
  EXPECT_EQ(key("otel_scope_", "9x"), "otel_scope_9x");
  EXPECT_EQ(key("otel_scope_name", ""), "otel_scope_name");
  // Only a whole key of `le` / `quantile` is reserved.
  EXPECT_EQ(key("otel_scope_", "le"), "otel_scope_le");
  EXPECT_EQ(key("", "quantile"), "exported_quantile");
  // Appends: what `out` held before is neither collapsed into nor renamed.
  EXPECT_EQ(key("", "_x", "a_"), "a__x");
  EXPECT_EQ(key("", "le", "x,"), "x,exported_le");
}

TEST(PrometheusNaming, HelpEscapesNoQuotes) {
  std::string help;
  coretel::prometheus::append_escaped(help, "a\"b\\c\nd\xFF", false);
  EXPECT_EQ(help, "a\"b\\\\c\\nd\xEF\xBF\xBD");
  std::string value;
  coretel::prometheus::append_escaped(value, "a\"b", true);
  EXPECT_EQ(value, "a\\\"b");
}

TEST(PrometheusNaming, LabelSetInOrderAdded) {
  PrometheusLabelSet set;
  set.add_text("otel_scope_name", {}, "app.set", Group::kScopeName, "otel.scope.name");
  set.add("otel_scope_", "core", coretel::AttributeValue{int64_t{3}}, Group::kEntity);
  set.add({}, "z.ratio", coretel::AttributeValue{HUGE_VAL}, Group::kPoint);
  set.add_text({}, "method", "GE\"T", Group::kPoint, "method");
  set.add_text({}, "empty", "", Group::kPoint, "empty");
  std::string out = "{";
  set.append_to(out);
  EXPECT_EQ(out,
            "{otel_scope_name=\"app.set\",otel_scope_core=\"3\",z_ratio=\"Infinity\","
            "method=\"GE\\\"T\",empty=\"\"");
  // Reused after clear(): nothing of the previous set remains.
  set.clear();
  set.add({}, "b", coretel::AttributeValue{true}, Group::kPoint);
  out.clear();
  set.append_to(out);
  EXPECT_EQ(out, "b=\"true\"");
  set.clear();
  out.clear();
  set.append_to(out);
  EXPECT_EQ(out, "");
}

TEST(PrometheusNaming, LabelSetJoinsCollidingKeys) {
  PrometheusLabelSet set;
  // Added point-first to show that the group, not the order added, orders the joined values;
  // within a group, the original keys do ("a.b" < "a_b").
  set.add({}, "a_b", coretel::AttributeValue{std::string("2")}, Group::kPoint);
  set.add({}, "a.b", coretel::AttributeValue{std::string("1")}, Group::kPoint);
  set.add({}, "otel.scope.name", coretel::AttributeValue{std::string("p;q")}, Group::kPoint);
  set.add("otel_scope_", "name", coretel::AttributeValue{std::string("entity")}, Group::kEntity);
  set.add_text("otel_scope_name", {}, "set", Group::kScopeName, "otel.scope.name");
  set.add({}, "c", coretel::AttributeValue{std::string("x\ny")}, Group::kPoint);
  std::string out;
  set.append_to(out);
  EXPECT_EQ(out, "a_b=\"1;2\",c=\"x\\ny\",otel_scope_name=\"set;entity;p;q\"");
}

}  // namespace
}  // namespace coretel_export_test
