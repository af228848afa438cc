// The propagators (coretel/trace/propagation.h): W3C Trace Context in and out of request
// headers (the trace-context test suite's header cases), W3C Baggage, the composite and
// OTEL_PROPAGATORS' choice.
#include "coretel/trace/propagation.h"

#include <gtest/gtest.h>

namespace {

namespace tr = coretel::trace;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

tr::Context extract(const tr::TextMapPropagator& p, Headers headers) {
  return p.extract(tr::HeaderCarrier(std::move(headers)), {});
}

TEST(TraceContextPropagator, ExtractsARemoteParentWithItsTracestate) {
  const auto p = tr::trace_context_propagator();
  const tr::Context c =
      extract(*p, {{"TraceParent", kParent}, {"tracestate", "foo=1"}, {"TRACESTATE", "bar=2"}});
  ASSERT_TRUE(c.span);
  EXPECT_TRUE(c.span->remote);
  EXPECT_EQ(c.span->trace_id.hex(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(c.span->span_id.hex(), "b7ad6b7169203331");
  EXPECT_TRUE(c.span->sampled());
  EXPECT_EQ(c.span->trace_state.header(), "foo=1,bar=2");
  EXPECT_EQ(p->fields(), (std::vector<std::string>{"traceparent", "tracestate"}));
}

TEST(TraceContextPropagator, WhatIsNotOneValidTraceparentIsNoParent) {
  const auto p = tr::trace_context_propagator();
  EXPECT_FALSE(extract(*p, {}).span);
  EXPECT_FALSE(extract(*p, {{"traceparent", kParent}, {"traceparent", kParent}}).span);
  EXPECT_FALSE(extract(*p, {{"trace-parent", kParent}}).span);
  EXPECT_FALSE(extract(*p, {{"trace.parent", kParent}}).span);
  EXPECT_FALSE(extract(*p, {{"traceparent", kParent + "."}}).span);
  // A tracestate without a valid traceparent is discarded with it.
  EXPECT_FALSE(extract(*p, {{"tracestate", "foo=1"}}).span);
  // An invalid tracestate is discarded, the parent kept.
  const tr::Context c = extract(*p, {{"traceparent", kParent}, {"tracestate", "FOO=1"}});
  ASSERT_TRUE(c.span);
  EXPECT_TRUE(c.span->trace_state.empty());
}

TEST(TraceContextPropagator, InjectsVersion00WithTheFlagsAndTheTracestate) {
  const auto p = tr::trace_context_propagator();
  tr::Context c = extract(*p, {{"traceparent",
                                "cc-0af7651916cd43dd8448eb211c80319c-"
                                "b7ad6b7169203331-03-future"},
                               {"tracestate", "foo=1"}});
  ASSERT_TRUE(c.span);
  tr::HeaderCarrier out(Headers{{"Traceparent", "stale"}});
  p->inject(c, out);
  EXPECT_EQ(out.headers(),
            (Headers{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03"},
                     {"tracestate", "foo=1"}}));
  // No valid span: nothing written.
  tr::HeaderCarrier none;
  p->inject(tr::Context{}, none);
  EXPECT_TRUE(none.headers().empty());
}

TEST(Baggage, ParsesMembersPropertiesAndPercentEncoding) {
  const tr::Baggage b = tr::Baggage::parse(
      {" userId = alice%20b ;ttl=60, serverNode=DF%3A28 ", "isProduction=false"});
  EXPECT_EQ(b.entries(), (std::vector<tr::BaggageEntry>{{"userId", "alice b", "ttl=60"},
                                                        {"serverNode", "DF:28", ""},
                                                        {"isProduction", "false", ""}}));
  EXPECT_EQ(b.header(), "userId=alice%20b;ttl=60,serverNode=DF:28,isProduction=false");
  // Invalid members are skipped, the others kept; a key given again replaces the value.
  const tr::Baggage skipped = tr::Baggage::parse({"bad key=1,ok=1,noequals,v=%zz,q=\"x\",ok=2"});
  EXPECT_EQ(skipped.header(), "ok=2");
  // Round trip of a value that needs encoding.
  const tr::Baggage set = tr::Baggage{}.with("k", "a,b;c %\"\\");
  EXPECT_EQ(set.header(), "k=a%2Cb%3Bc%20%25%22%5C");
  EXPECT_EQ(tr::Baggage::parse({set.header()}).get("k"), "a,b;c %\"\\");
}

TEST(Baggage, KeepsToTheLimits) {
  std::string many;
  for (int i = 0; i < 70; ++i) {
    if (i > 0) many += ',';
    many.append("k").append(std::to_string(i)).append("=v");
  }
  EXPECT_EQ(tr::Baggage::parse({many}).entries().size(), tr::Baggage::kMaxEntries);
  const std::string big = "k=" + std::string(9000, 'v');
  EXPECT_TRUE(tr::Baggage::parse({big}).empty());
  EXPECT_TRUE(tr::Baggage{}.with("k", std::string(9000, 'v')).header().empty());
}

TEST(Propagators, TheCompositeOfOtelPropagators) {
  const auto both = tr::propagator_for({"tracecontext", "baggage"});
  EXPECT_EQ(both->fields(), (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
  const tr::Context c =
      both->extract(tr::HeaderCarrier(Headers{{"traceparent", kParent}, {"baggage", "a=1"}}), {});
  ASSERT_TRUE(c.span);
  EXPECT_EQ(c.baggage.get("a"), "1");
  tr::HeaderCarrier out;
  both->inject(c, out);
  EXPECT_EQ(out.headers(), (Headers{{"traceparent", kParent}, {"baggage", "a=1"}}));
  const auto none = tr::propagator_for({"none"});
  EXPECT_TRUE(none->fields().empty());
  EXPECT_FALSE(none->extract(tr::HeaderCarrier(Headers{{"traceparent", kParent}}), {}).span);
}

}  // namespace
