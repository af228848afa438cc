#include "coretel/resource.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

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

Resource Resource::detect(std::string_view default_service_name) {
  std::vector<Attribute> items;
  const char* env_name = std::getenv("OTEL_SERVICE_NAME");
  std::string service_name = env_name != nullptr && env_name[0] != '\0'
                                 ? std::string(env_name)
                                 : std::string(default_service_name);
  items.push_back({"service.name", std::move(service_name)});
  items.push_back({"service.instance.id", random_uuid_v4()});
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0')
    items.push_back({"host.name", std::string(host)});
  items.push_back({"process.pid", int64_t{getpid()}});
  items.push_back({"telemetry.sdk.name", std::string("coretel")});
  items.push_back({"telemetry.sdk.language", std::string("cpp")});
  items.push_back({"telemetry.sdk.version", std::string(CORETEL_VERSION)});
  return Resource{Attributes(std::move(items))};
}

}  // namespace coretel
