// Execution of backup hooks (../shared/spec/hooks.md §3) with a recording PodExec and a fake
// clock: order, onError, timeouts that close the stream, skipping, counting, and the
// guaranteed post hooks around an ItemBlock.
#include <optional>

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "fakes/fake_clock.h"
#include "fakes/fake_pod_exec.h"
#include "hooks/hook_runner.h"
#include "hooks/item_block_hooks.h"
#include "hooks/timed_out_command.h"

namespace stillpoint::hooks {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;
using testing::FakeClock;
using testing::FakePodExec;

Pod running_pod(std::string ns, std::string name, std::vector<std::string> containers) {
  Pod pod;
  pod.namespace_name = std::move(ns);
  pod.name = std::move(name);
  pod.containers = std::move(containers);
  pod.phase = "Running";
  return pod;
}

PlannedExecHook hook(std::string name, std::string container, std::string argv0,
                     OnError on_error = OnError::Fail, Duration timeout = seconds(30)) {
  PlannedExecHook h;
  h.name = std::move(name);
  h.container = std::move(container);
  h.command = {std::move(argv0)};
  h.on_error = on_error;
  h.timeout = timeout;
  return h;
}

class HookRunnerTest : public ::testing::Test {
 protected:
  // Runs `op` to completion, advancing the fake clock one second whenever nothing is ready.
  template <class T>
  T drive(asio::awaitable<T> op, asio::cancellation_slot slot = {}) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(ctx_, std::move(op),
                   asio::bind_cancellation_slot(slot, [&](std::exception_ptr e, T value) {
                     error = e;
                     if (!e) {
                       result = std::move(value);
                     }
                   }));
    for (int step = 0; step < 100'000 && !result && !error; ++step) {
      ctx_.restart();
      ctx_.poll();
      if (!result && !error) {
        clock_.advance(seconds(1));
      }
    }
    if (error) {
      std::rethrow_exception(error);
    }
    EXPECT_TRUE(result.has_value()) << "operation never completed";
    return std::move(*result);
  }

  std::vector<std::string> results() const {
    std::vector<std::string> out;
    for (const auto& r : tracker_.records()) {
      out.push_back(r.pod + "/" + r.phase + "/" + r.name + ":" + to_string(r.result));
    }
    return out;
  }

  asio::io_context ctx_;
  FakeClock clock_;
  FakePodExec exec_;
  HookTracker tracker_;
  HookRunner runner_{exec_, clock_, tracker_};
};

// Hooks of a phase run one after another, in plan order, in their containers.
TEST_F(HookRunnerTest, RunsHooksInOrderAndRecordsSuccess) {
  const Pod pod = running_pod("db", "pg-0", {"pg", "metrics"});
  exec_.script("/bin/dump", {0, "dumped", "", std::nullopt, false});
  PhaseOutcome outcome = drive(runner_.run_backup_phase(
      pod, HookPhase::Pre, {hook("a", "pg", "/bin/dump"), hook("b", "metrics", "/bin/flush")}));
  EXPECT_FALSE(outcome.failed);
  EXPECT_FALSE(outcome.stopped);
  EXPECT_EQ(exec_.commands_ran,
            (std::vector<std::string>{"db/pg-0/pg:/bin/dump", "db/pg-0/metrics:/bin/flush"}));
  const auto records = tracker_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].result, HookResult::Succeeded);
  EXPECT_EQ(records[0].exit_code, 0);
  EXPECT_EQ(records[0].stdout_data, "dumped");
  EXPECT_EQ(records[0].phase, "pre");
  EXPECT_EQ(tracker_.status().hooks_attempted, 2);
  EXPECT_EQ(tracker_.status().hooks_failed, 0);
}

// A non-zero exit fails the hook with Velero's message; Continue lets later hooks run.
TEST_F(HookRunnerTest, NonZeroExitWithContinueRunsLaterHooks) {
  const Pod pod = running_pod("db", "pg-0", {"pg"});
  exec_.script("/bin/false", {3, "", "boom", std::nullopt, false});
  PhaseOutcome outcome = drive(runner_.run_backup_phase(
      pod, HookPhase::Pre,
      {hook("a", "pg", "/bin/false", OnError::Continue), hook("b", "pg", "/bin/true")}));
  EXPECT_TRUE(outcome.failed);
  EXPECT_FALSE(outcome.stopped);
  const auto records = tracker_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].result, HookResult::Failed);
  EXPECT_EQ(records[0].error, "command terminated with exit code 3");
  EXPECT_EQ(records[0].exit_code, 3);
  EXPECT_EQ(records[0].stderr_data, "boom");
  EXPECT_EQ(records[1].result, HookResult::Succeeded);
}

