// The HTTPS front: accept loop, TLS, bearer-token check, faults, request dispatch, watch
// streaming and the kubeconfig file. REST semantics live in Api; exec in exec_session.cc.
#include <cstdio>
#include <fstream>
#include <future>

#include <csignal>

#include "continue_token.h"
#include "controllers.h"
#include "object_meta.h"
#include "pod_runtime.h"
#include "server_state.h"

namespace stillpoint::kubesim {
namespace {

using net::awaitable;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);

constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kIdleTimeout = std::chrono::minutes(5);
constexpr size_t kBodyLimit = 64 * 1024 * 1024;
// Bookmarks double as liveness probes: a watch whose client vanished fails on the next write.
constexpr auto kWatchHeartbeat = std::chrono::seconds(20);

bool token_matches(std::string_view header, const std::string& token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!header.starts_with(kBearer)) {
    return false;
  }
  std::string_view given = header.substr(kBearer.size());
  // Constant-time over the expected length: no early exit that leaks a prefix match.
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : 0));
  }
  return diff == 0;
}

std::string kubeconfig_yaml(const Server::State& st) {
  std::string server = "https://127.0.0.1:" + std::to_string(st.port);
  return "apiVersion: v1\n"
         "kind: Config\n"
         "preferences: {}\n"
         "current-context: kubesim\n"
         "clusters:\n"
         "- name: kubesim\n"
         "  cluster:\n"
         "    server: " + server + "\n"
         "    certificate-authority-data: " + base64_encode(st.tls.ca_cert_pem) + "\n"
         "users:\n"
         "- name: kubesim\n"
         "  user:\n"
         "    token: " + st.token + "\n"
         "contexts:\n"
         "- name: kubesim\n"
         "  context:\n"
         "    cluster: kubesim\n"
         "    user: kubesim\n"
         "    namespace: default\n";
}

core::Status write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      return core::unexpected(core::ErrorCode::Io, "cannot write " + tmp.string());
    }
  }
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::owner_write, ec);
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return core::unexpected(core::ErrorCode::Io, "cannot rename to " + path.string() + ": " +
                                                     ec.message());
  }
  return core::ok();
}

Response admin(Server::State& st, const Request& req) {
  if (req.path != "/kubesim/v1/faults") {
    return Response{404, "text/plain; charset=utf-8", "404 page not found\n", {}};
  }
  if (req.method == "GET") {
    return json_response(200, st.faults.list());
  }
  if (req.method == "DELETE") {
    st.faults.clear();
    return json_response(200, st.faults.list());
  }
  if (req.method == "POST") {
    nlohmann::json spec = nlohmann::json::parse(req.body, nullptr, false);
    auto rule = st.faults.add(spec);
    if (!rule) {
      return error_response(bad_request(rule.error().message));
    }
    return json_response(201, rule->to_json());
  }
  return error_response(method_not_allowed(req.method + " is not supported on faults"));
}

Response fault_response(const FaultRule& f) {
  static const std::map<int, std::string> kReasons = {
      {400, "BadRequest"},  {401, "Unauthorized"},      {403, "Forbidden"},
      {404, "NotFound"},    {409, "Conflict"},          {410, "Expired"},
      {422, "Invalid"},     {429, "TooManyRequests"},   {500, "InternalError"},
      {503, "ServiceUnavailable"}, {504, "Timeout"}};
  ApiError e;
  e.code = f.status;
  auto it = kReasons.find(f.status);
  e.reason = !f.reason.empty() ? f.reason : it != kReasons.end() ? it->second : "Unknown";
  e.message = !f.message.empty() ? f.message : "injected fault " + std::to_string(f.id);
  if (f.retry_after_seconds > 0) {
    e.details = {{"retryAfterSeconds", f.retry_after_seconds}};
  }
  Response r = error_response(e);
  if (f.retry_after_seconds > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(f.retry_after_seconds));
  }
  return r;
}

