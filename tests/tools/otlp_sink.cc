// coretel-otlp-sink: an OTLP metrics, logs and traces receiver for the integration tests, over
// HTTP and gRPC. It listens on 127.0.0.1, HTTP on an ephemeral port (or --port) and gRPC on another
// ephemeral port, prints "listening on PORT" and "grpc listening on PORT" on stderr,
// decodes every POST /v1/metrics, /v1/logs and /v1/traces with the libprotobuf classes generated
// from proto/ (protobuf, or OTLP/JSON through libprotobuf's JSON parser when the Content-Type is
// application/json), and writes each request as one line of JSON (protobuf's JSON mapping) to
// stdout, flushed, with the content type it came in as "contentType" and "signal": "metrics",
// "logs" or "traces"; a body that does not decode gets 400 and a line {"error": ...}. It answers
// 200 with an empty Export*ServiceResponse. gRPC calls of MetricsService/Export, LogsService/Export
// and TraceService/Export are written the same way, with "contentType": "application/grpc". Stops
// on SIGTERM/SIGINT. With --discard, an HTTP request is parsed (protobuf) but not printed: a
// receiver that costs little, for benchmarks (bench/python_overhead.py).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace {

bool discard = false;  // --discard

namespace v1 = opentelemetry::proto::collector::metrics::v1;
namespace logs_v1 = opentelemetry::proto::collector::logs::v1;
namespace trace_v1 = opentelemetry::proto::collector::trace::v1;

httplib::Server* g_server = nullptr;
void on_signal(int) {
  if (g_server != nullptr) g_server->stop();
}

std::mutex out_mutex;

void print(const std::string& type, const char* signal, const google::protobuf::Message& request) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;  // lowerCamelCase, as OTLP/JSON
  (void)google::protobuf::util::MessageToJsonString(request, &text, options);
  std::lock_guard lock(out_mutex);
  std::cout << R"({"contentType": ")" << type << R"(", "signal": ")" << signal
            << R"(", "request": )" << text << "}" << std::endl;
}

class GrpcSink final : public v1::MetricsService::Service {
  grpc::Status Export(grpc::ServerContext*, const v1::ExportMetricsServiceRequest* request,
                      v1::ExportMetricsServiceResponse*) override {
    print("application/grpc", "metrics", *request);
    return grpc::Status::OK;
  }
};

class GrpcLogsSink final : public logs_v1::LogsService::Service {
  grpc::Status Export(grpc::ServerContext*, const logs_v1::ExportLogsServiceRequest* request,
                      logs_v1::ExportLogsServiceResponse*) override {
    print("application/grpc", "logs", *request);
    return grpc::Status::OK;
  }
};

class GrpcTracesSink final : public trace_v1::TraceService::Service {
  grpc::Status Export(grpc::ServerContext*, const trace_v1::ExportTraceServiceRequest* request,
                      trace_v1::ExportTraceServiceResponse*) override {
    print("application/grpc", "traces", *request);
    return grpc::Status::OK;
  }
};

// POST handler for one signal: decodes a Request, answers an empty Response.
template <class Request, class Response>
void serve(httplib::Server& server, const char* path, const char* signal) {
  server.Post(path, [signal](const httplib::Request& req, httplib::Response& res) {
    Request request;
    const std::string type = req.get_header_value("Content-Type");
    const bool json = type == "application/json";
    const bool ok = json ? google::protobuf::util::JsonStringToMessage(req.body, &request).ok()
                         : request.ParseFromString(req.body);
    if (!ok) {
      std::lock_guard lock(out_mutex);
      std::cout << R"({"error": "not an Export*ServiceRequest of )" << signal << "\"}" << std::endl;
      res.status = 400;
      return;
    }
    if (!discard) print(type, signal, request);
    res.status = 200;
    res.set_content(Response().SerializeAsString(), "application/x-protobuf");
  });
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--port" && i + 1 < argc) port = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--discard") discard = true;
  }
  httplib::Server server;
  serve<v1::ExportMetricsServiceRequest, v1::ExportMetricsServiceResponse>(server, "/v1/metrics",
                                                                           "metrics");
  serve<logs_v1::ExportLogsServiceRequest, logs_v1::ExportLogsServiceResponse>(server, "/v1/logs",
                                                                               "logs");
  serve<trace_v1::ExportTraceServiceRequest, trace_v1::ExportTraceServiceResponse>(
      server, "/v1/traces", "traces");
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "coretel-otlp-sink: cannot listen\n");
    return 1;
  }
  GrpcSink sink;
  GrpcLogsSink logs_sink;
  GrpcTracesSink traces_sink;
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
  builder.RegisterService(&sink);
  builder.RegisterService(&logs_sink);
  builder.RegisterService(&traces_sink);
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (!grpc_server || grpc_port == 0) {
    std::fprintf(stderr, "coretel-otlp-sink: cannot listen for gRPC\n");
    return 1;
  }
  g_server = &server;
  ::signal(SIGTERM, on_signal);
  ::signal(SIGINT, on_signal);
  std::fprintf(stderr, "listening on %d\ngrpc listening on %d\n", port, grpc_port);
  std::fflush(stderr);
  server.listen_after_bind();
  grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  return 0;
}
