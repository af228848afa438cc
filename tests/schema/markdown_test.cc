// Markdown generator (tools/schema/generate_markdown.h): exact table rows over a small registry
// written by the test and the write-only-when-changed rule (the whole upstream registry and the
// command line: tests/conformance/upstream_registry_test.cc).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "check.h"
#include "generate_markdown.h"
#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

// A `shop` namespace (attributes, a metric set of two metrics, a plain metric, an event, a span,
// an entity), a v1 span named by its group id, and a second namespace `bank`.
constexpr const char* kShop = R"(file_format: definition/2
attributes:
  - key: shop.region
    type: string
    brief: Region.
    stability: development
    examples: [eu]
  - key: shop.outcome
    type:
      members:
        - id: sold
          stability: development
        - id: returned
          stability: development
    brief: Outcome.
    stability: development
  - key: shop.payment.method
    type:
      members:
        - id: card
          value: card
          stability: stable
        - id: cash_or_check
          value: "cash|check"
          stability: stable
    brief: "How it was paid: card | cash."
    stability: stable
  - key: shop.register
    type: int
    brief: |
      The register number,
      soft wrapped.

      A second paragraph.
    stability: development
    examples: [3]
  - key: shop.till
    type: int
    brief: The till number.
    stability: development
    examples: [3]
    deprecated:
      reason: renamed
      renamed_to: shop.register
  - key: shop.header
    type: template[string]
    brief: Request headers.
    stability: development
    examples: [x]
attribute_groups:
  - id: shop.sales.attributes
    visibility: internal
    attributes:
      - ref: shop.region
      - ref: shop.outcome
        annotations:
          coretel: {measurement: true}
metrics:
  - name: shop.sales
    brief: Items sold.
    instrument: counter
    unit: "{item}"
    stability: development
    requirement_level: recommended
    annotations:
      coretel: {metric_set: shop.sales}
    attributes:
      - ref_group: shop.sales.attributes
  - name: shop.revenue
    brief: Revenue.
    instrument: counter
    unit: "{EUR}"
    stability: development
    requirement_level: recommended
    annotations:
      coretel: {metric_set: shop.sales}
    attributes:
      - ref_group: shop.sales.attributes
  - name: shop.queue.length
    brief: Customers waiting.
    instrument: gauge
    unit: "{customer}"
    stability: stable
    requirement_level: recommended
    attributes:
      - ref: shop.region
        requirement_level: required
      - ref: shop.payment.method
        requirement_level: opt_in
events:
  - name: shop.checkout
    brief: A basket was paid.
    stability: development
    requirement_level: recommended
    attributes:
      - ref: shop.payment.method
        requirement_level: required
spans:
  - type: shop.pay
    kind: client
    brief: Pays at the terminal.
    stability: development
    requirement_level: recommended
    name:
      note: shop.pay
    attributes:
      - ref: shop.payment.method
entities:
  - type: shop.store
    brief: A store.
    stability: development
    requirement_level: recommended
    identity:
      - ref: shop.region
    description:
      - ref: shop.register
)";

constexpr const char* kBank = R"(groups:
  - id: registry.bank
    type: attribute_group
    brief: Bank attributes.
    attributes:
      - id: bank.name
        type: string
        brief: The bank's name.
        stability: development
        examples: [acme]
  - id: span.bank.transfer
    type: span
    span_kind: client
    brief: A transfer.
    stability: development
    attributes:
      - ref: bank.name
        requirement_level: required
)";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    files.insert(e.path().filename().string());
  }
  return files;
}

class SmallRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.write("shop.yaml", kShop);
    registry_.write("bank.yaml", kBank);
    Diagnostics diagnostics;
    loaded_ = load_registry(registry_.path(), diagnostics, CheckOptions{false});
    for (const Diagnostic& d : diagnostics.all()) {
      if (d.severity == Severity::kError) ADD_FAILURE() << format_text(d);
    }
    ASSERT_TRUE(loaded_.resolved_ok);
    std::string error;
    ASSERT_TRUE(generate_markdown(loaded_.resolved, out_.path() / "docs", error)) << error;
    shop_ = read(out_.path() / "docs" / "shop.md");
    index_ = read(out_.path() / "docs" / "README.md");
  }

  TempDir registry_;
  TempDir out_;
  LoadedRegistry loaded_;
  std::string shop_;
  std::string index_;
};

#define EXPECT_LINE(text, line) EXPECT_EQ(lines_of(text).count(line), 1u) << "missing: " << line

TEST_F(SmallRegistry, OnePagePerRootNamespacePlusIndex) {
  EXPECT_EQ(files_in(out_.path() / "docs"),
            (std::set<std::string>{"README.md", "bank.md", "shop.md"}));
}

TEST_F(SmallRegistry, AttributeRows) {
  EXPECT_LINE(shop_, "| Key | Type | Brief | Stability | Deprecation |");
  // An enum shows its values; a `|` in a value or a brief is escaped, also in code spans.
  EXPECT_LINE(shop_,
              "| `shop.payment.method` | enum: `card`, `cash\\|check` | How it was paid: card \\| "
              "cash. | stable | |");
  EXPECT_LINE(shop_, "| `shop.outcome` | enum: `sold`, `returned` | Outcome. | development | |");
  // Soft line breaks become spaces, paragraph breaks <br><br>; no raw newline inside a row.
  EXPECT_LINE(shop_,
              "| `shop.register` | `int` | The register number, soft wrapped.<br><br>A second "
              "paragraph. | development | |");
  EXPECT_LINE(shop_,
              "| `shop.till` | `int` | The till number. | development | renamed to "
              "`shop.register` |");
  EXPECT_LINE(shop_,
              "| `shop.header.<key>` | `template[string]` | Request headers. | development | |");
}

