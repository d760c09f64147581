// The pure half of restoring pod volume data: the restore-wait init container, where it goes
// in the pod, and which recorded volumes a pod gets.
#include "restore/pod_volume_restore.h"

#include <gtest/gtest.h>

namespace stillpoint::restore {
namespace {

using nlohmann::json;

catalog::VolumeRecord record(std::string volume, std::string result = "Completed") {
  catalog::VolumeRecord r;
  r.namespace_name = "shop";
  r.pod = "db";
  r.volume = std::move(volume);
  r.result = std::move(result);
  r.key = "k";
  r.sha256 = std::string(64, 'a');
  r.error = r.result == "Completed" ? "" : "tar exited with code 2";
  return r;
}

TEST(PodVolumeRestore, RestoreWaitMountsEachVolumeAndWaitsForTheMarker) {
  const json c = restore_wait_container("busybox:1.36", {record("scratch"), record("data")});
  EXPECT_EQ(c["name"], "restore-wait");
  EXPECT_EQ(c["image"], "busybox:1.36");
  EXPECT_EQ(c["volumeMounts"],
            json::parse(R"([{"name":"scratch","mountPath":"/restores/scratch"},
                            {"name":"data","mountPath":"/restores/data"}])"));
  ASSERT_EQ(c["command"].size(), 4u);
  EXPECT_EQ(c["command"][0], "/bin/sh");
  // The marker is an argument, never spliced into the script.
  EXPECT_EQ(c["command"][3], "/restores/scratch/.stillpoint-restore-done");
  EXPECT_EQ(c["command"][2].get<std::string>().find("scratch"), std::string::npos);
}

// Root, so that tar restores owners exactly, unless the pod forbids root.
TEST(PodVolumeRestore, RestoreWaitRunsAsRootUnlessThePodForbidsIt) {
  const json root = restore_wait_container("busybox:1.36", {record("scratch")});
  EXPECT_EQ(root["securityContext"], json::parse(R"({"runAsUser": 0, "runAsGroup": 0})"));
  const json user = restore_wait_container("busybox:1.36", {record("scratch")}, false);
  EXPECT_FALSE(user.contains("securityContext"));
  EXPECT_TRUE(pod_allows_root_helper(json::parse(R"({"spec": {"securityContext": {"runAsUser": 7}}})")));
  EXPECT_FALSE(pod_allows_root_helper(
      json::parse(R"({"spec": {"securityContext": {"runAsNonRoot": true}}})")));
}

TEST(PodVolumeRestore, InjectedFirstReplacingOldHelpers) {
  json pod = json::parse(R"({"spec": {"initContainers": [
      {"name": "restore-wait", "image": "old"},
      {"name": "restic-wait", "image": "older"},
      {"name": "restore-hook", "image": "h"},
      {"name": "migrate", "image": "m"}]}})");
  inject_restore_wait(pod, {{"name", "restore-wait"}, {"image", "new"}});
  std::vector<std::string> names;
  for (const auto& c : pod["spec"]["initContainers"]) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"restore-wait", "restore-hook", "migrate"}));
  EXPECT_EQ(pod["spec"]["initContainers"][0]["image"], "new");

  json bare = json::parse(R"({"spec": {"containers": []}})");
  inject_restore_wait(bare, {{"name", "restore-wait"}});
  EXPECT_EQ(bare["spec"]["initContainers"].size(), 1u);
}

// A pod backed up after an earlier restore still has its restore-wait; with no data this time it
// must go, or the pod would wait forever.
TEST(PodVolumeRestore, StaleHelpersAreRemovedWhenThereIsNoData) {
  json pod = json::parse(R"({"spec": {"initContainers": [
      {"name": "restore-wait"}, {"name": "restic-wait"}, {"name": "migrate"}, 7]}})");
  remove_restore_wait(pod);
  EXPECT_EQ(pod["spec"]["initContainers"], json::parse(R"([{"name": "migrate"}, 7])"));
  // Nothing to remove: the list is left exactly as it was.
  json untouched = json::parse(R"({"spec": {"initContainers": [{"name": "a", "image": "x"}]}})");
  const json before = untouched;
  remove_restore_wait(untouched);
  EXPECT_EQ(untouched, before);
  json none = json::parse(R"({"spec": {}})");
  remove_restore_wait(none);
  EXPECT_EQ(none, json::parse(R"({"spec": {}})"));
}

TEST(PodVolumeRestore, OnlyCompletedVolumesThePodStillHas) {
  const json pod = json::parse(R"({"spec": {"volumes": [
      {"name": "scratch", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]}})");
  std::vector<std::string> why;
  auto got = volumes_to_restore(
      pod, {record("scratch"), record("data", "Failed"), record("gone")}, why);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].volume, "scratch");
  ASSERT_EQ(why.size(), 2u);
  EXPECT_EQ(why[0],
            "volume \"data\" has no data in the backup (its copy failed: tar exited with code 2)");
  EXPECT_EQ(why[1], "volume \"gone\" is not in the pod's spec");
}

}  // namespace
}  // namespace stillpoint::restore
