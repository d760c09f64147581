// The Job controller (job_controller.cc) and Job defaults (job_defaults.h): driven without
// sockets with a stand-in kubelet that ends pods as told, and through the real kubectl with
// pods that run (`kubectl wait --for=condition=complete`). The expected shapes are what a real
// 1.20 cluster returned for the same Jobs (tests/realcluster).
#include <deque>

#include <gtest/gtest.h>

#include "api.h"
#include "controllers.h"
#include "kubectl_harness.h"

namespace stillpoint::kubesim {
namespace {

using Json = nlohmann::json;

class JobsTest : public ::testing::Test {
 protected:
  JobsTest() { call("POST", "/api/v1/namespaces", {{"metadata", {{"name", "app"}}}}); }
  Response call(const std::string& method, const std::string& path, const Json& body = nullptr) {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body.is_null() ? "" : body.dump();
    r.content_type = "application/json";
    Response res = api.handle(r);
    settle();
    return res;
  }
  void settle() {
    while (!tasks.empty()) {
      auto t = std::move(tasks.front());
      tasks.pop_front();
      t();
    }
  }
  Json job(const std::string& name, const std::string& ns = "app") {
    Response r = call("GET", "/apis/batch/v1/namespaces/" + ns + "/jobs/" + name);
    return r.status == 200 ? Json::parse(r.body) : Json();
  }
  // Pods of the Job that have not ended, by name.
  std::vector<std::string> running_pods() {
    std::vector<std::string> out;
    for (const auto& [key, s] : store.bucket("pods")) {
      const std::string phase = (*s.object)["status"].value("phase", "");
      if (phase != "Succeeded" && phase != "Failed")
        out.push_back((*s.object)["metadata"]["name"]);
    }
    return out;
  }
  // The kubelet's report that a pod's container exited.
  void end_pod(const std::string& name, bool success) {
    api.set_pod_status("app", name, {{"phase", success ? "Succeeded" : "Failed"}});
    settle();
  }
  Json create_job(Json spec, const std::string& ns = "app") {
    Json j = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", {{"name", "work"}}},
              {"spec", std::move(spec)}};
    j["spec"]["template"] = {
        {"spec",
         {{"restartPolicy", "Never"},
          {"containers", {{{"name", "c"}, {"image", "debian"}, {"command", {"true"}}}}}}}};
    Response r = call("POST", "/apis/batch/v1/namespaces/" + ns + "/jobs", j);
    EXPECT_EQ(r.status, 201) << r.body;
    return Json::parse(r.body);
  }
  static bool has_condition(const Json& job, const std::string& type) {
    for (const auto& c : job["status"].value("conditions", Json::array())) {
      if (c["type"] == type && c["status"] == "True")
        return true;
    }
    return false;
  }

