// RestClient::watch against kubesim: events in order, resume from the last seen
// resourceVersion after a dropped stream and after the server ends the watch, 410 → Gone.
#include <chrono>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "kube/rest_client.h"
#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
using core::ErrorCode;
using nlohmann::json;
using testing::KubesimEnv;

const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

ListOptions in_namespace(std::string ns) {
  ListOptions o;
  o.namespace_name = std::move(ns);
  return o;
}
const GroupVersionResource kNamespaces{"", "v1", "namespaces"};

json config_map(const std::string& name) {
  return {{"metadata", {{"name", name}}}, {"data", {{"k", std::string(100, 'x')}}}};
}

class RestWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.started());
    http_ = env_.client();
    ASSERT_NE(http_, nullptr);
    rest_ = std::make_unique<RestClient>(http_);
    ASSERT_TRUE(env_.run(rest_->create(kNamespaces, "", {{"metadata", {{"name", "w"}}}})));
  }

  // The resourceVersion a watch starting "now" resumes from.
  std::string current_rv() {
    auto r = env_.run(rest_->list(kConfigMaps, in_namespace("w"), [](json) { return core::ok(); }));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->resource_version : std::string();
  }

  KubesimEnv env_;
  std::shared_ptr<HttpClient> http_;
  std::unique_ptr<RestClient> rest_;
};

asio::awaitable<void> create_later(RestClient* rest,
                                   std::string name,
                                   std::chrono::milliseconds after) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(after);
  co_await timer.async_wait(asio::use_awaitable);
  auto r = co_await rest->create(kConfigMaps, "w", config_map(name));
  EXPECT_TRUE(r) << r.error().message;
}

// A stream dropped in the middle of an event resumes from the last complete event: every
// change arrives once, in order.
TEST_F(RestWatchTest, ResumesAfterADroppedStreamWithoutLosingOrRepeatingEvents) {
  const std::string start = current_rv();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, "w", config_map("cm-" + std::to_string(i)))));
  }
  // An event line is ~400 bytes: the cut falls inside the second event.
  env_.fault({{"path", "/api/v1/namespaces/w/configmaps"},
              {"query", "watch=1"},
              {"action", "cut"},
              {"cutAfterBytes", 600},
              {"count", 1}});
  const size_t before = http_->stats().requests_sent;
  std::vector<std::string> names;
  WatchOptions options;
  options.namespace_name = "w";
  options.resource_version = start;
  auto r = env_.run(rest_->watch(kConfigMaps, options, [&](const WatchEvent& e) {
    if (e.type == "ADDED") {
      names.push_back(e.object["metadata"]["name"].get<std::string>());
    }
    return names.size() < 5;
  }));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(names, (std::vector<std::string>{"cm-0", "cm-1", "cm-2", "cm-3", "cm-4"}));
  EXPECT_EQ(http_->stats().requests_sent - before, 2u);  // the cut watch and its resume
}

// When the server ends the watch (timeoutSeconds), the client reconnects from the last
// resourceVersion and sees what happened afterwards.
TEST_F(RestWatchTest, ReconnectsWhenTheServerEndsTheWatch) {
  const std::string start = current_rv();
  asio::co_spawn(env_.io, create_later(rest_.get(), "late", std::chrono::milliseconds(1500)),
                 asio::detached);
  const size_t before = http_->stats().requests_sent;
  std::vector<std::string> seen;
  WatchOptions options;
  options.namespace_name = "w";
  options.resource_version = start;
  options.timeout = std::chrono::seconds(1);
  auto r = env_.run(rest_->watch(kConfigMaps, options, [&](const WatchEvent& e) {
    seen.push_back(e.type + " " + e.object["metadata"].value("name", ""));
    return e.type != "ADDED";
  }));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "ADDED late");
  // One create, and at least two watch requests (the first ended after one second).
  EXPECT_GE(http_->stats().requests_sent - before, 3u);
}

// A 410 answering the watch request is ErrorCode::Gone, so the caller re-lists.
TEST_F(RestWatchTest, HttpGoneIsReturnedAsGone) {
  env_.fault({{"path", "/api/v1/namespaces/w/configmaps"},
              {"query", "watch=1"},
              {"status", 410},
              {"message", "too old resource version: 1 (200)"}});
  WatchOptions options;
  options.namespace_name = "w";
  options.resource_version = "1";
  int events = 0;
  auto r = env_.run(rest_->watch(kConfigMaps, options, [&](const WatchEvent&) {
    ++events;
    return true;
  }));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Gone);
  EXPECT_EQ(r.error().message.rfind("watch configmaps in namespace w: ", 0), 0u)
      << r.error().message;
  EXPECT_NE(r.error().message.find("too old resource version: 1 (200) (Expired, HTTP 410)"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(events, 0);
}

// Without a resourceVersion the watch starts with the current objects as ADDED events.
TEST_F(RestWatchTest, NoResourceVersionStartsWithCurrentObjects) {
  ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, "w", config_map("existing"))));
  std::vector<std::string> seen;
  WatchOptions options;
  options.namespace_name = "w";
  auto r = env_.run(rest_->watch(kConfigMaps, options, [&](const WatchEvent& e) {
    seen.push_back(e.type + " " + e.object["metadata"].value("name", ""));
    return false;
  }));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED existing"}));
}

}  // namespace
}  // namespace stillpoint::kube
