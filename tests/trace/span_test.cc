// Spans (coretel/trace/span.h) through a simple processor into an in-memory exporter: exact
// parent/child links, kinds, attributes, events, status and limits; sampling by parent state; the
// thread's current context; a remote parent from the propagators; events carrying the active span's
// ids.
#define CORETEL_EVENT_SCOPE "app.span_test"
#include "coretel/trace/span.h"

#include <gtest/gtest.h>

#include "coretel/events/emit.h"

namespace {

namespace tr = coretel::trace;
using coretel::Attribute;
using coretel::AttributeValue;

struct Fixture {
  std::shared_ptr<tr::InMemorySpanExporter> memory = std::make_shared<tr::InMemorySpanExporter>();
  tr::TracerProvider provider;
  explicit Fixture(tr::TracerProviderOptions o = {}) : provider(with(std::move(o))) {}
  tr::TracerProviderOptions with(tr::TracerProviderOptions o) {
    o.processors.push_back(std::make_shared<tr::SimpleSpanProcessor>(memory));
    return o;
  }
};

TEST(Span, ChildrenOfTheCurrentSpanShareItsTraceAndNameItAsParent) {
  Fixture f;
  tr::Tracer tracer = f.provider.tracer("app.server");
  tr::SpanContext root_context, child_context;
  {
    tr::Span root = tracer.start_span("request", {.kind = tr::SpanKind::kServer});
    root_context = root.context();
    auto scope = tr::activate(root.context());
    tr::Span child = tracer.start_span("parse");
    child_context = child.context();
    EXPECT_TRUE(child.is_recording());
  }                                          // child ends first, then root
  EXPECT_FALSE(tr::current_context().span);  // the scope restored the empty context
  const auto spans = f.memory->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "parse");
  EXPECT_EQ(spans[0].kind, tr::SpanKind::kInternal);
  EXPECT_EQ(spans[0].context.trace_id, root_context.trace_id);
  EXPECT_EQ(spans[0].parent_span_id, root_context.span_id);
  EXPECT_FALSE(spans[0].parent_remote);
  EXPECT_EQ(spans[1].name, "request");
  EXPECT_EQ(spans[1].kind, tr::SpanKind::kServer);
  EXPECT_FALSE(spans[1].parent_span_id.valid());
  EXPECT_EQ(spans[1].scope, "app.server");
  EXPECT_LE(spans[1].start_time_unix_nano, spans[0].start_time_unix_nano);
  EXPECT_GE(spans[1].end_time_unix_nano, spans[0].end_time_unix_nano);
  // A root's trace id is random: the W3C Level 2 flag, kept by its child.
  EXPECT_EQ(root_context.flags, tr::kSampledFlag | tr::kRandomFlag);
  EXPECT_EQ(child_context.flags, tr::kSampledFlag | tr::kRandomFlag);
}

TEST(Span, AttributesEventsStatusAndLimits) {
  Fixture f({.limits = {.attribute_count = 2,
                        .event_count = 1,
                        .event_attribute_count = 1,
                        .attribute_value_length = 4}});
  {
    tr::Span span = f.provider.tracer("app").start_span(
        "op", {.attributes = {{"a", AttributeValue(int64_t{1})}}});
    span.set_attribute("b", std::string_view("abcdefgh"));  // cut to 4 bytes
    span.set_attribute("c", true);                          // over the count: dropped
    span.set_attribute("a", int64_t{2});                    // replaces, not a new one
    const Attribute event_attributes[] = {{"x", AttributeValue(int64_t{1})},
                                          {"y", AttributeValue(int64_t{2})}};
    span.add_event("first", event_attributes, 42);
    span.record_exception("std::runtime_error", "boom");  // over the event count: dropped
    span.set_status(tr::StatusCode::kError, "bad");
    span.set_status(tr::StatusCode::kUnset);  // ignored
  }
  const auto spans = f.memory->spans();
  ASSERT_EQ(spans.size(), 1u);
  const tr::SpanData& s = spans[0];
  EXPECT_EQ(s.attributes, (std::vector<Attribute>{{"a", AttributeValue(int64_t{2})},
                                                  {"b", AttributeValue(std::string("abcd"))}}));
  EXPECT_EQ(s.dropped_attributes_count, 1u);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "first");
  EXPECT_EQ(s.events[0].time_unix_nano, 42u);
  EXPECT_EQ(s.events[0].attributes.size(), 1u);
  EXPECT_EQ(s.events[0].dropped_attributes_count, 1u);
  EXPECT_EQ(s.dropped_events_count, 1u);
  EXPECT_EQ(s.status, tr::StatusCode::kError);
  EXPECT_EQ(s.status_description, "bad");
}