// onError Fail stops the pod's later hooks of the phase; they count as attempted and failed
// (Velero's TestBackupHookTracker: 1a Continue fails, 1b ok, 2 Fail fails, 3 never runs →
// attempted 4, failed 3 here since stillpoint counts the not-executed hook as failed too).
TEST_F(HookRunnerTest, FailStopsLaterHooksWhichAreRecordedNotExecuted) {
  const Pod pod = running_pod("db", "pg-0", {"pg"});
  exec_.script("/bin/false", {1, "", "", std::nullopt, false});
  PhaseOutcome outcome = drive(runner_.run_backup_phase(
      pod, HookPhase::Pre,
      {hook("1a", "pg", "/bin/false", OnError::Continue), hook("1b", "pg", "/bin/true"),
       hook("2", "pg", "/bin/false", OnError::Fail), hook("3", "pg", "/bin/true")}));
  EXPECT_TRUE(outcome.stopped);
  EXPECT_EQ(results(), (std::vector<std::string>{"pg-0/pre/1a:Failed", "pg-0/pre/1b:Succeeded",
                                                 "pg-0/pre/2:Failed", "pg-0/pre/3:NotExecuted"}));
  EXPECT_EQ(exec_.commands_ran.size(), 3u);
  EXPECT_EQ(tracker_.status().hooks_attempted, 4);
  EXPECT_EQ(tracker_.status().hooks_failed, 3);
}

// A hook that outlives its timeout fails with `timed out after <d>`, and its exec stream is
// closed (the PodExec operation is cancelled). Closing it does not stop the command on a
// real cluster, so a second exec in the same container stops the processes exec'd when the
// hook's exec was requested (or with its argv); the error says it did. onError Continue still lets the next hook run.
TEST_F(HookRunnerTest, TimeoutClosesTheStreamStopsTheCommandAndFailsTheHook) {
  const Pod pod = running_pod("db", "pg-0", {"pg", "side"});
  exec_.script("/bin/sleep", {0, "", "", std::nullopt, /*hang=*/true});
  exec_.script("/bin/sh", {0, "matched=2 stopped=2 remaining=0\n", "", std::nullopt, false});
  PlannedExecHook slow = hook("slow", "side", "/bin/sleep", OnError::Continue, seconds(45));
  slow.command.push_back("317");
  const auto start = clock_.now();
  PhaseOutcome outcome =
      drive(runner_.run_backup_phase(pod, HookPhase::Pre, {slow, hook("next", "pg", "/bin/true")}));
  EXPECT_TRUE(outcome.failed);
  EXPECT_FALSE(outcome.stopped);
  EXPECT_EQ(exec_.streams_closed_by_cancel, 1);
  EXPECT_EQ(exec_.commands_ran,
            (std::vector<std::string>{"db/pg-0/side:/bin/sleep", "db/pg-0/side:/bin/sh",
                                      "db/pg-0/pg:/bin/true"}));
  ASSERT_EQ(exec_.requests.size(), 3u);
  // The stop looks for the hook's process among those exec'd 35 to 55 s before it starts:
  // the hook's exec was requested 45 s before the stop (kExecStartSlack and kStopExecTimeout
  // on either side), in ticks of 10 ms, widened by one.
  const std::vector<std::string> stop = exec_.requests[1].command;
  EXPECT_EQ(stop, stop_command({"/bin/sleep", "317"}, ExecWindow{seconds(55), seconds(35)}));
  ASSERT_EQ(stop.size(), 8u);
  EXPECT_EQ(stop[4], "5501");
  EXPECT_EQ(stop[5], "3499");
  EXPECT_FALSE(exec_.requests[1].stdin_data.has_value());
  const auto records = tracker_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].result, HookResult::Failed);
  EXPECT_EQ(records[0].error, "timed out after 45s; its command was stopped (2 processes)");
  EXPECT_EQ(records[0].duration_ms(), 45'000);
  EXPECT_EQ(records[1].result, HookResult::Succeeded);
  EXPECT_GE(clock_.now() - start, seconds(45));
  EXPECT_EQ(clock_.sleepers(), 0u);
  EXPECT_EQ(tracker_.status().hooks_failed, 1);
}

