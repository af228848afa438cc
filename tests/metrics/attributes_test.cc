// Attributes: the packed attribute set kept per entity and per registration. Every value type
// round-trips, sets are ordered by key whatever the order given, and bad keys are refused.
#include "coretel/metrics/attributes.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using coretel::Attribute;
using coretel::Attributes;
using coretel::AttributeValue;

TEST(Attributes, EveryValueTypeRoundTripsInKeyOrder) {
  const std::string long_text(300, 'x');  // longer than any small-string buffer
  Attributes set{{"s", std::string("text")},
                 {"i", int64_t{-42}},
                 {"d", 0.25},
                 {"b", true},
                 {"empty", std::string()},
                 {"long", long_text},
                 {"max", std::numeric_limits<int64_t>::max()}};
  const std::vector<Attribute> expected{{"b", true},
                                        {"d", 0.25},
                                        {"empty", std::string()},
                                        {"i", int64_t{-42}},
                                        {"long", long_text},
                                        {"max", std::numeric_limits<int64_t>::max()},
                                        {"s", std::string("text")}};
  EXPECT_EQ(set.to_vector(), expected);
  EXPECT_EQ(set.size(), 7u);
  std::vector<std::string> keys;
  for (const coretel::AttributeRef& a : set) keys.emplace_back(a.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "d", "empty", "i", "long", "max", "s"}));

  ASSERT_TRUE(set.find("i"));
  EXPECT_EQ(std::get<int64_t>(*set.find("i")), -42);
  EXPECT_EQ(std::get<std::string_view>(*set.find("long")), long_text);
  EXPECT_EQ(*set.find("b"), AttributeValue(true));
  EXPECT_FALSE(set.find("absent"));
  EXPECT_FALSE(set.find(""));
}

TEST(Attributes, EqualWhateverTheOrderGiven) {
  Attributes a{{"x", int64_t{1}}, {"y", std::string("two")}};
  Attributes b{{"y", std::string("two")}, {"x", int64_t{1}}};
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a < b || b < a);
  EXPECT_NE(a, (Attributes{{"x", int64_t{2}}, {"y", std::string("two")}}));
  // Same text, other type: not equal.
  EXPECT_NE((Attributes{{"x", int64_t{1}}}), (Attributes{{"x", 1.0}}));
  EXPECT_TRUE((Attributes{{"x", int64_t{1}}}) < (Attributes{{"x", int64_t{2}}}));
  EXPECT_EQ(Attributes{}, Attributes{});
  const Attributes none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.begin(), none.end());
}

TEST(Attributes, CopiesAreIndependentAndNaNEqualsItself) {
  // Inside the object (up to kInlineBytes of encoding) and in a heap block.
  for (const std::string& text : {std::string("v"), std::string(100, 'v')}) {
    Attributes a{{"v", std::nan("")}, {"k", text}};
    Attributes copy = a;
    EXPECT_EQ(copy, a);  // compared as encoded: NaN equals itself
    Attributes moved = std::move(copy);
    EXPECT_EQ(moved, a);
    EXPECT_TRUE(copy.empty());  // NOLINT: a moved-from set is empty
    copy = moved;
    EXPECT_EQ(copy, a);
    moved = Attributes{{"other", int64_t{1}}};
    EXPECT_EQ(copy, a);
    EXPECT_EQ(std::get<std::string_view>(*copy.find("k")), text);
    EXPECT_EQ(std::get<int64_t>(*moved.find("other")), 1);
  }
}

TEST(Attributes, BadKeysAreRefusedWithTheirReason) {
  try {
    Attributes bad{{"a", int64_t{1}}, {"a", int64_t{2}}};
    FAIL() << "a repeated key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "attribute key 'a' appears twice");
  }
  try {
    Attributes bad{{"", int64_t{1}}};
    FAIL() << "an empty key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "attribute key is empty");
  }
  const std::string too_long(65536, 'k');
  try {
    Attributes bad{{too_long, int64_t{1}}};
    FAIL() << "a key over 65,535 bytes was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "attribute key '" + std::string(32, 'k') + "...' is longer than 65535 bytes");
  }
  EXPECT_NO_THROW((Attributes{{std::string(65535, 'k'), int64_t{1}}}));
}

}  // namespace