// Streams watch events as chunked JSON lines until timeoutSeconds, a write failure, or stop.
// `cut_after` > 0 closes the stream after that many bytes (a fault).
awaitable<void> serve_watch(Server::State& st, Stream& stream, const HttpRequest& hreq,
                            WatchStart w, long cut_after) {
  auto ex = co_await net::this_coro::executor;
  net::steady_timer wake(ex);
  std::shared_ptr<Watcher> watcher = w.watcher;
  watcher->wake = [&wake] { wake.cancel(); };
  if (!w.end_after_initial) {
    st.store.add_watcher(watcher);
  }
  http::response<http::empty_body> res{http::status::ok, hreq.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-cache, private");
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  stream.next_layer().expires_never();
  auto [ec, header_bytes] = co_await http::async_write_header(stream, sr, kTuple);
  auto deadline = w.timeout_seconds > 0
                      ? std::chrono::steady_clock::now() + std::chrono::seconds(w.timeout_seconds)
                      : std::chrono::steady_clock::time_point::max();
  long sent = 0;
  std::string pending = std::move(w.initial);
  bool bookmarks = hreq.target().find("allowWatchBookmarks=true") != std::string_view::npos;
  while (!ec) {
    for (auto& line : watcher->lines) {
      pending += line;
    }
    watcher->lines.clear();
    if (!pending.empty()) {
      if (cut_after > 0 && sent + static_cast<long>(pending.size()) >= cut_after) {
        pending.resize(static_cast<size_t>(cut_after - sent));
        co_await net::async_write(stream, http::make_chunk(net::buffer(pending)), kTuple);
        break;  // a cut: no terminating chunk, the connection just drops
      }
      stream.next_layer().expires_after(std::chrono::seconds(60));
      std::tie(ec, std::ignore) =
          co_await net::async_write(stream, http::make_chunk(net::buffer(pending)), kTuple);
      sent += static_cast<long>(pending.size());
      pending.clear();
      continue;
    }
    if (w.end_after_initial || std::chrono::steady_clock::now() >= deadline) {
      stream.next_layer().expires_after(std::chrono::seconds(10));
      co_await net::async_write(stream, http::make_chunk_last(), kTuple);
      break;
    }
    auto until = std::min(deadline, std::chrono::steady_clock::now() + kWatchHeartbeat);
    wake.expires_at(until);
    auto [werr] = co_await wake.async_wait(kTuple);
    if (!werr && watcher->lines.empty() && std::chrono::steady_clock::now() < deadline) {
      // Heartbeat. A BOOKMARK when the client asked for them; else an empty write probe.
      if (bookmarks) {
        nlohmann::json obj = {{"kind", "Status"},
                              {"apiVersion", "v1"},
                              {"metadata", {{"resourceVersion", std::to_string(st.store.revision())}}}};
        const ResourceType* t = st.registry.find_key(watcher->resource);
        if (t != nullptr) {
          obj["kind"] = t->kind;
          obj["apiVersion"] = t->api_version(t->versions[0]);
        }
        pending = watch_line("BOOKMARK", obj.dump());
      }
    }
    if (st.stopped) {
      break;
    }
  }
  watcher->wake = nullptr;
  st.store.remove_watcher(watcher.get());
}

// `logs -f`: the output so far, then whatever the container appends, until it finishes for
// good, the pod goes away, or the client disconnects. Polls the log file (a kubelet watches
// it with inotify; a 200 ms poll is plenty for tests and the demo).
awaitable<void> serve_log_follow(Server::State& st, Stream& stream, const HttpRequest& hreq,
                                 Target t, Request req, std::string initial) {
  std::string container = req.param("container");
  if (container.empty()) {
    const Stored* pod = st.store.get("pods", t.ns, t.name);
    if (pod != nullptr) {
      container = (*pod->object)["spec"]["containers"][0].value("name", "");
    }
  }
  http::response<http::empty_body> res{http::status::ok, hreq.version()};
  res.set(http::field::content_type, "text/plain");
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  stream.next_layer().expires_after(std::chrono::seconds(60));
  auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
  bool may_grow = false;
  std::string path = st.runtime->log_file(t.ns, t.name, container, &may_grow);
  // Resume reading right after what `initial` held (the whole file, or its tail).
  std::error_code fec;
  auto offset = path.empty() ? 0 : std::filesystem::file_size(path, fec);
  if (fec) {
    offset = 0;
  }
  std::string pending = std::move(initial);
  net::steady_timer timer(co_await net::this_coro::executor);
  while (!ec && !st.stopped) {
    if (!pending.empty()) {
      stream.next_layer().expires_after(std::chrono::seconds(60));
      std::tie(ec, n) = co_await net::async_write(stream, http::make_chunk(net::buffer(pending)),
                                                  kTuple);
      pending.clear();
      continue;
    }
    path = st.runtime->log_file(t.ns, t.name, container, &may_grow);
    if (!path.empty()) {
      std::ifstream in(path, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(offset));
      std::string more((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      offset += more.size();
      pending = std::move(more);
    }
    if (pending.empty()) {
      if (!may_grow) {
        break;
      }
      timer.expires_after(std::chrono::milliseconds(200));
      co_await timer.async_wait(kTuple);
    }
  }
  if (!ec) {
    stream.next_layer().expires_after(std::chrono::seconds(10));
    co_await net::async_write(stream, http::make_chunk_last(), kTuple);
  }
}

awaitable<void> session(Server::State& st, tcp::socket socket) {
  ++st.sessions;
  struct Count {
    Server::State& st;
    ~Count() { --st.sessions; }
  } count{st};
  Stream stream(std::move(socket), st.ssl);
  stream.next_layer().expires_after(kHandshakeTimeout);
  auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::server, kTuple);
  if (hec) {
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.next_layer().expires_after(kIdleTimeout);
    auto [rec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (rec) {
      if (rec != http::error::end_of_stream && rec != net::error::eof &&
          rec != beast::error::timeout && rec != net::ssl::error::stream_truncated) {
        Response bad{400, "text/plain; charset=utf-8", "400 Bad Request", {}};
        co_await write_response(stream, bad, false, 11);
      }
      break;
    }
    HttpRequest hreq = parser.release();
    bool keep_alive = hreq.keep_alive();
    Request req = to_api_request(hreq);
    Response res;
    bool have_response = false;
    if (!token_matches(hreq[http::field::authorization], st.token)) {
      res = error_response(ApiError{401, "Unauthorized", "Unauthorized", {}});
      have_response = true;
    } else if (req.path.starts_with("/kubesim/")) {
      res = admin(st, req);
      have_response = true;
    }
    long cut_after = 0;
    if (!have_response && !st.faults.empty()) {
      std::string raw_query;
      if (auto q = hreq.target().find('?'); q != std::string_view::npos) {
        raw_query = std::string(hreq.target().substr(q + 1));
      }
      if (auto f = st.faults.take(req.method, req.path, raw_query)) {
        switch (f->action) {
          case FaultRule::Action::Status:
            res = fault_response(*f);
            have_response = true;
            break;
          case FaultRule::Action::Hang: {
            // Holds the connection without answering until the client gives up or we stop.
            net::steady_timer t(co_await net::this_coro::executor);
            stream.next_layer().expires_never();
            while (!st.stopped) {
              t.expires_after(std::chrono::milliseconds(200));
              co_await t.async_wait(kTuple);
            }
            co_return;
          }
          case FaultRule::Action::Delay: {
            net::steady_timer t(co_await net::this_coro::executor);
            t.expires_after(std::chrono::milliseconds(f->delay_ms));
            co_await t.async_wait(kTuple);
            break;
          }
          case FaultRule::Action::Cut:
            cut_after = std::max(1L, f->cut_after_bytes);
            break;
        }
      }
    }
    if (!have_response) {
      bool is_upgrade = beast::websocket::is_upgrade(hreq);
      if (is_upgrade || (req.path.ends_with("/exec") && req.method == "GET")) {
        if (!is_upgrade) {
          res = error_response(bad_request(
              "exec needs a WebSocket upgrade (Upgrade: websocket); SPDY is not supported"));
        } else {
          co_await serve_exec(st, std::move(stream), std::move(hreq), cut_after);
          co_return;
        }
      } else if (req.method == "GET" && req.path.ends_with("/log") && req.flag("follow") &&
                 st.runtime) {
        auto resolved = st.api.resolve(req);
        Response first = st.api.handle(req);  // validation and the output so far
        if (first.status != 200 || std::holds_alternative<Response>(resolved)) {
          res = std::move(first);
        } else {
          co_await serve_log_follow(st, stream, hreq, std::get<Target>(resolved), req,
                                    std::move(first.body));
          break;
        }
      } else if (req.method == "GET" && req.flag("watch")) {
        auto resolved = st.api.resolve(req);
        if (auto* r = std::get_if<Response>(&resolved)) {
          res = std::move(*r);
        } else {
          std::variant<WatchStart, Response> w = Response{};
          try {
            w = st.api.start_watch(req, std::get<Target>(resolved));
          } catch (const std::exception& e) {
            w = error_response(bad_request(std::string("invalid watch: ") + e.what()));
          }
          if (auto* r2 = std::get_if<Response>(&w)) {
            res = std::move(*r2);
          } else {
            co_await serve_watch(st, stream, hreq, std::move(std::get<WatchStart>(w)), cut_after);
            break;
          }
        }
      } else {
        res = st.api.handle_unflattened(req);
        if (cut_after > 0) {
          res.flatten();
        }
        if (cut_after > 0 && static_cast<long>(res.body.size()) > cut_after) {
          // A cut plain response: headers promise the full length, the body stops short.
          http::response<http::string_body> hres{static_cast<http::status>(res.status),
                                                 hreq.version()};
          hres.set(http::field::content_type, res.content_type);
          hres.content_length(res.body.size());
          http::response_serializer<http::string_body> sr{hres};
          co_await http::async_write_header(stream, sr, kTuple);
          co_await net::async_write(stream, net::buffer(res.body.data(), cut_after), kTuple);
          break;
        }
      }
    }
    bool ok = co_await write_response(stream, res, keep_alive, hreq.version());
    if (!ok || !keep_alive || st.stopped) {
      break;
    }
  }
  stream.next_layer().expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(kTuple);
}

awaitable<void> accept_loop(Server::State& st) {
  for (;;) {
    auto [ec, socket] = co_await st.acceptor.async_accept(kTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !st.acceptor.is_open()) {
        co_return;
      }
      continue;  // EMFILE and friends: keep serving the connections we have
    }
    socket.set_option(tcp::no_delay(true));
    net::co_spawn(st.io, session(st, std::move(socket)), LogException{"session"});
  }
}

}  // namespace

void LogException::operator()(std::exception_ptr e) const {
  if (!e) {
    return;
  }
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "kubesim: %s failed: %s\n", what, ex.what());
  } catch (...) {
    std::fprintf(stderr, "kubesim: %s failed\n", what);
  }
}

