// Watch body decoding on canned bytes (wire reference §3.6): events split at newlines, not at
// chunk boundaries; the ERROR event's Status becomes an error with the Status's code.
#include "kube/watch_decoder.h"

#include <vector>

#include <gtest/gtest.h>

#include "kube/rest_paths.h"

namespace stillpoint::kube {
namespace {

using core::ErrorCode;

const std::string kStream =
    R"({"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"10"}}})"
    "\n"
    R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12","creationTimestamp":null},"spec":{"containers":null}}})"
    "\n"
    R"({"type":"DELETED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"13"}}})"
    "\n";

std::vector<std::string> decode_in_pieces(size_t piece_size) {
  WatchDecoder decoder;
  std::vector<std::string> out;
  for (size_t i = 0; i < kStream.size(); i += piece_size) {
    auto s = decoder.feed(std::string_view(kStream).substr(i, piece_size), [&](WatchEvent e) {
      out.push_back(e.type + "@" + resource_version_of(e.object));
      return core::ok();
    });
    EXPECT_TRUE(s) << s.error().message;
  }
  EXPECT_EQ(decoder.pending(), 0u);
  return out;
}

// Whatever the chunking (one byte at a time, odd sizes, all at once) the events are the same.
TEST(WatchDecoder, EventsIndependentOfChunkBoundaries) {
  const std::vector<std::string> want{"ADDED@10", "BOOKMARK@12", "DELETED@13"};
  for (size_t size : {size_t{1}, size_t{7}, size_t{64}, kStream.size()}) {
    SCOPED_TRACE(size);
    EXPECT_EQ(decode_in_pieces(size), want);
  }
}

// A line cut short stays pending (it comes again after a resume); blank lines are skipped.
TEST(WatchDecoder, PartialLineStaysPending) {
  WatchDecoder decoder;
  int events = 0;
  auto s = decoder.feed("\n\r\n" + kStream.substr(0, 150), [&](WatchEvent) {
    ++events;
    return core::ok();
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(events, 1);
  EXPECT_GT(decoder.pending(), 0u);
}

// Garbage is a Protocol error, not an exception or a silently skipped event.
TEST(WatchDecoder, MalformedLineIsProtocolError) {
  for (const char* line :
       {"not json\n", "[1,2]\n", "{\"type\":\"ADDED\"}\n", "{\"type\":1,\"object\":{}}\n"}) {
    SCOPED_TRACE(line);
    WatchDecoder decoder;
    auto s = decoder.feed(line, [](WatchEvent) { return core::ok(); });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Protocol);
  }
}

// The ERROR event a real server sends for a too-old resourceVersion (HTTP 200, then this) is
// Gone, with the server's message; other ERROR codes keep their meaning.
TEST(WatchDecoder, ErrorEventBecomesGone) {
  auto event = parse_watch_event(
      R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 123 (456)","reason":"Expired","code":410}})json");
  ASSERT_TRUE(event);
  auto error = watch_event_error(*event);
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().code, ErrorCode::Gone);
  EXPECT_NE(error.error().message.find("too old resource version: 123 (456)"), std::string::npos);
  EXPECT_EQ(resource_version_of(event->object), "");

  auto forbidden = parse_watch_event(
      R"({"type":"ERROR","object":{"status":"Failure","message":"no","reason":"Forbidden","code":403}})");
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(watch_event_error(*forbidden).error().code, ErrorCode::Forbidden);

  auto added = parse_watch_event(R"({"type":"ADDED","object":{}})");
  ASSERT_TRUE(added);
  EXPECT_TRUE(watch_event_error(*added));
}

// Paths follow §3.1; names cannot escape their path segment.
TEST(RestPaths, CollectionAndObjectPaths) {
  const GroupVersionResource pods{"", "v1", "pods"};
  const GroupVersionResource deploy{"apps", "v1", "deployments"};
  EXPECT_EQ(collection_path(pods, "ns"), "/api/v1/namespaces/ns/pods");
  EXPECT_EQ(collection_path(pods, ""), "/api/v1/pods");
  EXPECT_EQ(object_path(deploy, "ns", "web"), "/apis/apps/v1/namespaces/ns/deployments/web");
  EXPECT_EQ(object_path(pods, "ns", "../x?y"), "/api/v1/namespaces/ns/pods/..%2Fx%3Fy");
  EXPECT_EQ(deploy.api_version(), "apps/v1");
  EXPECT_EQ(pods.api_version(), "v1");
  EXPECT_EQ(describe("list", deploy, "", ""), "list deployments.apps in all namespaces");
  EXPECT_EQ(describe("get", pods, "x", "web-0"), "get pods web-0 in namespace x");
}

}  // namespace
}  // namespace stillpoint::kube