// When the stop cannot do its job, the hook's error says the command may still be running,
// and why: the stop exec fails, exits non-zero (no /bin/sh), finds nothing, leaves a process,
// or hangs past its own 10 s bound. The hook stays Failed and onError Fail still stops the
// pod's later hooks.
TEST_F(HookRunnerTest, TimeoutWhoseCommandCouldNotBeStoppedSaysItMayStillRun) {
  struct Case {
    std::string name;
    FakePodExec::Script stop;
    std::string error;
  };
  const std::string prefix =
      "timed out after 5s; its command may still be running in the container: ";
  const std::vector<Case> cases = {
      {"exec fails",
       {0, "", "", core::Error{core::ErrorCode::Unavailable, "connection reset"}, false},
       prefix + "the stop command could not run: connection reset"},
      {"no shell",
       {127, "", "exec: \"/bin/sh\": not found\n", std::nullopt, false},
       prefix + "the stop command (/bin/sh) exited with code 127: exec: \"/bin/sh\": not found"},
      {"nothing matched",
       {0, "matched=0 stopped=0 remaining=0\n", "", std::nullopt, false},
       prefix + "no process of the hook was found, neither exec'd into the container when the "
                "hook started nor with its exact command line (it may have ended, possibly "
                "leaving background children behind)"},
      {"one survives",
       {0, "matched=3 stopped=2 remaining=1\n", "", std::nullopt, false},
       prefix + "1 of 3 processes did not stop, even after SIGKILL"},
      {"stop hangs",
       {0, "", "", std::nullopt, true},
       prefix + "the stop command did not finish within 10s"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakePodExec exec;
    HookTracker tracker;
    HookRunner runner(exec, clock_, tracker);
    exec.script("/bin/hang", {0, "", "", std::nullopt, true});
    exec.script("/bin/sh", c.stop);
    const Pod pod = running_pod("db", "pg-0", {"pg"});
    const auto start = clock_.now();
    PhaseOutcome outcome =
        drive(runner.run_backup_phase(pod, HookPhase::Pre,
                                      {hook("slow", "pg", "/bin/hang", OnError::Fail, seconds(5)),
                                       hook("b", "pg", "/bin/true")}));
    EXPECT_TRUE(outcome.stopped);
    const auto records = tracker.records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].result, HookResult::Failed);
    EXPECT_EQ(records[0].error, c.error);
    EXPECT_EQ(records[0].duration_ms(), 5'000);
    EXPECT_EQ(records[1].result, HookResult::NotExecuted);
    EXPECT_EQ(exec.commands_ran.size(), 2u);  // the hook, then the stop; never "b"
    EXPECT_LE(clock_.now() - start, seconds(5 + 10 + 2));
  }
}

// Pods that are not Running, and containers that are not running, are skipped: never
// attempted, counted apart.
TEST_F(HookRunnerTest, NotRunningPodsAndContainersAreSkipped) {
  Pod pending = running_pod("db", "pg-1", {"pg"});
  pending.phase = "Pending";
  Pod half = running_pod("db", "pg-2", {"pg", "side"});
  half.container_statuses["side"] = ContainerStatus{false, false, "waiting"};
  drive(runner_.run_backup_phase(pending, HookPhase::Pre, {hook("a", "pg", "/bin/true")}));
  drive(runner_.run_backup_phase(half, HookPhase::Pre,
                                 {hook("b", "side", "/bin/true"), hook("c", "pg", "/bin/true")}));
  EXPECT_EQ(results(), (std::vector<std::string>{"pg-1/pre/a:Skipped", "pg-2/pre/b:Skipped",
                                                 "pg-2/pre/c:Succeeded"}));
  EXPECT_EQ(exec_.commands_ran, (std::vector<std::string>{"db/pg-2/pg:/bin/true"}));
  EXPECT_EQ(tracker_.records()[0].error, "pod phase is Pending, not Running");
  const HookStatus status = tracker_.status();
  EXPECT_EQ(status.hooks_attempted, 1);
  EXPECT_EQ(status.hooks_skipped, 2);
}

// A container the pod lacks fails the hook at once, without an exec call.
TEST_F(HookRunnerTest, MissingContainerFailsWithoutExec) {
  const Pod pod = running_pod("db", "pg-0", {"pg"});
  drive(runner_.run_backup_phase(pod, HookPhase::Post, {hook("a", "nope", "/bin/true")}));
  ASSERT_EQ(tracker_.records().size(), 1u);
  EXPECT_EQ(tracker_.records()[0].error, "no such container: \"nope\"");
  EXPECT_TRUE(exec_.commands_ran.empty());
}

