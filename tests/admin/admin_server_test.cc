// AdminServer: routes, content types, security headers, bearer token, malformed requests and the
// server's own metrics, over real sockets.
#include "coretel/admin/admin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "../export/export_test_sets.h"

namespace coretel_export_test {
namespace {

struct AdminHarness {
  explicit AdminHarness(std::string token = {}) {
    coretel::AdminOptions options;
    options.port = 0;
    options.bearer_token = std::move(token);
    server = std::make_unique<coretel::AdminServer>(
        options, pipeline, coretel::Resource{{{"service.name", "admin-test"}}});
    server->start();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(10, 0);
    return c;
  }
  coretel::CollectionPipeline pipeline{{}, coretel::Topology::detect()};
  std::unique_ptr<coretel::AdminServer> server;
};

void expect_common_headers(const httplib::Result& res) {
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
}

// Sends raw bytes and returns the first response the server wrote (complete headers and
// Content-Length body), or what it wrote before closing the connection or going silent for 10 s.
std::string raw_exchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "socket failed";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "connect failed";
  }
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may stop reading early: that is a fine answer
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buf[4096];
  for (;;) {
    auto end = answer.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto length = answer.find("Content-Length: ");
      std::size_t body = length == std::string::npos ? 0 : std::stoul(answer.substr(length + 16));
      if (answer.size() >= end + 4 + body) break;
    }
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return answer;
}

