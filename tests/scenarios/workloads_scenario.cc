#include "workloads_scenario.h"

#include <gtest/gtest.h>

namespace stillpoint::scenarios {
namespace {

using nlohmann::json;

std::string workloads_yaml(const std::string& ns, const std::string& image) {
  const std::string container =
      "      terminationGracePeriodSeconds: 1\n      containers:\n      - name: app\n"
      "        image: " + image + "\n        command: ['/bin/sh', '-c', 'exec sleep 100000']\n";
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n---\n"
         "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: " + ns + "}\n"
         "spec:\n  serviceName: db\n  replicas: 1\n  selector: {matchLabels: {app: db}}\n"
         "  template:\n    metadata:\n      labels: {app: db}\n      annotations:\n"
         "        backup.velero.io/backup-volumes: data\n"
         "        pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", "
         "\"echo frozen > /data/frozen && echo pre >> /data/hooks\"]'\n"
         "        post.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", "
         "\"rm /data/frozen && echo post >> /data/hooks\"]'\n"
         "    spec:\n" + container +
         "        volumeMounts: [{name: data, mountPath: /data}]\n"
         "  volumeClaimTemplates:\n  - metadata: {name: data}\n"
         "    spec:\n      accessModes: [ReadWriteOnce]\n"
         "      resources: {requests: {storage: 16Mi}}\n---\n"
         "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: " + ns + "}\n"
         "spec:\n  selector: {matchLabels: {app: agent}}\n"
         "  template:\n    metadata:\n      labels: {app: agent}\n      annotations:\n"
         "        pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", "
         "\"test 1 -lt 2 && echo ok > /tmp/pre\"]'\n"
         "    spec:\n" + container + "---\n"
         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: " + ns + "}\n"
         "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
         "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n" + container;
}

// The kind of the pod's (or object's) controller, "" when it has none.
std::string controller_kind(const json& object) {
  if (!object.is_object() || !object.contains("metadata")) return "";
  for (const json& ref : object["metadata"].value("ownerReferences", json::array())) {
    if (ref.value("controller", false)) return ref.value("kind", "");
  }
  return "";
}

json items(ScenarioCluster& c, const std::string& ns, const std::string& what,
           const std::string& selector) {
  const CommandResult r = c.kubectl({"get", what, "-n", ns, "-l", selector, "-o", "json"});
  if (r.exit_code != 0) return json::array();
  const json list = json::parse(r.out, nullptr, false);
  return list.is_object() ? list.value("items", json::array()) : json::array();
}

bool all_controlled_by(const json& list, const std::string& kind, size_t count) {
  if (list.size() != count) return false;
  for (const json& o : list) {
    if (controller_kind(o) != kind) return false;
  }
  return true;
}

void wait_for_pod(ScenarioCluster& c, const std::string& ns, const std::string& pod) {
  ASSERT_TRUE(c.eventually([&] { return !c.get(ns, "pod/" + pod).is_null(); }))
      << "pod " << ns << "/" << pod << " was not created";
  c.wait_ready(ns, pod);
}

}  // namespace