Request to_api_request(const HttpRequest& hreq) {
  Request r;
  r.method = std::string(hreq.method_string());
  std::string_view target = hreq.target();
  size_t q = target.find('?');
  r.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    r.query = parse_query(target.substr(q + 1));
  }
  r.content_type = std::string(hreq[http::field::content_type]);
  r.accept = std::string(hreq[http::field::accept]);
  r.body = hreq.body();
  return r;
}

awaitable<bool> write_response(Stream& stream, const Response& r, bool keep_alive,
                               unsigned version) {
  auto head = [&](auto& res) {
    res.set(http::field::content_type, r.content_type);
    res.set("Audit-Id", new_uid());
    res.set(http::field::cache_control, "no-cache, private");
    for (const auto& [k, v] : r.headers) {
      res.set(k, v);
    }
    res.keep_alive(keep_alive);
  };
  stream.next_layer().expires_after(std::chrono::seconds(60));
  if (r.pieces.empty()) {
    // The body is sent from `r` in place, not copied into a string_body.
    http::response<http::span_body<const char>> res{static_cast<http::status>(r.status), version};
    head(res);
    res.body() = {r.body.data(), r.body.size()};
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, kTuple);
    co_return !ec;
  }
  // A list: the header, then the pieces as one gather write (beast's ssl_stream packs small
  // buffers into records of up to 16 KB), never assembled into one body.
  http::response<http::empty_body> res{static_cast<http::status>(r.status), version};
  head(res);
  res.content_length(r.body_size());
  http::response_serializer<http::empty_body> sr{res};
  auto [hec, hn] = co_await http::async_write_header(stream, sr, kTuple);
  if (hec) {
    co_return false;
  }
  std::vector<net::const_buffer> buffers;
  buffers.reserve(r.pieces.size() + 1);
  if (!r.body.empty()) {
    buffers.emplace_back(r.body.data(), r.body.size());
  }
  for (const auto& p : r.pieces) {
    buffers.emplace_back(p->data(), p->size());
  }
  auto [ec, n] = co_await net::async_write(stream, buffers, kTuple);
  co_return !ec;
}

