// RestClient::watch: one streamed GET per connection, resumed from the last seen
// resourceVersion whenever the server ends the stream (timeoutSeconds, its own limit) or the
// connection drops, until the callback says stop or the history is gone (410).
#include <optional>
#include <utility>
#include <vector>

#include "kube/rest_client.h"
#include "kube/rest_paths.h"
#include "kube/url_query.h"
#include "kube/watch_decoder.h"

namespace stillpoint::kube {

namespace asio = boost::asio;
using core::ErrorCode;
using core::unexpected;

namespace {

// The server may stay silent between events for as long as it likes (bookmarks come about
// once a minute on a real server); a read waits the whole watch timeout plus this margin
// before the connection counts as dead.
constexpr auto kWatchReadSlack = std::chrono::seconds(30);
// Dropped streams in a row, with no event in between, before the watch gives up: a server
// that keeps cutting the connection at once is not coming back by itself.
constexpr int kMaxReconnectsWithoutProgress = 5;

}  // namespace

asio::awaitable<core::Status> RestClient::watch(const GroupVersionResource& gvr,
                                                WatchOptions options,
                                                WatchCallback on_event) {
  const std::string what = describe("watch", gvr, options.namespace_name, "");
  std::string resource_version = options.resource_version;
  int reconnects_without_progress = 0;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> params{{"watch", "1"}};
    if (options.allow_bookmarks) {
      params.emplace_back("allowWatchBookmarks", "true");
    }
    if (!resource_version.empty()) {
      params.emplace_back("resourceVersion", resource_version);
    }
    if (options.timeout.count() > 0) {
      params.emplace_back("timeoutSeconds", std::to_string(options.timeout.count()));
    }
    if (!options.label_selector.empty()) {
      params.emplace_back("labelSelector", options.label_selector);
    }
    if (!options.field_selector.empty()) {
      params.emplace_back("fieldSelector", options.field_selector);
    }
    HttpRequest req;
    req.target = collection_path(gvr, options.namespace_name) + query_string(params);
    req.timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout) + kWatchReadSlack;

    // Both lambdas run inside the awaited stream() below, so the references outlive them.
    WatchDecoder decoder;
    bool stopped = false;
    bool progressed = false;
    std::optional<core::Error> event_error;
    auto handle = [&](WatchEvent event) -> core::Status {
      if (auto error = watch_event_error(event); !error) {
        event_error = error.error();
        return error;
      }
      // BOOKMARKs carry only a resourceVersion, which is exactly what a resume needs.
      if (std::string rv = resource_version_of(event.object); !rv.empty()) {
        resource_version = std::move(rv);
      }
      progressed = true;
      if (!on_event(event)) {
        stopped = true;
        return unexpected(ErrorCode::Cancelled, "watch stopped by its callback");
      }
      return core::ok();
    };
    BodySink sink = [&](std::string_view piece) { return decoder.feed(piece, handle); };
    auto r = co_await http_->stream(std::move(req), std::move(sink));
    if (stopped) {
      co_return core::ok();
    }
    if (event_error) {
      co_return unexpected(with_context(*event_error, what));
    }
    if (progressed) {
      reconnects_without_progress = 0;
    }
    if (!r) {
      // A dropped stream resumes like a closed one; anything else (410, 403, a cancelled
      // watch, a malformed event) is the caller's to handle.
      const bool dropped = r.error().code == ErrorCode::Unavailable;
      if (!dropped || ++reconnects_without_progress > kMaxReconnectsWithoutProgress) {
        co_return unexpected(with_context(r.error(), what));
      }
    }
    // The server ended the watch: resume from the last event seen (a partial last line, cut
    // mid-event, is dropped and comes again).
  }
}

}  // namespace stillpoint::kube
