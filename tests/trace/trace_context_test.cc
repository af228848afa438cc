// W3C Trace Context Level 2 values (coretel/trace/trace_context.h): every traceparent and
// tracestate case the W3C test suite exercises, and the recommendation's rules it does not test
// (lowercase hex only; mutation order and the 32-member bound).
#include "coretel/trace/trace_context.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace tr = coretel::trace;

constexpr std::string_view kTrace = "0af7651916cd43dd8448eb211c80319c";
constexpr std::string_view kParent = "b7ad6b7169203331";

std::string tp(std::string_view version, std::string_view trace, std::string_view parent,
               std::string_view flags) {
  return std::string(version) + "-" + std::string(trace) + "-" + std::string(parent) + "-" +
         std::string(flags);
}

TEST(Traceparent, AValidHeaderParsesAndWritesBack) {
  const auto p = tr::parse_traceparent(tp("00", kTrace, kParent, "01"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, 0);
  EXPECT_EQ(p->trace_id.hex(), kTrace);
  EXPECT_EQ(p->parent_id.hex(), kParent);
  EXPECT_EQ(p->flags, tr::kSampledFlag);
  EXPECT_EQ(tr::format_traceparent(p->trace_id, p->parent_id, p->flags),
            tp("00", kTrace, kParent, "01"));
  // Level 2's random flag is kept.
  const auto random = tr::parse_traceparent(tp("00", kTrace, kParent, "03"));
  ASSERT_TRUE(random);
  EXPECT_EQ(random->flags, tr::kSampledFlag | tr::kRandomFlag);
  EXPECT_EQ(tr::format_traceparent(random->trace_id, random->parent_id, random->flags).substr(53),
            "03");
}

TEST(Traceparent, SpacesAndTabsAroundTheValueAreAccepted) {
  EXPECT_TRUE(tr::parse_traceparent(" \t" + tp("00", kTrace, kParent, "01") + "\t "));
}

TEST(Traceparent, Version00IsExactly55Characters) {
  EXPECT_FALSE(tr::parse_traceparent(tp("00", kTrace, kParent, "01") + "."));
  EXPECT_FALSE(
      tr::parse_traceparent(tp("00", kTrace, kParent, "01") + "-what-the-future-will-be-like"));
}

TEST(Traceparent, AFutureVersionReadsItsFirst55Characters) {
  const auto future = tr::parse_traceparent(tp("cc", kTrace, kParent, "01"));
  ASSERT_TRUE(future);
  EXPECT_EQ(future->version, 0xcc);
  EXPECT_TRUE(
      tr::parse_traceparent(tp("cc", kTrace, kParent, "01") + "-what-the-future-will-be-like"));
  EXPECT_FALSE(
      tr::parse_traceparent(tp("cc", kTrace, kParent, "01") + ".what-the-future-will-be-like"));
  // Sent on as version 00.
  EXPECT_EQ(tr::format_traceparent(future->trace_id, future->parent_id, future->flags),
            tp("00", kTrace, kParent, "01"));
  EXPECT_FALSE(tr::parse_traceparent(tp("ff", kTrace, kParent, "01")));
}

TEST(Traceparent, IllegalCharactersAndLengthsAreInvalid) {
  const std::string t31(kTrace.substr(1)), t33 = std::string(kTrace) + "0";
  const std::string p15(kParent.substr(1)), p17 = std::string(kParent) + "0";
  for (const std::string& bad :
       {tp(".0", kTrace, kParent, "01"), tp("0.", kTrace, kParent, "01"),
        tp("000", kTrace, kParent, "01"), tp("0", kTrace, kParent, "01"),
        tp("00", t31, kParent, "01"), tp("00", t33, kParent, "01"), tp("00", kTrace, p15, "01"),
        tp("00", kTrace, p17, "01"), tp("00", kTrace, kParent, "001"),
        tp("00", kTrace, kParent, "1"), tp("00", kTrace, kParent, ".1"),
        tp("00", kTrace, kParent, "0."),
        tp("00", "0af7651916cd43dd8448eb211c80319.", kParent, "01"),
        tp("00", kTrace, "b7ad6b716920333.", "01"),
        // uppercase hex is not HEXDIGLC
        tp("00", "0AF7651916CD43DD8448EB211C80319C", kParent, "01"),
        tp("00", kTrace, "B7AD6B7169203331", "01"), tp("00", kTrace, kParent, "0A"),
        // all-zero ids
        tp("00", "00000000000000000000000000000000", kParent, "01"),
        tp("00", kTrace, "0000000000000000", "01"),
        // separators
        "00_" + std::string(kTrace) + "-" + std::string(kParent) + "-01", std::string(),
        std::string("00")}) {
    EXPECT_FALSE(tr::parse_traceparent(bad)) << bad;
  }
}

std::optional<tr::TraceState> state(std::vector<std::string_view> lines) {
  return tr::TraceState::parse(lines);
}

TEST(TraceState, LinesAreCombinedInOrderAndEmptyOnesIgnored) {
  const auto s = state({"foo=1", "", "bar=2, baz=3", " \t "});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->header(), "foo=1,bar=2,baz=3");
  EXPECT_EQ(state({""})->header(), "");
  const auto ows = state({"\tfoo=1 ,\t bar=2\t"});
  ASSERT_TRUE(ows);
  EXPECT_EQ(ows->header(), "foo=1,bar=2");
  // A key given twice makes the list invalid (the W3C test suite's strict level 2), on one line
  // or across lines.
  EXPECT_FALSE(state({"foo=1,foo=1"}));
  EXPECT_FALSE(state({"foo=1,foo=2"}));
  EXPECT_FALSE(state({"foo=1", "foo=2"}));
}