void workloads_come_back_under_their_controllers(ScenarioCluster& c) {
  const std::string ns = c.new_namespace();
  c.apply(workloads_yaml(ns, c.image()));
  wait_for_pod(c, ns, "db-0");
  ASSERT_TRUE(c.eventually([&] { return items(c, ns, "pods", "app=agent").size() == 1; }));
  const std::string agent = items(c, ns, "pods", "app=agent")[0]["metadata"]["name"];
  c.wait_ready(ns, agent);
  const CommandResult rollout =
      c.kubectl({"rollout", "status", "deployment/web", "-n", ns, "--timeout=180s"});
  ASSERT_EQ(rollout.exit_code, 0) << rollout.describe();
  c.exec(ns, "db-0", "echo payload-7 > /data/payload");

  const std::string backup = "wl-" + ns;
  const CommandResult b = c.stillpoint({"backup", "create", backup, "--include-namespaces", ns});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  const CommandResult bd = c.stillpoint({"backup", "describe", backup, "-o", "json"}, false);
  const json backed_up = json::parse(bd.out, nullptr, false);
  ASSERT_TRUE(backed_up.is_object()) << bd.describe();
  // db-0's pre and post, agent's pre: once each.
  EXPECT_EQ(backed_up["status"]["hookStatus"]["hooksAttempted"], 3) << bd.out;
  EXPECT_EQ(backed_up["status"]["hookStatus"].value("hooksFailed", 0), 0) << bd.out;

  c.delete_namespace(ns);
  const CommandResult r = c.stillpoint({"restore", "create", "r" + backup, "--from-backup", backup});
  ASSERT_EQ(r.exit_code, 0) << r.describe()
                            << c.stillpoint({"restore", "logs", "r" + backup}, false).out;
  const CommandResult rd = c.stillpoint({"restore", "describe", "r" + backup, "--details"}, false);
  EXPECT_NE(rd.out.find("Completed"), std::string::npos) << rd.out;
  EXPECT_NE(rd.out.find("Warnings (0):"), std::string::npos) << rd.out;
  EXPECT_NE(rd.out.find("Errors (0):"), std::string::npos) << rd.out;

  // The StatefulSet takes its restored pod back (the adoption patches the restored
  // ControllerRevision too) and counts it.
  c.wait_ready(ns, "db-0");
  EXPECT_TRUE(c.eventually([&] {
    const json sts = c.get(ns, "statefulset/db");
    return controller_kind(c.get(ns, "pod/db-0")) == "StatefulSet" && sts.is_object() &&
           sts["status"].value("replicas", 0) == 1;
  })) << c.get(ns, "pod/db-0").dump(2) << c.get(ns, "statefulset/db").dump(2)
      << c.kubectl({"get", "events", "-n", ns}).out;
  EXPECT_EQ(c.exec(ns, "db-0", "cat /data/payload"), "payload-7\n");
  // Captured between the pre and the post hook.
  EXPECT_EQ(c.exec(ns, "db-0", "cat /data/hooks"), "pre\n");
  EXPECT_EQ(c.exec(ns, "db-0", "cat /data/frozen"), "frozen\n");

  EXPECT_TRUE(c.eventually(
      [&] { return all_controlled_by(items(c, ns, "pods", "app=agent"), "DaemonSet", 1); }))
      << items(c, ns, "pods", "app=agent").dump(2);
  const CommandResult web =
      c.kubectl({"rollout", "status", "deployment/web", "-n", ns, "--timeout=180s"});
  EXPECT_EQ(web.exit_code, 0) << web.describe();
  EXPECT_TRUE(c.eventually([&] {
    return all_controlled_by(items(c, ns, "pods", "app=web"), "ReplicaSet", 2) &&
           all_controlled_by(items(c, ns, "replicasets", "app=web"), "Deployment", 1);
  })) << items(c, ns, "pods", "app=web").dump(2);

  // Under its controller again: a deleted pod is recreated with its claim, and scaling works.
  const std::string uid = c.get(ns, "pod/db-0")["metadata"].value("uid", "");
  ASSERT_EQ(c.kubectl({"delete", "pod", "db-0", "-n", ns, "--wait=true"}).exit_code, 0);
  ASSERT_TRUE(c.eventually([&] {
    const json pod = c.get(ns, "pod/db-0");
    return pod.is_object() && pod["metadata"].value("uid", "") != uid;
  })) << "db-0 was not recreated";
  c.wait_ready(ns, "db-0");
  EXPECT_EQ(c.exec(ns, "db-0", "cat /data/payload"), "payload-7\n");
  ASSERT_EQ(c.kubectl({"scale", "statefulset/db", "-n", ns, "--replicas=2"}).exit_code, 0);
  wait_for_pod(c, ns, "db-1");
  EXPECT_TRUE(c.eventually([&] {
    const json sts = c.get(ns, "statefulset/db");
    return sts.is_object() && sts["status"].value("readyReplicas", 0) == 2;
  })) << c.get(ns, "statefulset/db").dump(2);
  EXPECT_EQ(items(c, ns, "pods", "app=web").size(), 2u);
}

}  // namespace stillpoint::scenarios