TEST_F(SmallRegistry, SignalRows) {
  EXPECT_LINE(shop_,
              "| `shop.queue.length` | gauge | `{customer}` | Customers waiting. | stable | "
              "`shop.payment.method` (opt_in)<br>`shop.region` (required) |");
  EXPECT_LINE(shop_,
              "| `shop.checkout` | A basket was paid. | development | `shop.payment.method` "
              "(required) |");
  EXPECT_LINE(shop_,
              "| `shop.pay` | client | Pays at the terminal. | development | "
              "`shop.payment.method` (recommended) |");
  EXPECT_LINE(shop_, "| Entity | Brief | Stability | Identity | Description |");
  EXPECT_LINE(shop_,
              "| `shop.store` | A store. | development | `shop.region` (recommended) | "
              "`shop.register` (recommended) |");
  // A v1 span is named by its group id; it still lands on its namespace's page.
  EXPECT_LINE(read(out_.path() / "docs" / "bank.md"),
              "| `bank.transfer` | client | A transfer. | development | `bank.name` "
              "(required) |");
  // Sections come in order.
  std::size_t attributes = shop_.find("## Attributes"), metrics = shop_.find("## Metrics"),
              sets = shop_.find("## Metric sets"), events = shop_.find("## Events"),
              spans = shop_.find("## Spans"), entities = shop_.find("## Entities");
  ASSERT_NE(entities, std::string::npos);
  EXPECT_TRUE(attributes < metrics && metrics < sets && sets < events && events < spans &&
              spans < entities);
}

TEST_F(SmallRegistry, IndexListsNamespacesAndMetricSets) {
  EXPECT_LINE(index_, "| Metric sets | 1 |");
  EXPECT_LINE(index_, "| [bank](bank.md) | 1 | 0 | 0 | 0 | 1 | 0 |");
  EXPECT_LINE(index_, "| [shop](shop.md) | 6 | 3 | 1 | 1 | 1 | 1 |");
  EXPECT_LINE(index_, "### `shop.sales`");
  EXPECT_LINE(index_, "- Attribute group: `shop.sales.attributes`");
  EXPECT_LINE(index_, "- Attributes (given at registration): `shop.region` (recommended)");
  EXPECT_LINE(index_,
              "- Measurement attributes (per record): `shop.outcome` (recommended): `sold`, "
              "`returned`");
  EXPECT_LINE(index_, "| `shop.revenue` | counter | `{EUR}` | Revenue. |");
  EXPECT_LINE(index_, "| `shop.sales` | counter | `{item}` | Items sold. |");
  // The namespace page has the set too.
  EXPECT_LINE(shop_, "- Attributes (given at registration): `shop.region` (recommended)");
  // Deterministic: no timestamp, no temp path.
  EXPECT_EQ(index_.find(registry_.path().string()), std::string::npos);
}

TEST_F(SmallRegistry, RewritesOnlyChangedFiles) {
  const fs::path dir = out_.path() / "docs";
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
  for (const std::string& f : files_in(dir)) fs::last_write_time(dir / f, old_time);
  std::ofstream(dir / "bank.md", std::ios::binary | std::ios::trunc) << "stale\n";
  fs::last_write_time(dir / "bank.md", old_time);

  std::string error;
  ASSERT_TRUE(generate_markdown(loaded_.resolved, dir, error)) << error;
  EXPECT_EQ(fs::last_write_time(dir / "README.md"), old_time);
  EXPECT_EQ(fs::last_write_time(dir / "shop.md"), old_time);
  EXPECT_NE(fs::last_write_time(dir / "bank.md"), old_time);
  EXPECT_NE(read(dir / "bank.md"), "stale\n");
  EXPECT_EQ(read(dir / "shop.md"), shop_);
}

TEST_F(SmallRegistry, RemovesPagesOfNamespacesThatAreGoneAndKeepsOtherFiles) {
  const fs::path dir = out_.path() / "docs";
  // A page an earlier run wrote for a namespace since removed, and a hand-written page.
  std::string gone = read(dir / "bank.md");
  std::ofstream(dir / "gone.md", std::ios::binary) << gone;
  std::ofstream(dir / "notes.md", std::ios::binary) << "# Notes\n\nWritten by hand.\n";
  std::string error;
  ASSERT_TRUE(generate_markdown(loaded_.resolved, dir, error)) << error;
  EXPECT_EQ(files_in(dir), (std::set<std::string>{"README.md", "bank.md", "notes.md", "shop.md"}));
}

TEST(Markdown, ReportsAnUnwritableFolder) {
  TempDir dir;
  dir.write("file", "x");
  std::string error;
  EXPECT_FALSE(generate_markdown(ResolvedRegistry{}, dir.path() / "file", error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