Server::State::~State() {
  if (thread.joinable()) {
    io.stop();
    thread.join();
  }
  acceptor_owner.reset();
  runtime.reset();
  io_owner.reset();
}

Server::Server(std::unique_ptr<State> state) : state_(std::move(state)) {}

Server::~Server() { stop(); }

core::Result<std::unique_ptr<Server>> Server::start(Options options) {
  // Writes to an exec's stdin pipe after its process exited must fail with EPIPE, not kill
  // the process hosting kubesim (tests run it in-process; main.cc does the same). Since execs
  // outlive their clients, such a write can race the process' exit.
  ::signal(SIGPIPE, SIG_IGN);
  auto st = std::make_unique<State>();
  st->options = options;
  auto tls = generate_tls_material();
  if (!tls) {
    return core::unexpected(tls.error());
  }
  st->tls = std::move(*tls);
  st->token = generate_token();
  boost::system::error_code ec;
  st->ssl.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1);
  st->ssl.use_certificate_chain(net::buffer(st->tls.server_cert_pem), ec);
  if (!ec) {
    st->ssl.use_private_key(net::buffer(st->tls.server_key_pem), net::ssl::context::pem, ec);
  }
  if (ec) {
    return core::unexpected(core::ErrorCode::Internal, "TLS setup: " + ec.message());
  }
  std::string host = options.listen;
  std::string port_text = "0";
  if (auto colon = host.rfind(':'); colon != std::string::npos) {
    port_text = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  auto address = net::ip::make_address(host, ec);
  if (ec) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "bad listen address " + options.listen);
  }
  int port_number = 0;
  try {
    port_number = std::stoi(port_text);
  } catch (...) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "bad listen port " + options.listen);
  }
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port_number));
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    st->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    st->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    st->acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return core::unexpected(core::ErrorCode::Unavailable,
                            "cannot listen on " + options.listen + ": " + ec.message());
  }
  st->port = st->acceptor.local_endpoint().port();
  if (options.data_dir.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "a data directory is required");
  }
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return core::unexpected(core::ErrorCode::Io, "cannot create " + options.data_dir.string());
  }
  // Before anything is created: admission and defaults depend on it.
  st->api.set_release(options.release);
  st->api.set_cluster_ca(st->tls.ca_cert_pem);
  st->api.set_storage_protection(options.run_controllers);
  if (options.run_controllers) {
    net::io_context* io = &st->io;
    st->controllers = std::make_unique<Controllers>(
        st->api, [io](std::chrono::milliseconds delay, std::function<void()> task) {
          if (delay.count() == 0) {
            net::post(*io, std::move(task));
            return;
          }
          auto timer = std::make_shared<net::steady_timer>(*io, delay);
          timer->async_wait([timer, task = std::move(task)](boost::system::error_code ec) {
            if (!ec) task();
          });
        });
  }
  // The namespaces every cluster starts with.
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    Request req;
    req.method = "POST";
    req.path = "/api/v1/namespaces";
    req.body = nlohmann::json{{"metadata", {{"name", ns}}}}.dump();
    st->api.handle(req);
  }
  if (options.run_controllers) {
    st->controllers->set_data_dir(options.data_dir);
    // The default StorageClass the realcluster tier creates (tests/realcluster/start), served
    // by the controllers' hostPath provisioner, so claims are provisioned as on kind or
    // minikube.
    Request req;
    req.method = "POST";
    req.path = "/apis/storage.k8s.io/v1/storageclasses";
    req.body = nlohmann::json{{"apiVersion", "storage.k8s.io/v1"},
                              {"kind", "StorageClass"},
                              {"metadata",
                               {{"name", "standard"},
                                {"annotations", {{kAnnDefaultClass, "true"}}}}},
                              {"provisioner", kHostPathProvisioner},
                              {"reclaimPolicy", "Delete"},
                              {"volumeBindingMode", "Immediate"}}
                   .dump();
    st->api.handle(req);
  }
  st->api.set_aggregated_discovery(options.aggregated_discovery);
  if (options.run_pods) {
    st->runtime = std::make_unique<PodRuntime>(st->io, st->api, options.data_dir);
    st->runtime->set_claims_are_bound(options.run_controllers);
    st->api.set_lifecycle(st->runtime.get());
  }
  net::co_spawn(st->io, accept_loop(*st), net::detached);
  State* raw = st.get();
  st->thread = std::thread([raw] {
    auto guard = net::make_work_guard(raw->io);
    raw->io.run();
  });
  if (!options.kubeconfig.empty()) {
    auto written = write_file_atomically(options.kubeconfig, kubeconfig_yaml(*st));
    if (!written) {
      std::unique_ptr<Server> s(new Server(std::move(st)));
      s->stop();
      return core::unexpected(written.error());
    }
  }
  return std::unique_ptr<Server>(new Server(std::move(st)));
}

