#include "pod_runtime.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "object_meta.h"
#include "pod_setup.h"
#include "server_state.h"

namespace stillpoint::kubesim {

namespace net = boost::asio;
namespace fs = std::filesystem;
using net::awaitable;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// Bounded restart backoff (a kubelet goes to 5 min; tests cannot wait that long).
constexpr auto kMaxBackoff = std::chrono::seconds(10);
// Grace used when kubesim itself stops.
constexpr int kShutdownGraceSeconds = 5;

struct ContainerRt {
  std::string name;
  bool init = false;
  nlohmann::json spec;
  pid_t pid = 0;
  int restarts = 0;
  nlohmann::json state = {{"waiting", {{"reason", "PodInitializing"}}}};
  nlohmann::json last_state = nlohmann::json::object();
  bool probe_ok = false;
  bool has_probe = false;
  bool done = false;  // terminated and will not restart
  int exit_code = 0;
  Identity identity;
  fs::path log_path;
};

struct Pod {
  std::string ns, name, uid;
  fs::path dir;
  bool is_virtual = false;
  nlohmann::json object;  // as created
  std::vector<ContainerRt> containers;  // init containers first
  bool initialized = false;
  bool init_failed = false;
  bool deleting = false;
  std::string start_time;
  std::string restart_policy = "Always";
  std::string pending_reason;  // ContainerCreating message while volumes are not ready
  // The scheduler's message while the pod cannot be placed (a claim that cannot bind); the
  // pod then shows only phase Pending and PodScheduled=False, as on a real cluster.
  std::string unschedulable;
  int tasks = 0;  // coroutines still running for this pod
};

namespace {

std::string key_of(const std::string& ns, const std::string& name) { return ns + "/" + name; }

bool running(const ContainerRt& c) { return c.state.contains("running"); }

// The image as the container runtime reports it (containerd's normalised reference): a name
// without a registry is Docker Hub's, a one-part name is in `library/`, no tag is `:latest`.
std::string runtime_image_name(const std::string& image) {
  if (image.empty()) return image;
  std::string name = image;
  const size_t slash = name.find('/');
  const std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  const bool has_registry = first.find('.') != std::string::npos ||
                            first.find(':') != std::string::npos || first == "localhost";
  if (!has_registry) {
    name = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + name;
  }
  const size_t last_slash = name.rfind('/');
  if (name.find('@') == std::string::npos &&
      name.find(':', last_slash == std::string::npos ? 0 : last_slash) == std::string::npos) {
    name += ":latest";
  }
  return name;
}

nlohmann::json container_status(const Pod& pod, const ContainerRt& c) {
  bool ready = running(c) && (!c.has_probe || c.probe_ok) && !c.init;
  nlohmann::json s = {{"name", c.name},
                      {"image", runtime_image_name(c.spec.value("image", ""))},
                      {"imageID", ""},
                      {"ready", c.init ? (c.state.contains("terminated") &&
                                          c.state["terminated"].value("exitCode", 1) == 0)
                                       : ready},
                      {"restartCount", c.restarts},
                      {"started", running(c)},
                      {"state", c.state},
                      {"lastState", c.last_state}};
  if (c.pid > 0 || c.state.contains("terminated")) {
    s["containerID"] = "kubesim://" + pod.uid + "/" + c.name;
  }
  return s;
}

nlohmann::json condition(const char* type, bool ok, const std::string& now) {
  return {{"type", type}, {"status", ok ? "True" : "False"}, {"lastProbeTime", nullptr},
          {"lastTransitionTime", now}};
}

}  // namespace

PodRuntime::PodRuntime(net::io_context& io, Api& api, fs::path data_dir)
    : io_(io), api_(api), data_dir_(std::move(data_dir)) {}

PodRuntime::~PodRuntime() = default;

void PodRuntime::publish(Pod& pod) {
  const Stored* cur = api_.store().get("pods", pod.ns, pod.name);
  if (cur == nullptr || (*cur->object)["metadata"].value("uid", "") != pod.uid) {
    return;
  }
  nlohmann::json old = (*cur->object)["status"];
  // Set by the API at create from the containers' resources; the kubelet keeps it.
  const std::string qos = old.is_object() ? old.value("qosClass", "BestEffort") : "BestEffort";
  const bool current = api_.release() == KubeRelease::Current;
  std::string now = now_rfc3339();
  if (!pod.unschedulable.empty()) {
    nlohmann::json scheduled = condition("PodScheduled", false, now);
    scheduled["reason"] = "Unschedulable";
    scheduled["message"] = pod.unschedulable;
    api_.set_pod_status(pod.ns, pod.name,
                        {{"phase", "Pending"}, {"conditions", {scheduled}}, {"qosClass", qos}});
    return;
  }
  nlohmann::json init_statuses = nlohmann::json::array();
  nlohmann::json statuses = nlohmann::json::array();
  bool all_ready = true;
  bool all_done = true;
  bool all_zero = true;
  bool any_main = false;
  for (const ContainerRt& c : pod.containers) {
    nlohmann::json s = container_status(pod, c);
    if (c.init) {
      init_statuses.push_back(s);
      continue;
    }
    any_main = true;
    all_ready = all_ready && s["ready"].get<bool>();
    all_done = all_done && c.done;
    all_zero = all_zero && c.exit_code == 0;
    statuses.push_back(s);
  }
  std::string phase = "Pending";
  if (pod.init_failed) {
    phase = "Failed";
  } else if (pod.initialized && any_main) {
    phase = all_done ? (all_zero ? "Succeeded" : "Failed") : "Running";
  }
  if (pod.initialized && !pod.is_virtual) {
    bool any_started = false;
    for (const ContainerRt& c : pod.containers) {
      any_started = any_started || (!c.init && (c.pid > 0 || c.state.contains("terminated")));
    }
    if (!any_started) {
      phase = "Pending";
    }
  }
  nlohmann::json status = {{"phase", phase},
                           {"hostIP", "127.0.0.1"},
                           {"podIP", "127.0.0.1"},
                           {"podIPs", {{{"ip", "127.0.0.1"}}}},
                           {"qosClass", qos},
                           {"startTime", pod.start_time},
                           {"containerStatuses", statuses}};
  if (!init_statuses.empty()) {
    status["initContainerStatuses"] = init_statuses;
  }
  bool ready = pod.initialized && all_ready && phase == "Running";
  status["conditions"] = {condition("Initialized", pod.initialized, now),
                          condition("Ready", ready, now),
                          condition("ContainersReady", ready, now),
                          condition("PodScheduled", true, now)};
  if (current) {
    // Since 1.29 (PodReadyToStartContainersCondition) and 1.28 (hostIPs): not on 1.20.
    status["conditions"].insert(status["conditions"].begin(),
                                condition("PodReadyToStartContainers", true, now));
    status["hostIPs"] = {{{"ip", "127.0.0.1"}}};
  }
  if (phase == "Succeeded") {
    // status.GeneratePodReadyCondition & co.: a completed pod says why it is not ready.
    for (auto& c : status["conditions"]) {
      const std::string type = c.value("type", "");
      if (type == "Initialized" || type == "Ready" || type == "ContainersReady") {
        c["reason"] = "PodCompleted";
      }
    }
  }
  // Keep transition times when a condition did not change, as a kubelet does.
  if (old.contains("conditions") && old["conditions"].is_array()) {
    for (auto& c : status["conditions"]) {
      for (const auto& o : old["conditions"]) {
        if (o.value("type", "") == c["type"] && o.value("status", "") == c["status"]) {
          c["lastTransitionTime"] = o.value("lastTransitionTime", now);
        }
      }
    }
  }
  if (!pod.pending_reason.empty()) {
    status["message"] = pod.pending_reason;
  }
  api_.set_pod_status(pod.ns, pod.name, std::move(status));
}

void PodRuntime::pod_created(const std::string& ns, const std::string& name) {
  const Stored* s = api_.store().get("pods", ns, name);
  if (s == nullptr) {
    return;
  }
  auto pod = std::make_shared<Pod>();
  pod->ns = ns;
  pod->name = name;
  pod->object = *s->object;
  pod->uid = pod->object["metadata"].value("uid", "");
  pod->dir = data_dir_ / "pods" / (ns + "_" + name + "_" + pod->uid);
  pod->start_time = now_rfc3339();
  const nlohmann::json& md = pod->object["metadata"];
  pod->is_virtual = md.contains("annotations") && md["annotations"].is_object() &&
                    md["annotations"].value(kVirtualAnnotation, "") == "true";
  pod->restart_policy = pod->object["spec"].value("restartPolicy", "Always");
  for (const char* list : {"initContainers", "containers"}) {
    const nlohmann::json& cs = pod->object["spec"].contains(list) ? pod->object["spec"][list]
                                                                  : nlohmann::json::array();
    for (const auto& c : cs) {
      ContainerRt rt;
      rt.name = c.value("name", "");
      rt.init = std::string(list) == "initContainers";
      rt.spec = c;
      rt.has_probe = c.contains("readinessProbe");
      rt.log_path = pod->dir / "logs" / (rt.name + ".log");
      pod->containers.push_back(std::move(rt));
    }
  }
  pods_[key_of(ns, name)] = pod;
  if (pod->is_virtual) {
    // No processes: everything is up at once (benchmarks run thousands of these).
    std::error_code ec;
    fs::create_directories(pod->dir / "scratch", ec);
    pod->initialized = true;
    for (ContainerRt& c : pod->containers) {
      c.state = c.init ? nlohmann::json{{"terminated",
                                         {{"exitCode", 0},
                                          {"reason", "Completed"},
                                          {"startedAt", pod->start_time},
                                          {"finishedAt", pod->start_time}}}}
                       : nlohmann::json{{"running", {{"startedAt", pod->start_time}}}};
      c.probe_ok = true;
    }
    publish(*pod);
    return;
  }
  net::co_spawn(io_, run_pod(pod), LogException{"pod"});
}

awaitable<void> PodRuntime::sleep_for(std::chrono::milliseconds d) {
  net::steady_timer t(io_);
  t.expires_after(d);
  co_await t.async_wait(kTuple);
}

awaitable<int> PodRuntime::wait_exit(pid_t pid) {
  int fd = open_pidfd(pid);
  if (fd < 0) {
    co_return reap(pid);
  }
  net::posix::stream_descriptor d(io_, fd);
  auto [ec] = co_await d.async_wait(net::posix::stream_descriptor::wait_read, kTuple);
  if (ec) {
    co_return -1;  // cancelled; the caller still owns the unreaped process
  }
  co_return reap(pid);
}

awaitable<void> PodRuntime::run_pod(std::shared_ptr<Pod> pod) {
  ++pod->tasks;
  ++running_tasks_;
  std::error_code ec;
  fs::create_directories(pod->dir / "logs", ec);
  for (ContainerRt& c : pod->containers) {
    c.state = {{"waiting", {{"reason", c.init ? "PodInitializing" : "ContainerCreating"}}}};
  }
  if (!pod->containers.empty() && pod->containers[0].init) {
    pod->containers[0].state = {{"waiting", {{"reason", "ContainerCreating"}}}};
  }
  publish(*pod);
  std::map<std::string, std::string> volumes;
  bool ready = false;
  while (!pod->deleting) {
    auto v = prepare_volumes(api_.store(), pod->object, pod->dir, data_dir_, claims_are_bound_);
    std::string problem;
    if (v) {
      volumes = std::move(*v);
      problem.clear();
      for (ContainerRt& c : pod->containers) {
        auto mounts = container_mounts(c.spec, volumes);
        auto id = container_identity(api_.store(), pod->object, c.spec);
        if (!mounts || !id) {
          problem = !mounts ? mounts.error().message : id.error().message;
          break;
        }
        c.identity = std::move(*id);
      }
    } else {
      problem = v.error().message;
    }
    if (problem.empty()) {
      ready = true;
      break;
    }
    // A claim that cannot bind keeps a real pod unscheduled (the scheduler's VolumeBinding
    // plugin, pkg/scheduler/framework/plugins/volumebinding); it is retried like the rest.
    pod->unschedulable =
        !v && v.error().code == core::ErrorCode::Conflict
            ? "0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims."
            : "";
    // Like a kubelet: stay in ContainerCreating and retry until the objects appear.
    pod->pending_reason = problem;
    for (ContainerRt& c : pod->containers) {
      c.state = {{"waiting", {{"reason", c.init ? "PodInitializing" : "ContainerCreating"},
                              {"message", problem}}}};
    }
    publish(*pod);
    for (int i = 0; i < 10 && !pod->deleting; ++i) {
      co_await sleep_for(std::chrono::milliseconds(100));
    }
  }
  pod->pending_reason.clear();
  pod->unschedulable.clear();
  if (ready) {
    for (size_t i = 0; i < pod->containers.size() && !pod->deleting; ++i) {
      if (!pod->containers[i].init) {
        continue;
      }
      co_await run_container(pod, i);
      if (pod->init_failed || pod->deleting) {
        break;
      }
    }
    if (!pod->init_failed && !pod->deleting) {
      pod->initialized = true;
      for (size_t i = 0; i < pod->containers.size(); ++i) {
        if (!pod->containers[i].init) {
          net::co_spawn(io_, run_container(pod, i), LogException{"container"});
          if (pod->containers[i].has_probe) {
            net::co_spawn(io_, probe_loop(pod, i), LogException{"probe"});
          }
        }
      }
    }
    publish(*pod);
  }
  --pod->tasks;
  --running_tasks_;
}

awaitable<void> PodRuntime::run_container(std::shared_ptr<Pod> pod, size_t index) {
  ++pod->tasks;
  ++running_tasks_;
  while (!pod->deleting) {
    ContainerRt& c = pod->containers[index];
    std::vector<std::string> argv;
    for (const char* f : {"command", "args"}) {
      if (c.spec.contains(f) && c.spec[f].is_array()) {
        for (const auto& a : c.spec[f]) {
          argv.push_back(expand_vars(a.is_string() ? a.get<std::string>() : a.dump(), c.identity.env));
        }
      }
    }
    fs::path cdir = pod->dir / "containers" / c.name;
    std::error_code ec;
    fs::remove_all(cdir, ec);  // a restarted container starts from a fresh writable layer
    for (const char* d : {"rootfs", "upper", "work"}) {
      fs::create_directories(cdir / d, ec);
    }
    ContainerLaunch launch;
    launch.rootfs = (cdir / "rootfs").string();
    launch.upper = (cdir / "upper").string();
    launch.work = (cdir / "work").string();
    auto volumes =
        prepare_volumes(api_.store(), pod->object, pod->dir, data_dir_, claims_are_bound_);
    if (volumes) {
      auto m = container_mounts(c.spec, *volumes);
      if (m) {
        launch.mounts = std::move(*m);
      }
    }
    launch.argv = argv;
    launch.identity = c.identity;
    launch.log_path = c.log_path.string();
    std::string started = now_rfc3339();
    auto pid = launch_container(launch);
    int code = 128;
    if (pid) {
      std::fprintf(stderr, "kubesim: pod %s/%s container %s started (pid %d)\n", pod->ns.c_str(),
                   pod->name.c_str(), c.name.c_str(), static_cast<int>(*pid));
      c.pid = *pid;
      c.state = {{"running", {{"startedAt", started}}}};
      publish(*pod);
      code = co_await wait_exit(*pid);
      c.pid = 0;
    }
    ContainerRt& c2 = pod->containers[index];
    std::fprintf(stderr, "kubesim: pod %s/%s container %s exited with %d%s\n", pod->ns.c_str(),
                 pod->name.c_str(), c2.name.c_str(), code,
                 pid ? "" : (" (start failed: " + pid.error().message + ")").c_str());
    c2.exit_code = code;
    c2.probe_ok = false;
    c2.state = {{"terminated",
                 {{"exitCode", code},
                  {"reason", code == 0 ? "Completed" : pid ? "Error" : "StartError"},
                  {"startedAt", started},
                  {"finishedAt", now_rfc3339()},
                  {"containerID", "kubesim://" + pod->uid + "/" + c2.name}}}};
    if (!pid) {
      c2.state["terminated"]["message"] = pid.error().message;
    }
    bool restart = !pod->deleting &&
                   (c2.init ? (code != 0 && pod->restart_policy != "Never")
                            : (pod->restart_policy == "Always" ||
                               (pod->restart_policy == "OnFailure" && code != 0)));
    if (!restart) {
      c2.done = true;
      if (c2.init && code != 0 && !pod->deleting) {
        pod->init_failed = true;
      }
      publish(*pod);
      break;
    }
    c2.last_state = c2.state;
    ++c2.restarts;
    auto backoff = std::min<std::chrono::milliseconds>(
        kMaxBackoff, std::chrono::milliseconds(500) * (1 << std::min(c2.restarts, 5)));
    c2.state = {{"waiting",
                 {{"reason", "CrashLoopBackOff"},
                  {"message", "back-off restarting failed container " + c2.name}}}};
    publish(*pod);
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !pod->deleting;
         waited += std::chrono::milliseconds(100)) {
      co_await sleep_for(std::chrono::milliseconds(100));
    }
    if (c2.init && code == 0) {
      break;
    }
  }
  --pod->tasks;
  --running_tasks_;
}

