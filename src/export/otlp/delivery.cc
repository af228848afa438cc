#include "delivery.h"

#include <algorithm>
#include <charconv>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "protobuf_wire.h"

namespace coretel::otlp {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Backoff between retries when the server gives no Retry-After (OTLP/HTTP: "exponential
// backoff with jitter"; the numbers are ours, between Java's and Go's).
constexpr milliseconds kInitialBackoff{1000};
constexpr milliseconds kMaxBackoff{5000};
constexpr double kBackoffMultiplier = 1.5;

std::optional<PartialSuccess> read_protobuf_partial_success(std::string_view body) {
  otlp::ProtobufReader response(body);
  std::optional<PartialSuccess> found;
  while (auto field = response.next()) {
    if (field->number != 1 || field->type != otlp::WireType::kLengthDelimited) {
      if (!response.skip(*field)) return std::nullopt;
      continue;
    }
    std::string_view bytes;
    if (!response.read_bytes(bytes)) return std::nullopt;
    PartialSuccess p;
    otlp::ProtobufReader inner(bytes);
    while (auto g = inner.next()) {
      if (g->number == 1 && g->type == otlp::WireType::kVarint) {
        uint64_t v = 0;
        if (!inner.read_varint(v)) return std::nullopt;
        p.rejected = static_cast<int64_t>(v);
      } else if (g->number == 2 && g->type == otlp::WireType::kLengthDelimited) {
        std::string_view m;
        if (!inner.read_bytes(m)) return std::nullopt;
        p.message.assign(m.substr(0, 1024));
      } else if (!inner.skip(*g)) {
        return std::nullopt;
      }
    }
    if (inner.failed()) return std::nullopt;
    found = std::move(p);
  }
  if (response.failed()) return std::nullopt;
  return found;
}

std::optional<PartialSuccess> read_json_partial_success(std::string_view body,
                                                        std::string_view count_key) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("partialSuccess") || !doc["partialSuccess"].is_object())
    return std::nullopt;
  const nlohmann::json& p = doc["partialSuccess"];
  PartialSuccess out;
  if (auto it = p.find(count_key); it != p.end()) {
    if (it->is_number_integer()) {
      out.rejected = it->get<int64_t>();
    } else if (it->is_string()) {
      const std::string& text = it->get_ref<const std::string&>();
      int64_t v = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc())
        out.rejected = v;
    }
  }
  if (auto it = p.find("errorMessage"); it != p.end() && it->is_string())
    out.message = it->get<std::string>().substr(0, 1024);
  return out;
}

}  // namespace

std::optional<PartialSuccess> read_partial_success(std::string_view body, bool json,
                                                   std::string_view json_count_key) {
  return json ? read_json_partial_success(body, json_count_key)
              : read_protobuf_partial_success(body);
}

uint64_t rejected_items(const PostResult& result, bool json, std::string_view json_count_key,
                        uint64_t items, std::string_view signal, std::string_view endpoint,
                        std::string_view unit) {
  const auto partial = read_partial_success(result.body, json, json_count_key);
  if (!partial) return 0;
  const auto rejected =
      static_cast<uint64_t>(std::clamp<int64_t>(partial->rejected, 0, static_cast<int64_t>(items)));
  if (rejected > 0 || !partial->message.empty())
    fmt::print(stderr, "coretel: OTLP {} export to {}: partial success, {} of {} {} rejected: {}\n",
               signal, endpoint, rejected, items, unit, partial->message);
  return rejected;
}

Delivery deliver(Transport& transport, std::string_view body, milliseconds request_timeout,
                 Clock::time_point deadline, const std::function<bool(milliseconds)>& wait,
                 const std::function<void(bool retry)>& on_request) {
  thread_local std::minstd_rand jitter_source{std::random_device{}()};
  Delivery delivery;
  milliseconds backoff = kInitialBackoff;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    milliseconds timeout = left;
    if (request_timeout.count() > 0) timeout = std::min(timeout, request_timeout);
    if (timeout.count() <= 0) {
      delivery.result = PostResult{};
      delivery.result.outcome = PostOutcome::kRetryable;
      delivery.result.error = "no time left before the export deadline";
      delivery.result.error_type = "timeout";
      return delivery;
    }
    if (on_request) on_request(delivery.requests > 0);
    ++delivery.requests;
    delivery.result = transport.send(body, timeout);
    if (delivery.result.outcome != PostOutcome::kRetryable) return delivery;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const milliseconds pause =
        delivery.result.retry_after
            ? *delivery.result.retry_after
            : milliseconds(static_cast<int64_t>(static_cast<double>(backoff.count()) *
                                                jitter(jitter_source)));
    backoff =
        std::min(kMaxBackoff, milliseconds(static_cast<int64_t>(
                                  static_cast<double>(backoff.count()) * kBackoffMultiplier)));
    if (Clock::now() + pause >= deadline || !wait(pause)) return delivery;
  }
}

}  // namespace coretel::otlp
