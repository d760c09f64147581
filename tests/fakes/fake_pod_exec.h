// A recording PodExec: every exec is remembered (commands_ran), and each command's behaviour
// is scripted by its first argument: exit code and output, an error, or "hang until
// cancelled" — which is how tests see that a timed-out hook's stream was closed. With a
// `stdout_sink` (volume data), the scripted output goes to the sink instead of the result.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hooks/pod_exec.h"

namespace stillpoint::testing {

class FakePodExec : public hooks::PodExec {
 public:
  struct Script {
    int exit_code = 0;
    std::string out;
    std::string err;
    std::optional<core::Error> error;  // the exec itself fails
    bool hang = false;                 // never finishes unless cancelled
    std::function<void()> on_start = {};  // called as the command starts (a test's probe)
  };

  void script(const std::string& argv0, Script s) { scripts_[argv0] = std::move(s); }

  boost::asio::awaitable<core::Result<hooks::ExecResult>> exec(
      hooks::ExecRequest request) override {
    requests.push_back(request);
    commands_ran.push_back(request.namespace_name + "/" + request.pod + "/" + request.container +
                           ":" + (request.command.empty() ? "" : request.command[0]));
    const Script s = scripts_.count(request.command.at(0)) ? scripts_[request.command[0]]
                                                             : Script{};
    if (s.on_start) s.on_start();
    if (s.hang) {
      boost::asio::steady_timer forever(co_await boost::asio::this_coro::executor);
      forever.expires_at(boost::asio::steady_timer::time_point::max());
      co_await forever.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      ++streams_closed_by_cancel;
      co_return core::unexpected(core::ErrorCode::Cancelled, "exec cancelled");
    }
    if (s.error) {
      co_return core::unexpected(*s.error);
    }
    hooks::ExecResult r;
    r.exit_code = s.exit_code;
    if (request.stdout_sink) {
      if (!s.out.empty()) {
        if (auto sunk = co_await request.stdout_sink(s.out); !sunk) {
          co_return core::unexpected(sunk.error());
        }
      }
    } else {
      r.stdout_data = s.out;
    }
    r.stderr_data = s.err;
    co_return r;
  }

  std::vector<std::string> commands_ran;     // "ns/pod/container:argv0"
  std::vector<hooks::ExecRequest> requests;  // every request, in order
  int streams_closed_by_cancel = 0;

 private:
  std::map<std::string, Script> scripts_;
};

}  // namespace stillpoint::testing