awaitable<void> PodRuntime::probe_loop(std::shared_ptr<Pod> pod, size_t index) {
  ++pod->tasks;
  ++running_tasks_;
  const nlohmann::json probe = pod->containers[index].spec["readinessProbe"];
  auto seconds = [&](const char* f, int dflt) { return probe.value(f, dflt); };
  int period = std::max(1, seconds("periodSeconds", 10));
  int timeout = std::max(1, seconds("timeoutSeconds", 1));
  int success_needed = std::max(1, seconds("successThreshold", 1));
  int failures_allowed = std::max(1, seconds("failureThreshold", 3));
  int successes = 0;
  int failures = 0;
  co_await sleep_for(std::chrono::seconds(seconds("initialDelaySeconds", 0)));
  while (!pod->deleting) {
    ContainerRt& c = pod->containers[index];
    if (c.done) {
      break;
    }
    bool ok = false;
    if (c.pid > 0 && running(c)) {
      if (!probe.contains("exec")) {
        ok = true;  // httpGet/tcpSocket/grpc are not modelled: treated as passing
      } else {
        std::vector<std::string> argv;
        for (const auto& a : probe["exec"].value("command", nlohmann::json::array())) {
          argv.push_back(a.is_string() ? a.get<std::string>() : a.dump());
        }
        ExecLaunch l;
        l.container = c.pid;
        l.argv = argv;
        l.identity = c.identity;
        auto pid = launch_exec(l);
        if (pid) {
          track_exec(*pid, pod);
          using namespace net::experimental::awaitable_operators;
          auto r = co_await (wait_exit(*pid) || sleep_for(std::chrono::seconds(timeout)));
          int code = -1;
          if (r.index() == 0) {
            code = std::get<0>(r);
          } else {
            kill(*pid, SIGKILL);
            co_await wait_exit(*pid);
          }
          untrack_exec(*pid);
          ok = code == 0;
        }
      }
    }
    if (ok) {
      failures = 0;
      ++successes;
    } else {
      successes = 0;
      ++failures;
    }
    ContainerRt& c2 = pod->containers[index];
    bool before = c2.probe_ok;
    if (successes >= success_needed) {
      c2.probe_ok = true;
    } else if (failures >= failures_allowed) {
      c2.probe_ok = false;
    }
    if (before != c2.probe_ok) {
      publish(*pod);
    }
    for (int waited = 0; waited < period * 10 && !pod->deleting; ++waited) {
      co_await sleep_for(std::chrono::milliseconds(100));
    }
  }
  --pod->tasks;
  --running_tasks_;
}