TEST(TraceState, KeysAndValuesFollowTheGrammar) {
  EXPECT_TRUE(state({std::string(256, 'z') + "=1"}));
  EXPECT_FALSE(state({std::string(257, 'z') + "=1"}));
  for (const std::string& key :
       {std::string(241, 't') + "@" + std::string(14, 'v'), std::string("9a_-*/@v9_-*/"),
        std::string("t@v"), std::string("0")})
    EXPECT_TRUE(state({key + "=1"})) << key;
  // Tenant over 241 characters, system-id over 14, empty parts, two "@", a digit first in the
  // system-id.
  for (const std::string& key : {std::string(242, 't') + "@v", "t@" + std::string(15, 'v'),
                                 std::string("foo@"), std::string("@foo"), std::string("foo@@bar"),
                                 std::string("foo@bar@baz"), std::string("foo@9")})
    EXPECT_FALSE(state({key + "=1,bar=2"})) << key;
  for (const char* bad : {"@foo=1,bar=2", "foo =1", "FOO=1", "foo.bar=1", "foo=bar=baz",
                          "foo=,bar=3", "foo", "=1", "foo=\x7f"})
    EXPECT_FALSE(state({bad})) << bad;
  EXPECT_TRUE(state({"foo=1 2"}));  // a space inside a value, not at its end
  // A trailing space is the list's optional whitespace, not part of the value.
  EXPECT_EQ(state({"foo=1 2 "})->header(), "foo=1 2");
  EXPECT_FALSE(tr::TraceState::valid_value("1 2 "));
  EXPECT_TRUE(state({"foo=" + std::string(256, 'v')}));
  EXPECT_FALSE(state({"foo=" + std::string(257, 'v')}));
}

// "k0=v,k1=v,...": n members.
std::string members_of(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out.append(",");
    out.append("k").append(std::to_string(i)).append("=v");
  }
  return out;
}

TEST(TraceState, AtMost32Members) {
  const std::string members = members_of(32);
  const auto full = state({members});
  ASSERT_TRUE(full);
  EXPECT_EQ(full->members().size(), 32u);
  EXPECT_FALSE(state({members + ",k32=v"}));
  EXPECT_FALSE(state({members, "k32=v"}));  // across lines too
}

TEST(TraceState, MutationPutsTheKeyFirstAndDropsFromTheRight) {
  const std::string members = members_of(32);
  const auto full = state({members});
  const auto added = full->with("coretel", "x");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->members().size(), 32u);
  EXPECT_EQ(added->members().front(), (std::pair<std::string, std::string>{"coretel", "x"}));
  EXPECT_FALSE(added->get("k31"));  // the last one dropped
  const auto moved = added->with("k5", "w");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->members()[0].first, "k5");
  EXPECT_EQ(moved->members()[1].first, "coretel");
  EXPECT_EQ(*moved->get("k5"), "w");
  EXPECT_EQ(moved->members().size(), 32u);
  EXPECT_FALSE(full->with("Bad", "x"));
  EXPECT_FALSE(full->with("ok", "a,b"));
}

}  // namespace