void Server::stop() {
  if (!state_ || state_->stopped) {
    return;
  }
  State& st = *state_;
  std::promise<void> done;
  net::co_spawn(
      st.io,
      [&st]() -> awaitable<void> {
        st.stopped = true;
        if (st.controllers) {
          st.controllers->stop();
        }
        boost::system::error_code ignored;
        st.acceptor.close(ignored);
        if (st.runtime) {
          co_await st.runtime->stop_all();
        }
      },
      [&done](std::exception_ptr) { done.set_value(); });
  done.get_future().wait();
  st.io.stop();
  if (st.thread.joinable()) {
    st.thread.join();
  }
}

uint16_t Server::port() const { return state_->port; }
std::string Server::url() const { return "https://127.0.0.1:" + std::to_string(state_->port); }
const std::filesystem::path& Server::kubeconfig_path() const { return state_->options.kubeconfig; }
const std::string& Server::token() const { return state_->token; }
void Server::set_exec_protocols(ExecProtocols protocols) {
  state_->exec_v5 = protocols == ExecProtocols::V5AndV4;
}
size_t Server::abandoned_exec_sessions() const { return state_->abandoned_execs; }
const std::string& Server::ca_pem() const { return state_->tls.ca_cert_pem; }

}  // namespace stillpoint::kubesim