TEST(AdminServer, RoutesContentTypesAndHeaders) {
  AdminHarness h;
  auto reporter = h.pipeline.make_reporter(-1);
  auto app = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}});
  app->requests.add(3);
  reporter->report_all();
  h.pipeline.collect_now();
  ASSERT_GT(h.server->port(), 0);
  auto client = h.client();

  auto metrics = client.Get("/metrics");
  expect_common_headers(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics->body.find("target_info{service_name=\"admin-test\"} 1\n"), std::string::npos);
  EXPECT_NE(
      metrics->body.find(
          "app_requests_total{otel_scope_name=\"app.server\",otel_scope_pipeline_name=\"p1\"} 3\n"),
      std::string::npos)
      << metrics->body;

  auto json = client.Get("/api/v1/telemetry/metrics");
  expect_common_headers(json);
  EXPECT_EQ(json->status, 200);
  EXPECT_EQ(json->get_header_value("Content-Type"), "application/json");
  auto doc = nlohmann::json::parse(json->body);
  EXPECT_EQ(doc.at("resource").at("service.name"), "admin-test");

  auto schema = client.Get("/api/v1/telemetry/live-schema");
  expect_common_headers(schema);
  EXPECT_EQ(schema->status, 200);
  EXPECT_EQ(schema->get_header_value("Content-Type"), "application/json");
  // A Weaver resolved/2.0 registry of the live series (shape: tests/export/json_test.cc).
  auto live = nlohmann::json::parse(schema->body);
  EXPECT_EQ(live.at("file_format"), "resolved/2.0");
  std::vector<std::string> sets;
  for (const auto& metric : live.at("registry").at("metrics"))
    if (metric.at("name") == "app.requests" || metric.at("name") == "coretel.admin.requests")
      sets.push_back(metric.at("annotations").at("coretel").at("metric_set").get<std::string>());
  EXPECT_EQ(sets, (std::vector<std::string>{"app.server", "coretel.admin"}));
  EXPECT_EQ(live.at("refinements").at("metrics").size(), live.at("registry").at("metrics").size());

  for (const char* probe : {"/livez", "/readyz"}) {
    auto res = client.Get(probe);
    expect_common_headers(res);
    EXPECT_EQ(res->status, 200) << probe;
    EXPECT_EQ(res->body, "ok\n");
  }

  auto missing = client.Get("/nope");
  expect_common_headers(missing);
  EXPECT_EQ(missing->status, 404);

  auto post = client.Post("/metrics", "x=1", "application/x-www-form-urlencoded");
  expect_common_headers(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto del = client.Delete("/livez");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  auto post_missing = client.Post("/nope", "", "text/plain");
  ASSERT_TRUE(post_missing);
  EXPECT_EQ(post_missing->status, 404);

  auto head = client.Head("/metrics");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());

  // Keep-alive connection still in sync after the 405 with a body.
  auto after = client.Get("/livez");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(AdminServer, BearerToken) {
  AdminHarness h("s3cret-token");
  auto client = h.client();
  for (const char* path :
       {"/metrics", "/api/v1/telemetry/metrics", "/api/v1/telemetry/live-schema"}) {
    auto none = client.Get(path);
    expect_common_headers(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");

    auto wrong = client.Get(path, {{"Authorization", "Bearer s3cret-tokem"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << path;
    auto prefix = client.Get(path, {{"Authorization", "Bearer s3cret"}});
    ASSERT_TRUE(prefix);
    EXPECT_EQ(prefix->status, 401) << path;
    auto longer = client.Get(path, {{"Authorization", "Bearer s3cret-token-and-more"}});
    ASSERT_TRUE(longer);
    EXPECT_EQ(longer->status, 401) << path;
    auto basic = client.Get(path, {{"Authorization", "Basic s3cret-token"}});
    ASSERT_TRUE(basic);
    EXPECT_EQ(basic->status, 401) << path;

    auto good = client.Get(path, {{"Authorization", "Bearer s3cret-token"}});
    expect_common_headers(good);
    EXPECT_EQ(good->status, 200) << path;
  }
  client.set_bearer_token_auth("s3cret-token");
  EXPECT_EQ(client.Get("/metrics")->status, 200);

  // Probes stay open.
  auto anonymous = h.client();
  EXPECT_EQ(anonymous.Get("/livez")->status, 200);
  EXPECT_EQ(anonymous.Get("/readyz")->status, 200);
}

TEST(AdminServer, MalformedRequestsGetA4xxAndTheServerKeepsServing) {
  AdminHarness h;
  int port = h.server->port();

  std::string garbage = raw_exchange(port, std::string("\x01\x02\xff garbage \r\n\r\n", 17));
  EXPECT_TRUE(garbage.empty() || garbage.starts_with("HTTP/1.1 4")) << garbage;

  std::string huge_header =
      "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n";
  std::string answer = raw_exchange(port, huge_header);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 4")) << answer.substr(0, 200);

  std::string huge_uri = "GET /" + std::string(20000, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  answer = raw_exchange(port, huge_uri);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 4")) << answer.substr(0, 200);

  // A body over the 1 MiB payload limit.
  std::string big_body = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n" +
                         std::string(2000000, 'b');
  answer = raw_exchange(port, big_body);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 4")) << answer.substr(0, 200);

  std::string trace = raw_exchange(port, "TRACE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(trace.starts_with("HTTP/1.1 405")) << trace;
  EXPECT_NE(trace.find("X-Content-Type-Options: nosniff"), std::string::npos) << trace;

  std::string unknown = raw_exchange(port, "BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(unknown.empty() || unknown.starts_with("HTTP/1.1 4")) << unknown;

  auto client = h.client();
  auto livez = client.Get("/livez");
  ASSERT_TRUE(livez);
  EXPECT_EQ(livez->status, 200);
}

TEST(AdminServer, ReadyzAndLifecycle) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  coretel::AdminOptions options;
  options.port = 0;
  coretel::AdminServer server(options, pipeline, {});
  EXPECT_EQ(server.port(), 0);
  server.start();
  server.start();  // idempotent
  int port = server.port();
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  server.stop();
  server.stop();  // idempotent
  EXPECT_FALSE(client.Get("/readyz"));
  // Restartable (port 0: a new port).
  server.start();
  httplib::Client restarted("127.0.0.1", server.port());
  EXPECT_EQ(restarted.Get("/readyz")->status, 200);
  server.stop();

  // The port is taken by another server now: binding it again fails with the address.
  coretel::AdminServer first(options, pipeline, {});
  first.start();
  coretel::AdminOptions same = options;
  same.port = first.port();
  coretel::AdminServer second(same, pipeline, {});
  try {
    second.start();
    FAIL() << "bound a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(same.port)),
              std::string::npos)
        << e.what();
  }
}

TEST(AdminServer, SelfMetricsShowUpInMetrics) {
  AdminHarness h;
  auto client = h.client();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.Get("/metrics")->status, 200);
  ASSERT_EQ(client.Get("/nope")->status, 404);
  // The server reports its self-metrics at the reporter cadence (100 ms) after a request.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ASSERT_EQ(client.Get("/livez")->status, 200);
  h.pipeline.collect_now();
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  const std::string& body = res->body;
  std::string labels =
      "{otel_scope_name=\"coretel.admin\",otel_scope_coretel_admin_address=\"127.0.0.1:" +
      std::to_string(h.server->port()) + "\"}";
  EXPECT_NE(body.find("coretel_admin_requests_total" + labels + " 5\n"), std::string::npos) << body;
  EXPECT_NE(body.find("coretel_admin_scrapes_total" + labels + " 3\n"), std::string::npos) << body;
  EXPECT_NE(body.find("coretel_admin_rejected_requests_total" + labels + " 1\n"), std::string::npos)
      << body;
  EXPECT_NE(body.find("coretel_admin_scrape_duration_seconds_count" + labels + " 3\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("# TYPE coretel_admin_scrape_size_bytes_total counter\n"), std::string::npos)
      << body;
  EXPECT_NE(body.find("coretel_admin_scrape_duration_seconds_max" + labels), std::string::npos);
}

TEST(AdminServer, ConcurrentScrapesWhileCollecting) {
  AdminHarness h;
  auto reporter = h.pipeline.make_reporter(-1);
  auto app = reporter->register_set<AppMetrics>({{"pipeline.name", "busy"}});
  h.pipeline.start();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&, t] {
      auto client = h.client();
      const char* path = t % 2 == 0 ? "/metrics" : "/api/v1/telemetry/metrics";
      for (int i = 0; i < 20; ++i) {
        auto res = client.Get(path);
        if (res && res->status == 200 && !res->body.empty()) ++ok;
      }
    });
  for (int i = 0; i < 200; ++i) {
    app->requests.inc();
    reporter->tick(std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (auto& c : clients) c.join();
  h.pipeline.stop();
  EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace coretel_export_test
