#include "coretel/trace/span.h"

#include <algorithm>

#include "coretel/events/record.h"
#include "coretel/export/utf8.h"
#include "coretel/trace/id_generator.h"

namespace coretel::trace {

namespace {

uint64_t now_unix_nano() noexcept {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Stores `value` into `out`, a string cut to `limit` bytes (0: none) at a UTF-8 boundary; a
// string assigned into a string keeps its buffer.
void assign_limited(AttributeValue& out, AttributeValueRef value, std::size_t limit) {
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    const std::string_view kept = limit != 0 && s->size() > limit ? utf8_prefix(*s, limit) : *s;
    if (auto* text = std::get_if<std::string>(&out)) {
      text->assign(kept);
    } else {
      out.emplace<std::string>(kept);
    }
    return;
  }
  std::visit(
      [&out](auto v) {
        if constexpr (!std::is_same_v<decltype(v), std::string_view>) out = v;
      },
      static_cast<const std::variant<std::string_view, int64_t, double, bool>&>(value));
}

// Sets `key` in `list` (replacing its value), within `max` attributes; false when dropped.
bool put(std::vector<Attribute>& list, std::string_view key, AttributeValueRef value,
         std::size_t max, std::size_t length) {
  for (Attribute& a : list) {
    if (a.key == key) {
      assign_limited(a.value, value, length);
      return true;
    }
  }
  if (list.size() >= max) return false;
  if (list.capacity() == 0) list.reserve(std::min<std::size_t>(max, 4));  // one allocation, not 3
  Attribute& a = list.emplace_back();  // built in place: no temporary to move
  a.key.assign(key);
  assign_limited(a.value, value, length);
  return true;
}

// `in` within `max` attributes; returns how many were dropped.
uint32_t put_all(std::vector<Attribute>& out, std::span<const Attribute> in, std::size_t max,
                 std::size_t length) {
  uint32_t dropped = 0;
  for (const Attribute& a : in)
    if (!put(out, a.key, a.value, max, length)) ++dropped;
  return dropped;
}

// A thread's span state: its current context (the innermost ContextScope's, or empty) and its
// pool of span records. The recording spans' SpanData come from the pool of the thread that
// starts them and go back to the pool of the thread that ends them, cleared there (the
// processors copy what they keep): a thread that starts and ends spans steadily reuses the same
// few, still in its cache, and allocates only what outgrows them (an attribute value longer
// than before). At most kPooled kept a thread.
constexpr std::size_t kPooled = 64;
struct ThreadSpans {
  Context current;
  std::vector<std::unique_ptr<SpanData>> free;
};

// Reached through one trivially destructible pointer: a use costs one thread-local access (in
// a shared object such as the Python extension, a call to __tls_get_addr()) and no check of a
// thread_local's initialisation. Made at the thread's first use, freed with the thread; after
// that the pointer holds gone(), and a span ended by a later thread_local destructor is freed,
// not kept.
ThreadSpans* gone() noexcept {  // a function, not a constant: usable before static initialization
  return reinterpret_cast<ThreadSpans*>(alignof(ThreadSpans));
}
thread_local ThreadSpans* thread_spans = nullptr;  // nullptr: not made yet; gone(): freed
struct ThreadSpansOwner {
  ~ThreadSpansOwner() {
    ThreadSpans* s = thread_spans;
    thread_spans = gone();
    delete s;
  }
};

// This thread's span state; nullptr once the thread's exit has freed it, or
// when it cannot be made (out of memory).
ThreadSpans* this_thread_spans() noexcept {
  ThreadSpans* s = thread_spans;
  if (s != nullptr && s != gone()) [[likely]]
    return s;
  if (s == gone()) return nullptr;
  thread_local ThreadSpansOwner owner;  // registers the cleanup at the thread's exit, once
  try {
    thread_spans = new ThreadSpans();
  } catch (...) {
    return nullptr;
  }
  return thread_spans;
}

// Never destroyed: a thread_local or static destructor that runs after it may still read it.
const Context& empty_context() noexcept {
  static const Context* const empty = new Context();
  return *empty;
}

std::unique_ptr<SpanData> take_span_data() {
  ThreadSpans* s = this_thread_spans();
  if (s != nullptr && !s->free.empty()) {
    std::unique_ptr<SpanData> data = std::move(s->free.back());
    s->free.pop_back();
    return data;
  }
  return std::make_unique<SpanData>();
}

// Empties `s` for reuse: its strings and vectors keep their capacity.
void clear(SpanData& s) noexcept {
  s.name.clear();
  s.kind = SpanKind::kInternal;
  s.context = {};
  s.parent_span_id = {};
  s.parent_remote = false;
  s.scope.clear();
  s.start_time_unix_nano = s.end_time_unix_nano = 0;
  s.attributes.clear();
  s.events.clear();
  s.links.clear();
  s.status = StatusCode::kUnset;
  s.status_description.clear();
  s.dropped_attributes_count = s.dropped_events_count = s.dropped_links_count = 0;
}

void give_back_span_data(std::unique_ptr<SpanData> data) noexcept {
  ThreadSpans* s = this_thread_spans();
  if (s == nullptr) return;
  if (s->free.capacity() == 0) {
    try {
      s->free.reserve(kPooled);  // once: push_back below never allocates
    } catch (...) {
      return;
    }
  }
  if (s->free.size() == kPooled) return;
  clear(*data);
  s->free.push_back(std::move(data));
}

}  // namespace

struct TracerProvider::State {
  std::shared_ptr<const Sampler> sampler;
  SpanLimits limits;
  std::vector<std::shared_ptr<SpanProcessor>> processors;
};

namespace {

// The events' trace context (events/record.h): the current span's ids on this thread.
void current_trace_context(events::TraceContext& out) noexcept {
  const Context& c = current_context();
  if (!c.span || !c.span->valid()) return;
  out.trace_id = c.span->trace_id.bytes;
  out.span_id = c.span->span_id.bytes;
  out.flags = c.span->flags;
}

}  // namespace

TracerProvider::TracerProvider(TracerProviderOptions options) : state_(std::make_shared<State>()) {
  // Events emitted inside an active span carry its ids from now on.
  events::set_trace_context_source(&current_trace_context);
  state_->sampler = options.sampler ? std::move(options.sampler) : parent_based(always_on());
  state_->limits = options.limits;
  state_->processors = std::move(options.processors);
}

Tracer TracerProvider::tracer(std::string scope) const {
  return Tracer(state_, std::move(scope));
}

bool TracerProvider::force_flush(std::chrono::milliseconds timeout) {
  bool ok = true;
  for (const auto& p : state_->processors) ok = p->force_flush(timeout) && ok;
  return ok;
}

bool TracerProvider::shutdown(std::chrono::milliseconds timeout) {
  bool ok = true;
  for (const auto& p : state_->processors) ok = p->shutdown(timeout) && ok;
  return ok;
}

namespace {

SamplingResult sample(const Sampler& sampler, const SamplingParameters& parameters) noexcept {
  try {
    return sampler.should_sample(parameters);
  } catch (...) {  // a user's sampler that throws samples nothing
    return {SamplingDecision::kDrop, std::nullopt};
  }
}

}  // namespace

Span Tracer::start_span(std::string_view name, StartOptions options) const {
  Span span;
  const Context& parent_context = options.parent ? *options.parent : current_context();
  const SpanContext* parent =
      parent_context.span && parent_context.span->valid() ? &*parent_context.span : nullptr;
  SpanContext& c = span.context_;
  if (parent) {
    c.trace_id = parent->trace_id;
    c.span_id = new_span_id();
  } else {
    new_ids(c.trace_id, c.span_id);
  }
  // A root's trace id is random in full (id_generator.h): W3C Level 2's random flag; a child
  // keeps its parent's.
  const uint8_t random = parent ? (parent->flags & kRandomFlag) : kRandomFlag;
  const SamplingResult result = sample(*provider_->sampler, {parent, c.trace_id, name});
  c.flags = static_cast<uint8_t>(
      random | (result.decision == SamplingDecision::kRecordAndSample ? kSampledFlag : 0));
  if (result.trace_state) {
    c.trace_state = std::move(*result.trace_state);
  } else if (parent) {
    c.trace_state = parent->trace_state;
  }
  if (result.decision == SamplingDecision::kDrop) return span;  // nothing stored

  try {
    std::unique_ptr<SpanData> data = take_span_data();
    const SpanLimits& limits = provider_->limits;
    data->name.assign(name);
    data->kind = options.kind;
    data->context = c;
    if (parent) {
      data->parent_span_id = parent->span_id;
      data->parent_remote = parent->remote;
    }
    data->scope = scope_;
    data->start_time_unix_nano =
        options.start_time_unix_nano != 0 ? options.start_time_unix_nano : now_unix_nano();
    data->dropped_attributes_count = put_all(data->attributes, options.attributes,
                                             limits.attribute_count, limits.attribute_value_length);
    for (SpanLink& link : options.links) {
      if (data->links.size() >= limits.link_count) {
        ++data->dropped_links_count;
        continue;
      }
      SpanLink kept{std::move(link.context), {}, link.dropped_attributes_count};
      kept.dropped_attributes_count +=
          put_all(kept.attributes, link.attributes, limits.link_attribute_count,
                  limits.attribute_value_length);
      data->links.push_back(std::move(kept));
    }
    for (const auto& p : provider_->processors) p->on_start(*data);
    span.data_ = std::move(data);
    span.provider_ = provider_;
  } catch (...) {  // out of memory: a span that records nothing
  }
  return span;
}

Span::Span(Span&& other) noexcept
    : context_(std::move(other.context_)),
      data_(std::move(other.data_)),
      provider_(std::move(other.provider_)) {}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    context_ = std::move(other.context_);
    data_ = std::move(other.data_);
    provider_ = std::move(other.provider_);
  }
  return *this;
}

