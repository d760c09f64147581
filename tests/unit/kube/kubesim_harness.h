// Integration-test harness for src/kube: a kubesim started in-process on 127.0.0.1:0 in a
// temporary directory, the ClientConfig loaded from the kubeconfig it writes, and a helper
// that runs one coroutine to completion on the test's io_context.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/temp_dir.h"
#include "kube/http_client.h"
#include "kube/kubeconfig.h"
#include "kubesim.h"

namespace stillpoint::kube::testing {

template <class T>
boost::asio::awaitable<void> store_result(boost::asio::awaitable<T> op, std::optional<T>* out) {
  out->emplace(co_await std::move(op));
}

class KubesimEnv {
 public:
  explicit KubesimEnv(bool run_pods = false, bool aggregated_discovery = true) {
    kubesim::Options o;
    o.data_dir = dir_.path() / "data";
    o.kubeconfig = dir_.path() / "kubeconfig";
    o.run_pods = run_pods;
    o.aggregated_discovery = aggregated_discovery;
    auto server = kubesim::Server::start(o);
    if (!server) {
      ADD_FAILURE() << "kubesim did not start: " << server.error().message;
      return;
    }
    server_ = std::move(*server);
  }

  kubesim::Server& server() { return *server_; }
  bool started() const { return server_ != nullptr; }
  const stillpoint::testing::TempDir& dir() const { return dir_; }

  ClientConfig config() {
    LoadOptions o;
    o.kubeconfig = server_->kubeconfig_path().string();
    auto c = load_client_config(o);
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : ClientConfig{};
  }

  std::shared_ptr<HttpClient> client(ClientConfig config, TransportOptions options = {}) {
    auto c = HttpClient::create(io.get_executor(), std::move(config), options);
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : nullptr;
  }
  std::shared_ptr<HttpClient> client() { return client(config()); }

  // Runs `op` (and anything it spawned) to completion on `io`.
  template <class T>
  T run(boost::asio::awaitable<T> op) {
    std::optional<T> out;
    boost::asio::co_spawn(io, store_result(std::move(op), &out), boost::asio::detached);
    io.restart();
    io.run();
    return std::move(*out);
  }

  // Installs a kubesim fault rule (see tools/kubesim/README.md, "Faults on demand").
  void fault(const nlohmann::json& rule) {
    auto c = client();
    HttpRequest r;
    r.method = "POST";
    r.target = "/kubesim/v1/faults";
    r.content_type = "application/json";
    r.body = rule.dump();
    auto result = run(c->request(r));
    ASSERT_TRUE(result) << result.error().message;
  }

  boost::asio::io_context io;

 private:
  stillpoint::testing::TempDir dir_;
  std::unique_ptr<kubesim::Server> server_;
};

}  // namespace stillpoint::kube::testing