TEST(Span, OkWinsAndEndIsOnce) {
  Fixture f;
  tr::Span span = f.provider.tracer("app").start_span("op");
  span.set_status(tr::StatusCode::kOk, "ignored");
  span.set_status(tr::StatusCode::kError, "late");
  span.end(100);
  span.end(200);
  span.set_attribute("after", true);  // ended: nothing
  const auto spans = f.memory->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status, tr::StatusCode::kOk);
  EXPECT_EQ(spans[0].status_description, "");
  EXPECT_EQ(spans[0].end_time_unix_nano, 100u);
  EXPECT_TRUE(spans[0].attributes.empty());
}

TEST(Span, ADroppedSpanRecordsNothingAndStillPropagates) {
  Fixture f({.sampler = tr::always_off()});
  tr::Span span = f.provider.tracer("app").start_span("op");
  EXPECT_FALSE(span.is_recording());
  EXPECT_TRUE(span.context().valid());
  EXPECT_FALSE(span.context().sampled());
  span.set_attribute("k", int64_t{1});
  span.end();
  EXPECT_TRUE(f.memory->spans().empty());
}

TEST(Span, ARemoteParentFromThePropagatorsDecidesUnderParentBased) {
  Fixture f;  // parentbased_always_on
  const auto propagator = tr::propagator_for({"tracecontext", "baggage"});
  const tr::Context sampled = propagator->extract(
      tr::HeaderCarrier(std::vector<std::pair<std::string, std::string>>{
          {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
          {"tracestate", "vendor=1"}}),
      {});
  {
    tr::Span span = f.provider.tracer("app").start_span(
        "handle", {.kind = tr::SpanKind::kServer, .parent = &sampled});
    EXPECT_EQ(span.context().trace_id.hex(), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(span.context().trace_state.header(), "vendor=1");
    EXPECT_EQ(span.context().flags, tr::kSampledFlag);  // the parent's random flag: not set
    tr::HeaderCarrier out;
    propagator->inject({span.context(), {}}, out);
    EXPECT_EQ(out.get("traceparent")[0],
              "00-0af7651916cd43dd8448eb211c80319c-" + span.context().span_id.hex() + "-01");
  }
  const auto spans = f.memory->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].parent_remote);
  EXPECT_EQ(spans[0].parent_span_id.hex(), "b7ad6b7169203331");
  // A remote parent that was not sampled: not sampled here either.
  const tr::Context not_sampled = propagator->extract(
      tr::HeaderCarrier(std::vector<std::pair<std::string, std::string>>{
          {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}}),
      {});
  tr::Span dropped = f.provider.tracer("app").start_span("handle", {.parent = &not_sampled});
  EXPECT_FALSE(dropped.is_recording());
}

class Capture final : public coretel::events::EventProvider {
 public:
  void emit(const coretel::events::EventRecord& r) noexcept override { trace = r.trace; }
  coretel::events::TraceContext trace;
};

TEST(Span, EventsEmittedInsideASpanCarryItsIds) {
  namespace ev = coretel::events;
  Fixture f;
  auto capture = std::make_shared<Capture>();
  ev::set_provider(ev::Aspect::kGlobal, capture);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  tr::Span span = f.provider.tracer("app").start_span("op");
  {
    auto scope = tr::activate(span.context());
    CORETEL_INFO("app.step");
  }
  EXPECT_EQ(capture->trace.trace_id, span.context().trace_id.bytes);
  EXPECT_EQ(capture->trace.span_id, span.context().span_id.bytes);
  EXPECT_EQ(capture->trace.flags, span.context().flags);
  CORETEL_INFO("app.step");  // outside: none
  EXPECT_FALSE(capture->trace.valid());
  ev::configure_events({});
}

}  // namespace