  Store store;
  Registry registry;
  Api api{store, registry};
  std::deque<std::function<void()>> tasks;
  std::vector<std::function<void()>> retries;  // failed syncs' requeues: never run here
  Controllers controllers{
      api, [this](std::chrono::milliseconds delay, std::function<void()> t) {
        (delay.count() == 0 ? tasks.push_back(std::move(t)) : retries.push_back(std::move(t)));
      }};
};

// 1.20's defaults: parallelism and completions 1, backoffLimit 6, a selector on the
// controller-uid label that the template (and the label-less Job) carries, no manualSelector,
// no completionMode or suspend; the current release adds those and the batch.kubernetes.io/
// labels, and selects by batch.kubernetes.io/controller-uid.
TEST_F(JobsTest, CreateDefaultsFollowTheRelease) {
  for (KubeRelease release : {KubeRelease::V1_20, KubeRelease::Current}) {
    SCOPED_TRACE(release == KubeRelease::V1_20 ? "1.20" : "current");
    api.set_release(release);
    // A namespace made under the release, so its service account is as that release's.
    const std::string ns = release == KubeRelease::V1_20 ? "old" : "new";
    ASSERT_EQ(call("POST", "/api/v1/namespaces", {{"metadata", {{"name", ns}}}}).status, 201);
    Json j = create_job(Json::object(), ns);
    EXPECT_TRUE(retries.empty()) << "a sync failed";
    const std::string uid = j["metadata"]["uid"];
    const Json& spec = j["spec"];
    EXPECT_EQ(spec["parallelism"], 1);
    EXPECT_EQ(spec["completions"], 1);
    EXPECT_EQ(spec["backoffLimit"], 6);
    EXPECT_FALSE(spec.contains("manualSelector"));
    const Json& labels = spec["template"]["metadata"]["labels"];
    EXPECT_EQ(labels["controller-uid"], uid);
    EXPECT_EQ(labels["job-name"], "work");
    EXPECT_EQ(j["metadata"]["labels"], labels);
    if (release == KubeRelease::V1_20) {
      EXPECT_EQ(spec["selector"], Json({{"matchLabels", {{"controller-uid", uid}}}}));
      EXPECT_FALSE(spec.contains("completionMode"));
      EXPECT_FALSE(spec.contains("suspend"));
      EXPECT_EQ(labels.size(), 2u);
    } else {
      EXPECT_EQ(spec["selector"],
                Json({{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}}));
      EXPECT_EQ(spec["completionMode"], "NonIndexed");
      EXPECT_EQ(spec["suspend"], false);
      EXPECT_EQ(labels["batch.kubernetes.io/job-name"], "work");
    }
  }
  // Only parallelism given: completions stays unset (a work-queue Job).
  Json j = create_job({{"parallelism", 3}});
  EXPECT_FALSE(j["spec"].contains("completions"));
  EXPECT_EQ(j["spec"]["parallelism"], 3);
}

// parallelism 2, completions 3: two pods at a time, never more than the completions still
// needed; Complete (with completionTime) once three succeeded, and no further pod.
TEST_F(JobsTest, RunsToCompletionWithParallelism) {
  Json j = create_job({{"parallelism", 2}, {"completions", 3}});
  std::vector<std::string> pods = running_pods();
  ASSERT_EQ(pods.size(), 2u);
  Json pod = Json::parse(call("GET", "/api/v1/namespaces/app/pods/" + pods[0]).body);
  EXPECT_TRUE(pods[0].starts_with("work-")) << pods[0];
  EXPECT_EQ(pods[0].size(), std::string("work-").size() + 5);
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(pod["metadata"]["labels"]["controller-uid"], j["metadata"]["uid"]);
  const Json& ref = pod["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["kind"], "Job");
  EXPECT_EQ(ref["apiVersion"], "batch/v1");
  EXPECT_EQ(ref["controller"], true);
  Json status = job("work")["status"];
  EXPECT_EQ(status["active"], 2);
  EXPECT_TRUE(status.contains("startTime"));

  end_pod(pods[0], true);
  end_pod(pods[1], true);
  pods = running_pods();
  ASSERT_EQ(pods.size(), 1u);  // one completion left: one pod, not two
  EXPECT_EQ(job("work")["status"]["succeeded"], 2);
  EXPECT_FALSE(has_condition(job("work"), "Complete"));
  end_pod(pods[0], true);
  Json done = job("work");
  EXPECT_TRUE(has_condition(done, "Complete"));
  EXPECT_EQ(done["status"]["succeeded"], 3);
  EXPECT_FALSE(done["status"].contains("active"));
  EXPECT_TRUE(done["status"].contains("completionTime"));
  EXPECT_TRUE(running_pods().empty());
}

// Failed pods are replaced until more than backoffLimit have failed; then the Job gets
// condition Failed, reason BackoffLimitExceeded, and no pod is created any more.
TEST_F(JobsTest, BackoffLimitFailsTheJob) {
  create_job({{"backoffLimit", 1}});
  std::vector<std::string> pods = running_pods();
  ASSERT_EQ(pods.size(), 1u);
  end_pod(pods[0], false);
  pods = running_pods();
  ASSERT_EQ(pods.size(), 1u);  // one retry allowed
  EXPECT_EQ(job("work")["status"]["failed"], 1);
  EXPECT_FALSE(has_condition(job("work"), "Failed"));
  end_pod(pods[0], false);
  Json j = job("work");
  EXPECT_TRUE(running_pods().empty());
  EXPECT_EQ(j["status"]["failed"], 2);
  ASSERT_TRUE(has_condition(j, "Failed"));
  const Json& c = j["status"]["conditions"][0];
  EXPECT_EQ(c["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(c["message"], "Job has reached the specified backoff limit");
  EXPECT_FALSE(j["status"].contains("completionTime"));
}

// Through the real kubectl with pods that run: `kubectl wait --for=condition=complete` returns
// for a Job whose command exits 0, `--for=condition=failed` for one that always exits 3.
TEST(JobsKubectl, WaitForCompleteAndFailed) {
  testing::KubesimFixture k;
  const char* manifest = R"(apiVersion: batch/v1
kind: Job
metadata: {name: ok}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: debian, command: [sh, -c, "echo done"]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: bad}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: debian, command: [sh, -c, "exit 3"]}]
)";
  testing::CommandResult a = k.kubectl({"apply", "-f", "-"}, manifest);
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  testing::CommandResult w =
      k.kubectl({"wait", "--for=condition=complete", "job/ok", "--timeout=60s"});
  EXPECT_EQ(w.exit_code, 0) << w.describe();
  testing::CommandResult f =
      k.kubectl({"wait", "--for=condition=failed", "job/bad", "--timeout=60s"});
  EXPECT_EQ(f.exit_code, 0) << f.describe();
  testing::CommandResult got = k.kubectl({"get", "job", "ok", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << got.describe();
  Json ok = Json::parse(got.out);
  EXPECT_EQ(ok["status"]["succeeded"], 2);
  testing::CommandResult logs = k.kubectl({"logs", "job/ok"});
  EXPECT_EQ(logs.out, "done\n") << logs.describe();
}

}  // namespace
}  // namespace stillpoint::kubesim
