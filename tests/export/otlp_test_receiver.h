// otlp_test_receiver.h: an OTLP/HTTP receiver for tests (cpp-httplib on 127.0.0.1, an ephemeral
// port) that records every request and answers from a script, and helpers that decode what
// coretel sent with the libprotobuf classes generated from proto/.
#pragma once

#include <zlib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace coretel_otlp_test {

namespace pb = opentelemetry::proto;

struct Received {
  std::string path;
  std::multimap<std::string, std::string, httplib::detail::ci> headers;
  std::string body;  // inflated by cpp-httplib when the client sent Content-Encoding: gzip
  std::chrono::steady_clock::time_point at;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Answer {
  int status = 200;
  std::string body;  // an ExportMetricsServiceResponse, serialized
  std::map<std::string, std::string> headers;
  std::string content_type = "application/x-protobuf";
};

class Receiver {
 public:
  /// Takes POSTs at `path` (/v1/metrics, /v1/logs).
  explicit Receiver(std::string path = "/v1/metrics") : path_(std::move(path)) {
    server_.Post(path_, [this](const httplib::Request& req, httplib::Response& res) {
      Answer answer;
      {
        std::lock_guard lock(mutex_);
        received_.push_back({req.path,
                             {req.headers.begin(), req.headers.end()},
                             req.body,
                             std::chrono::steady_clock::now()});
        if (!script_.empty()) {
          answer = script_.front();
          script_.pop_front();
        }
      }
      cv_.notify_all();
      res.status = answer.status;
      for (const auto& [k, v] : answer.headers) res.set_header(k, v);
      res.set_content(answer.body, answer.content_type);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + path_; }
  /// The next requests get these answers, in order (then 200 with an empty body).
  void script(std::vector<Answer> answers) {
    std::lock_guard lock(mutex_);
    script_.assign(answers.begin(), answers.end());
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  std::string path_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Answer> script_;
  std::vector<Received> received_;
};

inline std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return {};
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

/// The request, decoded with libprotobuf; fails the test if it does not parse.
inline pb::collector::metrics::v1::ExportMetricsServiceRequest decode(const std::string& bytes) {
  pb::collector::metrics::v1::ExportMetricsServiceRequest request;
  EXPECT_TRUE(request.ParseFromString(bytes)) << "not an ExportMetricsServiceRequest";
  return request;
}

/// The request from OTLP/JSON, read by libprotobuf's JSON parser; fails the test if it does not
/// parse.
inline pb::collector::metrics::v1::ExportMetricsServiceRequest decode_json(
    const std::string& text) {
  pb::collector::metrics::v1::ExportMetricsServiceRequest request;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &request);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return request;
}

/// The request as sent: by its Content-Type.
inline pb::collector::metrics::v1::ExportMetricsServiceRequest decode(const Received& r) {
  return r.header("Content-Type") == "application/json" ? decode_json(r.body) : decode(r.body);
}

/// The first metric named `name` in a scope named `scope`, or nullptr.
inline const pb::metrics::v1::Metric* find_metric(
    const pb::collector::metrics::v1::ExportMetricsServiceRequest& request,
    const std::string& scope, const std::string& name) {
  for (const auto& rm : request.resource_metrics())
    for (const auto& sm : rm.scope_metrics()) {
      if (sm.scope().name() != scope) continue;
      for (const auto& m : sm.metrics())
        if (m.name() == name) return &m;
    }
  return nullptr;
}

/// "k=v,k=v" of a KeyValue list (strings unquoted, ints and doubles in decimal, bools).
template <class KeyValues>
std::string attributes_text(const KeyValues& kvs) {
  std::string out;
  for (const auto& kv : kvs) {
    if (!out.empty()) out += ",";
    out += kv.key() + "=";
    const auto& v = kv.value();
    switch (v.value_case()) {
      case pb::common::v1::AnyValue::kStringValue:
        out += v.string_value();
        break;
      case pb::common::v1::AnyValue::kIntValue:
        out += std::to_string(v.int_value());
        break;
      case pb::common::v1::AnyValue::kDoubleValue:
        out += std::to_string(v.double_value());
        break;
      case pb::common::v1::AnyValue::kBoolValue:
        out += v.bool_value() ? "true" : "false";
        break;
      default:
        out += "?";
    }
  }
  return out;
}

}  // namespace coretel_otlp_test