void Span::set_recorded_attribute(std::string_view key, AttributeValueRef value) {
  const SpanLimits& limits = provider_->limits;
  if (!put(data_->attributes, key, value, limits.attribute_count, limits.attribute_value_length))
    ++data_->dropped_attributes_count;
}

void Span::add_event(std::string_view name, std::span<const Attribute> attributes,
                     uint64_t time_unix_nano) {
  if (!data_) return;
  const SpanLimits& limits = provider_->limits;
  if (data_->events.size() >= limits.event_count) {
    ++data_->dropped_events_count;
    return;
  }
  SpanEvent event{std::string(name), time_unix_nano != 0 ? time_unix_nano : now_unix_nano(), {}, 0};
  event.dropped_attributes_count = put_all(
      event.attributes, attributes, limits.event_attribute_count, limits.attribute_value_length);
  data_->events.push_back(std::move(event));
}

void Span::record_exception(std::string_view type, std::string_view message) {
  const Attribute attributes[] = {{"exception.type", AttributeValue(std::string(type))},
                                  {"exception.message", AttributeValue(std::string(message))}};
  add_event("exception", attributes);
}

void Span::set_status(StatusCode code, std::string_view description) {
  if (!data_ || code == StatusCode::kUnset || data_->status == StatusCode::kOk) return;
  data_->status = code;
  data_->status_description = code == StatusCode::kError ? std::string(description) : "";
}

void Span::end(uint64_t end_time_unix_nano) {
  if (!data_) return;
  std::unique_ptr<SpanData> data = std::move(data_);
  data->end_time_unix_nano = end_time_unix_nano != 0 ? end_time_unix_nano : now_unix_nano();
  for (const auto& p : provider_->processors) p->on_end(*data);
  give_back_span_data(std::move(data));
}

const Context& current_context() noexcept {
  const ThreadSpans* s = thread_spans;  // read only: a thread without span state gets none made
  return s != nullptr && s != gone() ? s->current : empty_context();
}

ContextScope::ContextScope(Context context) {
  if (ThreadSpans* s = this_thread_spans()) {
    previous_ = std::move(s->current);
    s->current = std::move(context);
  }
}

ContextScope::~ContextScope() {
  if (ThreadSpans* s = this_thread_spans()) s->current = std::move(previous_);
}

ContextScope activate(const SpanContext& span) {
  return ContextScope(Context{span, current_context().baggage});
}

std::string_view to_string(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unknown";
}

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kUnset:
      return "unset";
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace coretel::trace
