// The C++ that coretel-schema generates for the whole upstream semantic-conventions registry
// (conformance data, CORETEL_CONFORMANCE_DATA; generated at build time by
// coretel_generate_registry() as semconv/registry.h), compiled with -Wall -Wextra (and -Werror
// in coretel's CI), and used.
#include <gtest/gtest.h>

#include "coretel/metrics/attributes.h"
#include "semconv/registry.h"

namespace {

TEST(GeneratedUpstream, ConstantsEnumsAndEvents) {
  EXPECT_EQ(semconv::attributes::kHttpRequestMethod, "http.request.method");
  EXPECT_EQ(semconv::metrics::kHttpServerRequestDuration, "http.server.request.duration");
  EXPECT_EQ(to_string(semconv::HttpRequestMethod::kGet), "GET");
  EXPECT_EQ(to_string(semconv::HttpRequestMethod::kOther), "_OTHER");
  EXPECT_EQ(to_string(static_cast<semconv::HttpRequestMethod>(999)), "");
  EXPECT_EQ(semconv::SessionStartEvent::kName, "session.start");
  semconv::SessionStartEvent start;
  start.session_id = "s-1";
  EXPECT_EQ(start.attributes(), coretel::Attributes({{"session.id", "s-1"}}));
  start.session_previous_id = "s-0";
  EXPECT_EQ(start.attributes(),
            coretel::Attributes({{"session.id", "s-1"}, {"session.previous_id", "s-0"}}));
}

}  // namespace
