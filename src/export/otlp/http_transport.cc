#include "http_transport.h"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <stdexcept>

#ifndef CORETEL_VERSION
#define CORETEL_VERSION "unknown"
#endif

namespace coretel::otlp {

namespace {

// curl_global_init is not thread-safe in older libcurl: call it once, before any handle.
void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("coretel: curl_global_init failed");
  });
}

struct Receive {
  std::string body;
  bool too_large = false;
  std::optional<std::string> retry_after;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Receive*>(user);
  const size_t n = size * count;
  if (r->body.size() + n > Transport::kMaxResponseBytes) {
    r->too_large = true;
    return 0;  // libcurl aborts the transfer (CURLE_WRITE_ERROR)
  }
  r->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Receive*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) {
      line.remove_prefix(kName.size());
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
        line.remove_suffix(1);
      r->retry_after = std::string(line);
    }
  }
  return n;
}

bool retryable_status(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

}  // namespace

struct HttpTransport::Impl {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  OtlpExporterOptions options;

  ~Impl() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpTransport::HttpTransport(const OtlpExporterOptions& options, std::string content_type)
    : impl_(std::make_unique<Impl>()) {
  global_init_once();
  impl_->options = options;
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr) throw std::runtime_error("coretel: curl_easy_init failed");
  auto add = [this](const std::string& line) {
    curl_slist* next = curl_slist_append(impl_->headers, line.c_str());
    if (next == nullptr) throw std::runtime_error("coretel: curl_slist_append failed");
    impl_->headers = next;
  };
  add("Content-Type: " + content_type);
  if (options.compression == OtlpCompression::kGzip) add("Content-Encoding: gzip");
  for (const auto& [key, value] : options.headers) {
    // A header line must not be split by the value: CR and LF are dropped.
    std::string line = key + ": " + value;
    line.erase(
        std::remove_if(line.begin(), line.end(), [](char c) { return c == '\r' || c == '\n'; }),
        line.end());
    add(line);
  }
  add("Expect:");  // no 100-continue round trip for large bodies
  CURL* c = impl_->curl;
  curl_easy_setopt(c, CURLOPT_URL, options.endpoint.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, impl_->headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent().c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a multithreaded process
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // a gzip response is decoded
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  if (!options.certificate.empty())
    curl_easy_setopt(c, CURLOPT_CAINFO, options.certificate.c_str());
  if (!options.client_certificate.empty())
    curl_easy_setopt(c, CURLOPT_SSLCERT, options.client_certificate.c_str());
  if (!options.client_key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, options.client_key.c_str());
}

HttpTransport::~HttpTransport() = default;

std::string user_agent() {
  return std::string("coretel/") + CORETEL_VERSION;
}

PostResult HttpTransport::send(std::string_view body, std::chrono::milliseconds timeout) {
  PostResult result;
  std::string compressed;
  if (impl_->options.compression == OtlpCompression::kGzip) {
    compressed = gzip_compress(body);
    body = compressed;
  }
  if (body.size() > kMaxRequestBytes) {
    result.error = "request of " + std::to_string(body.size()) + " bytes is over the 64 MiB limit";
    result.error_type = "request_too_large";
    return result;
  }
  CURL* c = impl_->curl;
  Receive receive;
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &receive);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &receive);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.http_status);
  result.body = std::move(receive.body);
  if (receive.retry_after)
    result.retry_after = parse_retry_after(*receive.retry_after, std::chrono::system_clock::now());

  if (receive.too_large) {
    result.error = "response over the 4 MiB limit, cut off";
    result.error_type = "response_too_large";
    result.outcome = PostOutcome::kPermanent;
    return result;
  }
  if (code != CURLE_OK) {
    result.error = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(code));
    result.error_type = code == CURLE_OPERATION_TIMEDOUT ? "timeout" : "connection_error";
    // No answer from the server (no connection, a timeout, a reset, a TLS handshake that
    // failed): nothing says the data was bad, so the export is retried and, failing that, its
    // deltas are rolled back rather than dropped. Only a URL libcurl cannot use is final.
    result.outcome = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL
                         ? PostOutcome::kPermanent
                         : PostOutcome::kRetryable;
    return result;
  }
  if (result.http_status >= 200 && result.http_status < 300) {
    result.outcome = PostOutcome::kSuccess;
  } else {
    result.error = "HTTP " + std::to_string(result.http_status);
    result.error_type = std::to_string(result.http_status);
    result.outcome =
        retryable_status(result.http_status) ? PostOutcome::kRetryable : PostOutcome::kPermanent;
  }
  return result;
}

std::string gzip_compress(std::string_view in) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("coretel: deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("coretel: gzip compression failed");
  out.resize(written);
  return out;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || ptr != value.data() + value.size() || seconds > 86400u * 365u)
      return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000u);
  }
  const std::string date(value);
  const time_t at = curl_getdate(date.c_str(), nullptr);  // RFC 9110 HTTP-date (and obsolete forms)
  if (at == -1) return std::nullopt;
  const auto wait = std::chrono::system_clock::from_time_t(at) - now;
  if (wait <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(wait);
}

}  // namespace coretel::otlp
