// The exec WebSocket on the wire, frame by frame (wire reference §1): subprotocol choice,
// 403 with an empty body when nothing matches, the empty ready frame, v5 stdin close, the
// channel-3 Status shapes, and the not-running error on each protocol.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kubectl_harness.h"

namespace stillpoint::kubesim::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct Frame {
  int channel;
  std::string data;
};

struct ExecResult {
  int http_status = 0;  // 101 on upgrade
  std::string protocol;
  std::string body;  // error body when not upgraded
  std::vector<Frame> frames;
};

// Synchronous client: enough for tests, no coroutines.
ExecResult exec(Server& server, const std::string& pod, const std::string& query,
                const std::string& protocols, const std::vector<std::string>& stdin_messages = {}) {
  net::io_context io;
  net::ssl::context ssl{net::ssl::context::tls_client};
  ssl.add_certificate_authority(net::buffer(server.ca_pem()));
  ssl.set_verify_mode(net::ssl::verify_peer);
  websocket::stream<beast::ssl_stream<tcp::socket>> ws(io, ssl);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  ws.next_layer().handshake(net::ssl::stream_base::client);
  std::string token = server.token();
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& r) {
    r.set(http::field::authorization, "Bearer " + token);
    r.set(http::field::sec_websocket_protocol, protocols);
  }));
  ExecResult out;
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1", "/api/v1/namespaces/default/pods/" + pod + "/exec?" + query, ec);
  out.http_status = res.result_int();
  out.protocol = std::string(res[http::field::sec_websocket_protocol]);
  out.body = res.body();
  if (ec) {
    return out;
  }
  ws.binary(true);
  for (const std::string& m : stdin_messages) {
    ws.write(net::buffer(m));
  }
  for (;;) {
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec) {
      break;
    }
    std::string data = beast::buffers_to_string(buf.data());
    if (!data.empty()) {
      out.frames.push_back({static_cast<unsigned char>(data[0]), data.substr(1)});
    }
  }
  return out;
}

std::string channel_text(const ExecResult& r, int channel) {
  std::string s;
  for (const Frame& f : r.frames) {
    if (f.channel == channel) s += f.data;
  }
  return s;
}

class ExecProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    CommandResult a = k.kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
  containers:
  - {name: app, image: x, command: [sleep, '3600']}
---
apiVersion: v1
kind: Pod
metadata: {name: done}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: x, command: ['true']}
)");
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    ASSERT_EQ(k.kubectl({"wait", "--for=condition=Ready", "pod/box", "--timeout=60s"}).exit_code, 0);
    ASSERT_EQ(k.kubectl({"wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/done",
                         "--timeout=60s"}).exit_code, 0);
  }
  KubesimFixture k;
};

// v5 is chosen from "v5, v4"; the first frame is the empty ready frame on stdout; stdin is
// closed with FF 00; a non-zero exit arrives as the exact NonZeroExitCode Status.
TEST_F(ExecProtocol, V5StdinCloseAndExitStatus) {
  std::string q = "command=sh&command=-c&command=cat%3B+exit+3&stdin=true&stdout=true&stderr=true";
  ExecResult r = exec(k.server(), "box", q, "v5.channel.k8s.io, v4.channel.k8s.io",
                      {std::string("\x00hi\n", 4), std::string("\xff\x00", 2)});
  ASSERT_EQ(r.http_status, 101);
  EXPECT_EQ(r.protocol, "v5.channel.k8s.io");
  ASSERT_FALSE(r.frames.empty());
  EXPECT_EQ(r.frames[0].channel, 1);
  EXPECT_EQ(r.frames[0].data, "");
  EXPECT_EQ(channel_text(r, 1), "hi\n");
  nlohmann::json status = nlohmann::json::parse(channel_text(r, 3));
  EXPECT_EQ(status["status"], "Failure");
  EXPECT_EQ(status["reason"], "NonZeroExitCode");
  EXPECT_EQ(status["details"]["causes"][0]["reason"], "ExitCode");
  EXPECT_EQ(status["details"]["causes"][0]["message"], "3");
  EXPECT_FALSE(status.contains("kind"));
  EXPECT_EQ(channel_text(r, 3).substr(0, 14), R"({"metadata":{})");
}

// v4 alone is accepted; success is {"metadata":{},"status":"Success"}; stderr is channel 2.
TEST_F(ExecProtocol, V4Success) {
  ExecResult r = exec(k.server(), "box", "command=sh&command=-c&command=echo+e+%3E%262&stderr=true",
                      "v4.channel.k8s.io");
  ASSERT_EQ(r.http_status, 101);
  EXPECT_EQ(r.protocol, "v4.channel.k8s.io");
  EXPECT_EQ(r.frames[0].channel, 2);  // ready frame on the lowest requested output channel
  EXPECT_EQ(channel_text(r, 2), "e\n");
  EXPECT_EQ(channel_text(r, 3), R"({"metadata":{},"status":"Success"})");
}

// No supported subprotocol: 403 with an empty body.
TEST_F(ExecProtocol, NoSupportedProtocolIsForbidden) {
  ExecResult r = exec(k.server(), "box", "command=true&stdout=true", "channel.k8s.io");
  EXPECT_EQ(r.http_status, 403);
  EXPECT_EQ(r.body, "");
}

// A container that is not running: v5 upgrades then reports InternalError on channel 3; v4
// gets the kubelet's plain-text 500.
TEST_F(ExecProtocol, NotRunningContainer) {
  ExecResult v5 = exec(k.server(), "done", "command=true&stdout=true", "v5.channel.k8s.io");
  ASSERT_EQ(v5.http_status, 101);
  nlohmann::json status = nlohmann::json::parse(channel_text(v5, 3));
  EXPECT_EQ(status["reason"], "InternalError");
  EXPECT_EQ(status["code"], 500);
  EXPECT_EQ(status["message"],
            "Internal error occurred: unable to upgrade connection: container not found (\"app\")");
  ExecResult v4 = exec(k.server(), "done", "command=true&stdout=true", "v4.channel.k8s.io");
  EXPECT_EQ(v4.http_status, 500);
  EXPECT_EQ(v4.body, "container not found (\"app\")");
  ExecResult missing = exec(k.server(), "nope", "command=true&stdout=true", "v5.channel.k8s.io");
  EXPECT_EQ(missing.http_status, 404);
}

// A `cut` fault drops an exec stream after N bytes of output, with no Status on channel 3.
TEST_F(ExecProtocol, CutFaultDropsTheStream) {
  TempDir t;
  std::string file = (t.path() / "fault.json").string();
  FILE* f = fopen(file.c_str(), "w");
  fputs(R"({"path":"/api/v1/namespaces/default/pods/box/exec","action":"cut","cutAfterBytes":1000})", f);
  fclose(f);
  ASSERT_EQ(k.kubectl({"create", "--raw", "/kubesim/v1/faults", "-f", file}).exit_code, 0);
  std::string q = "command=sh&command=-c&command=head+-c+100000+/dev/zero&stdout=true";
  ExecResult cut = exec(k.server(), "box", q, "v5.channel.k8s.io");
  ASSERT_EQ(cut.http_status, 101);
  EXPECT_LE(channel_text(cut, 1).size(), 1000u);
  EXPECT_EQ(channel_text(cut, 3), "");
  ExecResult whole = exec(k.server(), "box", q, "v5.channel.k8s.io");
  EXPECT_EQ(channel_text(whole, 1).size(), 100000u);
  EXPECT_EQ(channel_text(whole, 3), R"({"metadata":{},"status":"Success"})");
}

}  // namespace
}  // namespace stillpoint::kubesim::testing