awaitable<void> PodRuntime::terminate(std::shared_ptr<Pod> pod, int grace_seconds) {
  pod->deleting = true;
  for (ContainerRt& c : pod->containers) {
    if (c.pid > 0) {
      kill(c.pid, SIGTERM);  // the container's init forwards it to the command
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  auto alive = [&] {
    for (const ContainerRt& c : pod->containers) {
      if (c.pid > 0) {
        return true;
      }
    }
    return false;
  };
  while (alive() && std::chrono::steady_clock::now() < deadline) {
    co_await sleep_for(std::chrono::milliseconds(20));
  }
  for (ContainerRt& c : pod->containers) {
    if (c.pid > 0) {
      kill(c.pid, SIGKILL);  // PID 1 of the namespace: the kernel kills the rest with it
    }
  }
  while (pod->tasks > 0) {
    co_await sleep_for(std::chrono::milliseconds(20));
  }
  // Every process of the pod is reaped, so its mount namespaces are gone: nothing is mounted
  // under the sandbox any more and removing it cannot reach into a volume.
  std::error_code ec;
  fs::remove_all(pod->dir, ec);
  auto it = pods_.find(key_of(pod->ns, pod->name));
  if (it != pods_.end() && it->second == pod) {
    pods_.erase(it);
  }
}

void PodRuntime::pod_deleting(const std::string& ns, const std::string& name, int grace_seconds) {
  auto it = pods_.find(key_of(ns, name));
  if (it == pods_.end()) {
    api_.finish_pod_deletion(ns, name);
    return;
  }
  std::shared_ptr<Pod> pod = it->second;
  if (pod->deleting && grace_seconds > 0) {
    return;  // already terminating
  }
  if (pod->is_virtual) {
    pod->deleting = true;
    kill_execs(pod.get());
    std::error_code ec;
    fs::remove_all(pod->dir, ec);
    pods_.erase(it);
    api_.finish_pod_deletion(ns, name);
    return;
  }
  net::co_spawn(
      io_,
      [this, pod, grace_seconds]() -> awaitable<void> {
        co_await terminate(pod, grace_seconds);
        api_.finish_pod_deletion(pod->ns, pod->name);
      },
      LogException{"pod deletion"});
}

std::variant<std::string, ApiError> PodRuntime::pod_log(const std::string& ns,
                                                        const std::string& name,
                                                        const std::string& container,
                                                        long tail_lines) {
  auto it = pods_.find(key_of(ns, name));
  if (it == pods_.end()) {
    return std::string();
  }
  const Pod& pod = *it->second;
  const ContainerRt* c = nullptr;
  for (const ContainerRt& x : pod.containers) {
    if (x.name == container) {
      c = &x;
    }
  }
  if (c == nullptr) {
    return bad_request("container " + container + " is not valid for pod " + name);
  }
  if (!running(*c) && !c->state.contains("terminated") && c->restarts == 0) {
    return bad_request("container \"" + container + "\" in pod \"" + name +
                       "\" is waiting to start: " +
                       c->state["waiting"].value("reason", "ContainerCreating"));
  }
  std::ifstream in(c->log_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (tail_lines >= 0) {
    // The last N lines: walk back over N newlines (a trailing newline ends the last line).
    size_t pos = text.size();
    long seen = 0;
    size_t scan = text.empty() || text.back() != '\n' ? text.size() : text.size() - 1;
    while (scan > 0) {
      size_t nl = text.rfind('\n', scan - 1);
      if (nl == std::string::npos) {
        pos = 0;
        ++seen;
        break;
      }
      if (++seen > tail_lines) {
        break;
      }
      pos = nl + 1;
      scan = nl;
    }
    if (scan == 0 && seen <= tail_lines) {
      pos = 0;
    }
    text = tail_lines == 0 ? std::string() : text.substr(pos);
  }
  return text;
}

std::string PodRuntime::log_file(const std::string& ns, const std::string& name,
                                 const std::string& container, bool* may_grow) const {
  *may_grow = false;
  auto it = pods_.find(key_of(ns, name));
  if (it == pods_.end()) {
    return {};
  }
  for (const ContainerRt& c : it->second->containers) {
    if (c.name == container) {
      *may_grow = !it->second->deleting && !c.done && !it->second->is_virtual;
      return c.log_path.string();
    }
  }
  return {};
}

std::optional<ExecTarget> PodRuntime::exec_target(const std::string& ns, const std::string& name,
                                                  const std::string& container,
                                                  ExecProblem* problem) {
  auto it = pods_.find(key_of(ns, name));
  if (it == pods_.end()) {
    *problem = ExecProblem::PodNotFound;
    return std::nullopt;
  }
  std::shared_ptr<Pod> pod = it->second;
  for (ContainerRt& c : pod->containers) {
    if (c.name != container) {
      continue;
    }
    if (pod->deleting || !running(c)) {
      *problem = ExecProblem::NotRunning;
      return std::nullopt;
    }
    ExecTarget t;
    t.pod = pod;
    t.identity = c.identity;
    if (pod->is_virtual) {
      t.scratch_dir = (pod->dir / "scratch").string();
      if (t.identity.env.empty()) {
        auto id = container_identity(api_.store(), pod->object, c.spec);
        if (id) {
          t.identity = *id;
          c.identity = *id;
        }
      }
      t.identity.set_user = false;
    } else if (c.pid > 0) {
      t.container = c.pid;
    } else {
      *problem = ExecProblem::NotRunning;
      return std::nullopt;
    }
    *problem = ExecProblem::None;
    return t;
  }
  *problem = ExecProblem::BadContainer;
  return std::nullopt;
}

void PodRuntime::kill_execs(const Pod* pod) {
  for (const auto& [pid, owner] : execs_) {
    if (pod == nullptr || owner == pod) {
      // The exec's process group: a shell's children too (they share its output pipes, and
      // the session ends only when those close).
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
}

awaitable<void> PodRuntime::stop_all() {
  std::vector<std::shared_ptr<Pod>> all;
  for (auto& [k, p] : pods_) {
    all.push_back(p);
  }
  kill_execs(nullptr);
  int pending = 0;
  for (auto& p : all) {
    if (p->is_virtual) {
      std::error_code ec;
      fs::remove_all(p->dir, ec);
      continue;
    }
    ++pending;
    net::co_spawn(
        io_,
        [this, p, &pending]() -> awaitable<void> {
          co_await terminate(p, std::min(kShutdownGraceSeconds,
                                         p->object["spec"].value("terminationGracePeriodSeconds", 30)));
          --pending;
        },
        LogException{"pod shutdown"});
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((pending > 0 || running_tasks_ > 0 || !execs_.empty()) &&
         std::chrono::steady_clock::now() < deadline) {
    co_await sleep_for(std::chrono::milliseconds(20));
  }
  pods_.clear();
}

}  // namespace stillpoint::kubesim