// An exec that cannot run (API error) fails the hook with the error's message.
TEST_F(HookRunnerTest, ExecErrorFailsTheHook) {
  const Pod pod = running_pod("db", "pg-0", {"pg"});
  exec_.script("/bin/x", {0, "", "", core::Error{core::ErrorCode::Unavailable, "connection reset"},
                          false});
  drive(runner_.run_backup_phase(pod, HookPhase::Pre, {hook("a", "pg", "/bin/x")}));
  EXPECT_EQ(tracker_.records()[0].error, "connection reset");
  EXPECT_EQ(tracker_.records()[0].result, HookResult::Failed);
}

PodBackupPlan plan_with(std::vector<PlannedExecHook> pre, std::vector<PlannedExecHook> post) {
  PodBackupPlan plan;
  plan.pre = std::move(pre);
  plan.post = std::move(post);
  return plan;
}

asio::awaitable<core::Status> items_ok(std::vector<std::string>* seen,
                                       std::vector<std::string> excluded) {
  *seen = std::move(excluded);
  co_return core::ok();
}

asio::awaitable<core::Status> items_fail(std::vector<std::string>) {
  co_return core::unexpected(core::ErrorCode::Io, "disk full");
}

asio::awaitable<core::Status> items_hang(FakeClock* clock, std::vector<std::string>) {
  co_await clock->sleep_for(std::chrono::hours(1));
  const auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) {
    co_return core::unexpected(core::ErrorCode::Cancelled, "interrupted");
  }
  co_return core::ok();
}

// All pre hooks of a block run before its items, all post hooks after them.
TEST_F(HookRunnerTest, BlockRunsPreThenItemsThenPost) {
  const Pod a = running_pod("ns", "a", {"c"});
  const Pod b = running_pod("ns", "b", {"c"});
  const auto pa = plan_with({hook("pre-a", "c", "/bin/freeze")}, {hook("post-a", "c", "/bin/thaw")});
  const auto pb = plan_with({hook("pre-b", "c", "/bin/freeze")}, {hook("post-b", "c", "/bin/thaw")});
  std::vector<std::string> excluded{"sentinel"};
  BlockHookOutcome outcome = drive(run_item_block(
      runner_, {{&a, &pa}, {&b, &pb}},
      [&excluded](std::vector<std::string> ex) { return items_ok(&excluded, std::move(ex)); }));
  EXPECT_TRUE(excluded.empty());
  EXPECT_FALSE(outcome.hook_failed);
  EXPECT_EQ(results(), (std::vector<std::string>{"a/pre/pre-a:Succeeded", "b/pre/pre-b:Succeeded",
                                                 "a/post/post-a:Succeeded",
                                                 "b/post/post-b:Succeeded"}));
}

// The seed promise: the post hook runs even if the pre hook fails (either mode), and a
// Fail-mode pre failure keeps that pod's item out of the backup.
TEST_F(HookRunnerTest, PostHooksRunAfterFailedPreAndThePodIsNotBackedUp) {
  const Pod a = running_pod("ns", "a", {"c"});
  const auto pa = plan_with({hook("freeze", "c", "/bin/freeze"), hook("check", "c", "/bin/false")},
                            {hook("thaw", "c", "/bin/thaw")});
  exec_.script("/bin/false", {1, "", "", std::nullopt, false});
  std::vector<std::string> excluded;
  BlockHookOutcome outcome = drive(run_item_block(
      runner_, {{&a, &pa}},
      [&excluded](std::vector<std::string> ex) { return items_ok(&excluded, std::move(ex)); }));
  EXPECT_EQ(excluded, (std::vector<std::string>{"ns/a"}));
  EXPECT_EQ(outcome.pods_not_backed_up, (std::vector<std::string>{"ns/a"}));
  EXPECT_TRUE(outcome.hook_failed);
  EXPECT_EQ(results(), (std::vector<std::string>{"a/pre/freeze:Succeeded", "a/pre/check:Failed",
                                                 "a/post/thaw:Succeeded"}));
}

