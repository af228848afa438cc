#include "http.h"

#include <sys/socket.h>

#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace tracecontext_service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

asio::ip::address parse_address(const std::string& text, boost::system::error_code& ec) {
  if (text == "localhost") return asio::ip::make_address("127.0.0.1", ec);
  return asio::ip::make_address(text, ec);
}

}  // namespace

struct Server::Impl {
  Handler handler;
  ServerLimits limits;
  asio::io_context accept_context;
  tcp::acceptor acceptor{accept_context};
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  std::size_t active = 0;  // connections being served; guarded by mutex

  void serve(std::unique_ptr<asio::io_context> context, tcp::socket socket);
};

Server::Server(const std::string& address, uint16_t port, Handler handler, ServerLimits limits)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->limits = limits;
  boost::system::error_code ec;
  const asio::ip::address ip = parse_address(address, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: not an IP address", address));
  const tcp::endpoint endpoint(ip, port);
  auto& acceptor = impl_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) || acceptor.listen(asio::socket_base::max_listen_connections, ec))
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", address, port, ec.message()));
  port_ = acceptor.local_endpoint().port();
}

Server::~Server() {
  stop();
}

void Server::run() {
  Impl& s = *impl_;
  while (!s.stopping.load()) {
    // Each connection runs its own io_context on its own thread: the socket is accepted into it.
    auto context = std::make_unique<asio::io_context>();
    tcp::socket socket(*context);
    boost::system::error_code ec;
    s.acceptor.accept(socket, ec);
    if (s.stopping.load()) break;
    if (ec) continue;  // a connection that failed before it was accepted
    {
      std::lock_guard lock(s.mutex);
      if (s.active >= s.limits.max_connections) {
        socket.close(ec);  // over the bound: refused at once
        continue;
      }
      ++s.active;
    }
    std::thread([&s, context = std::move(context), socket = std::move(socket)]() mutable {
      s.serve(std::move(context), std::move(socket));
      std::lock_guard lock(s.mutex);
      --s.active;
      s.idle.notify_all();
    }).detach();
  }
}

void Server::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  // Wakes the blocked accept() (Linux: shutdown of a listening socket makes accept fail).
  ::shutdown(s.acceptor.native_handle(), SHUT_RDWR);
  std::unique_lock lock(s.mutex);
  s.idle.wait_for(lock, 2 * s.limits.deadline, [&] { return s.active == 0; });
}

void Server::Impl::serve(std::unique_ptr<asio::io_context> context, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.max_header));
  parser.body_limit(limits.max_body);
  boost::system::error_code ec;
  // One deadline for the whole request (every read of it), not per read.
  stream.expires_after(limits.deadline);
  http::async_read(stream, buffer, parser,
                   [&ec](boost::system::error_code e, std::size_t) { ec = e; });
  context->run();
  context->restart();

  Response out;
  unsigned version = 11;
  if (ec == http::error::body_limit) {
    out = {413, "{\"error\":\"the body is over the limit\"}\n"};
  } else if (ec == http::error::header_limit) {
    out = {431, "{\"error\":\"the head is over the limit\"}\n"};
  } else if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
             ec == asio::error::connection_reset || ec == asio::error::eof ||
             ec == asio::error::operation_aborted) {
    return;  // closed or timed out: nobody to answer
  } else if (ec) {
    out = {400, "{\"error\":\"not a valid HTTP/1.1 request\"}\n"};  // a bad field, a bad line
  } else {
    auto& message = parser.get();
    version = message.version();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(message.body());
    try {
      out = handler(request);
    } catch (const std::exception& e) {
      out = {500, fmt::format("{{\"error\":\"internal error\"}}\n")};
    }
  }
  http::response<http::string_body> response{static_cast<http::status>(out.status), version};
  response.set(http::field::server, "coretel-tracecontext-service");
  response.set(http::field::content_type, out.content_type);
  response.keep_alive(false);
  response.body() = std::move(out.body);
  response.prepare_payload();
  stream.expires_after(limits.deadline);
  http::async_write(stream, response, [&ec](boost::system::error_code e, std::size_t) { ec = e; });
  context->run();
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

CallResult post(const std::string& address, uint16_t port, const std::string& target,
                const Headers& headers, const std::string& body,
                std::chrono::milliseconds timeout) {
  CallResult result;
  boost::system::error_code ec;
  const asio::ip::address ip = parse_address(address, ec);
  if (ec) {
    result.error = "not an IP address";
    result.error_type = "connection_error";
    return result;
  }
  asio::io_context context;
  beast::tcp_stream stream(context);
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, fmt::format("{}:{}", address, port));
  request.set(http::field::user_agent, "coretel-tracecontext-service");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);  // the status is what counts; the body is read and dropped

  // One deadline for connect, write and read together.
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(ip, port), [&](boost::system::error_code e) {
    if ((ec = e)) return;
    http::async_write(stream, request, [&](boost::system::error_code e2, std::size_t) {
      if ((ec = e2)) return;
      http::async_read(stream, buffer, parser,
                       [&](boost::system::error_code e3, std::size_t) { ec = e3; });
    });
  });
  context.run();
  if (parser.is_header_done()) result.status = static_cast<int>(parser.get().result_int());
  if (ec && !(result.status != 0 && ec == http::error::body_limit)) {
    result.error = ec.message();
    result.error_type = ec == beast::error::timeout ? "timeout" : "connection_error";
    if (!parser.is_header_done()) result.status = 0;
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return result;
}

}  // namespace tracecontext_service
