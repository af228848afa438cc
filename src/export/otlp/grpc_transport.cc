#include "grpc_transport.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "protobuf_wire.h"

namespace coretel::otlp {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("coretel: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The status code's name in the gRPC status-code table (grpc/doc/statuscodes.md), as error.type.
std::string status_name(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const auto i = static_cast<std::size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "_OTHER";
}

bool retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct GrpcTransport::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  std::string method;
  OtlpExporterOptions options;
};

GrpcTransport::GrpcTransport(const OtlpExporterOptions& options, std::string method)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->method = std::move(method);
  std::string target = options.endpoint;
  bool tls = !options.insecure;
  if (target.starts_with("http://")) {
    target.erase(0, 7);
    tls = false;
  } else if (target.starts_with("https://")) {
    target.erase(0, 8);
    tls = true;
  }
  if (const auto slash = target.find('/'); slash != std::string::npos) target.resize(slash);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.certificate.empty()) ssl.pem_root_certs = read_file(options.certificate);
    if (!options.client_certificate.empty() && !options.client_key.empty()) {
      ssl.pem_cert_chain = read_file(options.client_certificate);
      ssl.pem_private_key = read_file(options.client_key);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix(user_agent());
  arguments.SetMaxReceiveMessageSize(static_cast<int>(kMaxResponseBytes));
  arguments.SetMaxSendMessageSize(static_cast<int>(kMaxRequestBytes));
  // After a collector was down, reconnect within our own retry backoff's bound (5 s) rather than
  // gRPC's default of up to 120 s, during which every export would fail at once.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 1000);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  impl_->channel = grpc::CreateCustomChannel(target, credentials, arguments);
  impl_->stub = std::make_unique<grpc::GenericStub>(impl_->channel);
}

GrpcTransport::~GrpcTransport() = default;

PostResult GrpcTransport::send(std::string_view body, std::chrono::milliseconds timeout) {
  PostResult result;
  if (body.size() > kMaxRequestBytes) {
    result.error = "request of " + std::to_string(body.size()) + " bytes is over the 64 MiB limit";
    result.error_type = "request_too_large";
    return result;
  }
  grpc::ClientContext context;
  if (timeout.count() > 0) context.set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [key, value] : impl_->options.headers) {
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    context.AddMetadata(lower, value);
  }
  if (impl_->options.compression == OtlpCompression::kGzip)
    context.set_compression_algorithm(GRPC_COMPRESS_GZIP);

  grpc::Slice slice(body.data(), body.size());
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      impl_->stub->PrepareUnaryCall(&context, impl_->method, request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);  // the call's deadline bounds this wait
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }

  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    if (response.Dump(&slices).ok())
      for (const grpc::Slice& s : slices)
        result.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
    result.outcome = PostOutcome::kSuccess;
    return result;
  }
  result.error = "gRPC status " + std::to_string(static_cast<int>(status.error_code())) + ": " +
                 status.error_message().substr(0, 512);
  result.error_type = status_name(status.error_code());
  if (retryable(status.error_code())) {
    result.outcome = PostOutcome::kRetryable;
    result.retry_after = retry_delay_of(status.error_details());
  } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
             (result.retry_after = retry_delay_of(status.error_details()))) {
    result.outcome = PostOutcome::kRetryable;
  } else {
    result.outcome = PostOutcome::kPermanent;
  }
  return result;
}

std::optional<std::chrono::milliseconds> retry_delay_of(std::string_view status_details) {
  // google.rpc.Status: details (3) are google.protobuf.Any {type_url (1), value (2)};
  // google.rpc.RetryInfo: retry_delay (1) is a google.protobuf.Duration {seconds (1), nanos (2)}.
  constexpr std::string_view kRetryInfo = "type.googleapis.com/google.rpc.RetryInfo";
  ProtobufReader status(status_details);
  while (auto field = status.next()) {
    std::string_view any;
    if (field->number != 3 || field->type != WireType::kLengthDelimited) {
      if (!status.skip(*field)) return std::nullopt;
      continue;
    }
    if (!status.read_bytes(any)) return std::nullopt;
    std::string_view type_url, value;
    ProtobufReader a(any);
    while (auto g = a.next()) {
      if (g->type == WireType::kLengthDelimited && (g->number == 1 || g->number == 2)) {
        if (!a.read_bytes(g->number == 1 ? type_url : value)) return std::nullopt;
      } else if (!a.skip(*g)) {
        return std::nullopt;
      }
    }
    if (type_url != kRetryInfo) continue;
    ProtobufReader info(value);
    while (auto g = info.next()) {
      std::string_view duration;
      if (g->number != 1 || g->type != WireType::kLengthDelimited) {
        if (!info.skip(*g)) return std::nullopt;
        continue;
      }
      if (!info.read_bytes(duration)) return std::nullopt;
      uint64_t seconds = 0, nanos = 0;
      ProtobufReader d(duration);
      while (auto h = d.next()) {
        if (h->type == WireType::kVarint && (h->number == 1 || h->number == 2)) {
          if (!d.read_varint(h->number == 1 ? seconds : nanos)) return std::nullopt;
        } else if (!d.skip(*h)) {
          return std::nullopt;
        }
      }
      const auto s = static_cast<int64_t>(seconds);
      const auto n = static_cast<int32_t>(nanos);
      if (s < 0 || n < 0 || s > 86400 * 365) return std::nullopt;
      return std::chrono::milliseconds(s * 1000 + n / 1'000'000);
    }
  }
  return std::nullopt;
}

}  // namespace coretel::otlp