// An item error does not stop the post hooks.
TEST_F(HookRunnerTest, PostHooksRunAfterAnItemError) {
  const Pod a = running_pod("ns", "a", {"c"});
  const auto pa = plan_with({hook("freeze", "c", "/bin/freeze")}, {hook("thaw", "c", "/bin/thaw")});
  BlockHookOutcome outcome = drive(run_item_block(runner_, {{&a, &pa}}, items_fail));
  ASSERT_FALSE(outcome.items.has_value());
  EXPECT_EQ(outcome.items.error().message, "disk full");
  EXPECT_EQ(results(), (std::vector<std::string>{"a/pre/freeze:Succeeded", "a/post/thaw:Succeeded"}));
}

// Cancellation (SIGINT/SIGTERM) during the items still runs the post hooks of every pod
// whose pre hooks started, then completes; post hooks are not cancelled themselves.
TEST_F(HookRunnerTest, PostHooksRunWhenTheBlockIsCancelled) {
  const Pod a = running_pod("ns", "a", {"c"});
  const auto pa = plan_with({hook("freeze", "c", "/bin/freeze")},
                            {hook("thaw", "c", "/bin/thaw", OnError::Fail, seconds(10))});
  asio::cancellation_signal cancel;
  std::optional<BlockHookOutcome> outcome;
  std::exception_ptr error;
  asio::co_spawn(ctx_,
                 run_item_block(runner_, {{&a, &pa}},
                                [this](std::vector<std::string> ex) {
                                  return items_hang(&clock_, std::move(ex));
                                }),
                 asio::bind_cancellation_slot(cancel.slot(),
                                              [&](std::exception_ptr e, BlockHookOutcome o) {
                                                error = e;
                                                outcome = std::move(o);
                                              }));
  ctx_.poll();  // pre hook done, items waiting
  EXPECT_EQ(results(), (std::vector<std::string>{"a/pre/freeze:Succeeded"}));
  cancel.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 100 && !outcome && !error; ++i) {
    ctx_.restart();
    ctx_.poll();
  }
  EXPECT_EQ(results(), (std::vector<std::string>{"a/pre/freeze:Succeeded", "a/post/thaw:Succeeded"}));
  ASSERT_TRUE(outcome.has_value() || error);
  if (outcome) {
    ASSERT_FALSE(outcome->items.has_value());
    EXPECT_EQ(outcome->items.error().code, core::ErrorCode::Cancelled);
  }
}

// Cancellation while a pre hook hangs: that pod is thawed, pods not yet reached are left
// alone (their pre never started), and the cancellation is reported to the caller.
TEST_F(HookRunnerTest, CancelledDuringPreThawsOnlyStartedPods) {
  const Pod a = running_pod("ns", "a", {"c"});
  const Pod b = running_pod("ns", "b", {"c"});
  const auto pa = plan_with({hook("freeze", "c", "/bin/hang")}, {hook("thaw", "c", "/bin/thaw")});
  const auto pb = plan_with({hook("freeze", "c", "/bin/freeze")}, {hook("thaw", "c", "/bin/thaw")});
  exec_.script("/bin/hang", {0, "", "", std::nullopt, true});
  asio::cancellation_signal cancel;
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(ctx_,
                 run_item_block(runner_, {{&a, &pa}, {&b, &pb}},
                                [](std::vector<std::string>) -> asio::awaitable<core::Status> {
                                  return items_fail({});
                                }),
                 asio::bind_cancellation_slot(cancel.slot(),
                                              [&](std::exception_ptr e, BlockHookOutcome) {
                                                error = e;
                                                done = true;
                                              }));
  ctx_.poll();
  EXPECT_EQ(runner_.running(), 1u);  // the hanging pre hook (progress displays show it)
  cancel.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 100 && !done; ++i) {
    ctx_.restart();
    ctx_.poll();
  }
  ASSERT_TRUE(done);
  EXPECT_EQ(exec_.streams_closed_by_cancel, 1);
  // An interrupted run starts nothing new: no stop exec either, whichever side of the
  // hook's race saw the cancellation first.
  for (const auto& ran : exec_.commands_ran) {
    EXPECT_EQ(ran.find(":/bin/sh"), std::string::npos) << ran;
  }
  EXPECT_EQ(runner_.running(), 0u);
  const auto r = results();
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r.front(), "a/pre/freeze:Failed");
  EXPECT_EQ(r.back(), "a/post/thaw:Succeeded");
  for (const auto& line : r) {
    EXPECT_NE(line.rfind("b/", 0), 0u) << "pod b was never frozen, must not be touched: " << line;
  }
}

}  // namespace
}  // namespace stillpoint::hooks
