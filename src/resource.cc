#include "coretel/resource.h"

#include <unistd.h>

#include <cerrno>  // program_invocation_short_name
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "coretel/semconv/host.h"
#include "coretel/semconv/process.h"
#include "coretel/semconv/service.h"
#include "coretel/semconv/telemetry.h"

#ifndef CORETEL_VERSION
#define CORETEL_VERSION "unknown"
#endif

namespace coretel {

namespace {

// RFC 9562 version 4: 122 random bits, version nibble 4, variant bits 10.
std::string random_uuid_v4() {
  std::random_device device;
  uint8_t bytes[16];
  for (int i = 0; i < 16; i += 4) {
    uint32_t r = device();
    for (int j = 0; j < 4; ++j) bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
  uuid.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    uuid.push_back(kHex[bytes[i] >> 4]);
    uuid.push_back(kHex[bytes[i] & 0x0f]);
  }
  return uuid;
}

}  // namespace

Resource Resource::detect(std::string_view default_service_name, const SdkConfiguration& config) {
  // Keys generated from the upstream semantic-conventions registry (registry/semconv).
  namespace sc = semconv::attributes;
  std::map<std::string, AttributeValue, std::less<>> items;
  items[std::string(sc::kServiceInstanceId)] = random_uuid_v4();
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0')
    items[std::string(sc::kHostName)] = std::string(host);
  items[std::string(sc::kProcessPid)] = int64_t{getpid()};
  if (program_invocation_short_name != nullptr && program_invocation_short_name[0] != '\0')
    items[std::string(sc::kProcessExecutableName)] = std::string(program_invocation_short_name);
  // OTEL_RESOURCE_ATTRIBUTES wins over what was detected, not over what describes coretel.
  for (const Attribute& a : config.resource_attributes) {
    if (a.key.starts_with("telemetry.sdk.")) continue;
    items[a.key] = a.value;
  }
  if (config.service_name) {
    items[std::string(sc::kServiceName)] = *config.service_name;
  } else if (!items.contains(sc::kServiceName)) {
    items[std::string(sc::kServiceName)] = std::string(default_service_name);
  }
  items[std::string(sc::kTelemetrySdkName)] = std::string("coretel");
  items[std::string(sc::kTelemetrySdkLanguage)] =
      std::string(semconv::to_string(semconv::TelemetrySdkLanguage::kCpp));
  items[std::string(sc::kTelemetrySdkVersion)] = std::string(CORETEL_VERSION);
  std::vector<Attribute> list;
  list.reserve(items.size());
  for (auto& [key, value] : items) list.push_back({key, std::move(value)});
  return Resource{Attributes(std::move(list))};
}

}  // namespace coretel
