// Which pod volumes a backup copies (../shared/spec/hooks.md §6): opt-in and opt-out, the
// types never copied, and a warning for every name or volume that Velero would skip silently.
#include "hooks/volume_selection.h"

#include <gtest/gtest.h>

namespace stillpoint::hooks {
namespace {

using nlohmann::json;

json make(json annotations) {
  json p = json::parse(R"({
    "metadata": {"name": "db", "namespace": "shop"},
    "spec": {
      "containers": [
        {"name": "side", "volumeMounts": [{"name": "data", "mountPath": "/x", "subPath": "a"}]},
        {"name": "db", "volumeMounts": [
          {"name": "data", "mountPath": "/var/lib/pg"},
          {"name": "scratch", "mountPath": "/scratch"},
          {"name": "conf", "mountPath": "/etc/conf"},
          {"name": "default-token-abc", "mountPath": "/var/run/secrets"}]}
      ],
      "volumes": [
        {"name": "data", "persistentVolumeClaim": {"claimName": "pg-data"}},
        {"name": "scratch", "emptyDir": {}},
        {"name": "conf", "configMap": {"name": "c"}},
        {"name": "host", "hostPath": {"path": "/"}},
        {"name": "unmounted", "emptyDir": {}},
        {"name": "default-token-abc", "emptyDir": {}}
      ]
    }
  })");
  p["metadata"]["annotations"] = std::move(annotations);
  return p;
}

std::vector<std::string> names(const VolumeSelection& s) {
  std::vector<std::string> out;
  for (const auto& v : s.volumes) out.push_back(v.name);
  return out;
}

TEST(VolumeSelection, OptInTakesTheListedVolumesThroughAWholeMount) {
  auto s = select_pod_volumes(make({{"backup.velero.io/backup-volumes", " scratch, data,scratch"}}),
                              false);
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0];
  ASSERT_EQ(names(s), (std::vector<std::string>{"scratch", "data"}));
  EXPECT_EQ(s.volumes[0].type, "emptyDir");
  EXPECT_EQ(s.volumes[0].container, "db");
  EXPECT_EQ(s.volumes[0].mount_path, "/scratch");
  // "side" mounts data only through a subPath: the data is read through "db".
  EXPECT_EQ(s.volumes[1].container, "db");
  EXPECT_EQ(s.volumes[1].mount_path, "/var/lib/pg");
  EXPECT_EQ(s.volumes[1].claim, "pg-data");
}

TEST(VolumeSelection, OptInWithoutAnnotationTakesNothing) {
  EXPECT_TRUE(select_pod_volumes(make(json::object()), false).volumes.empty());
  EXPECT_TRUE(select_pod_volumes(make({{"backup.velero.io/backup-volumes", " , "}}), false)
                  .volumes.empty());
}

TEST(VolumeSelection, OptInWarnsAboutWhatItCannotTake) {
  auto s = select_pod_volumes(
      make({{"backup.velero.io/backup-volumes", "scratch,nope,conf,unmounted"}}), false);
  EXPECT_EQ(names(s), (std::vector<std::string>{"scratch"}));
  ASSERT_EQ(s.warnings.size(), 3u);
  EXPECT_EQ(s.warnings[0],
            "pod shop/db: volume \"nope\" named in backup.velero.io/backup-volumes does not "
            "exist in the pod; not backed up");
  EXPECT_NE(s.warnings[1].find("\"conf\" is a configMap volume"), std::string::npos);
  EXPECT_NE(s.warnings[2].find("\"unmounted\" is not mounted whole by any container"),
            std::string::npos);
}

TEST(VolumeSelection, OptOutTakesEligibleVolumesMinusExcludes) {
  auto all = select_pod_volumes(make(json::object()), true);
  // conf (configMap), host (hostPath) and default-token-* never; unmounted warns.
  EXPECT_EQ(names(all), (std::vector<std::string>{"data", "scratch"}));
  ASSERT_EQ(all.warnings.size(), 1u);
  EXPECT_NE(all.warnings[0].find("\"unmounted\""), std::string::npos);

  auto some =
      select_pod_volumes(make({{"backup.velero.io/backup-volumes-excludes", "data,unmounted"}}),
                         true);
  EXPECT_EQ(names(some), (std::vector<std::string>{"scratch"}));
  EXPECT_TRUE(some.warnings.empty());
}

TEST(VolumeSelection, OnlySubPathMountsAreNamedInTheWarning) {
  json p = make({{"backup.velero.io/backup-volumes", "data"}});
  p["spec"]["containers"].erase(1);
  auto s = select_pod_volumes(p, false);
  EXPECT_TRUE(s.volumes.empty());
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("(only through subPath)"), std::string::npos) << s.warnings[0];
}

TEST(VolumeSelection, MalformedPodsGiveAnEmptySelection) {
  for (const char* text :
       {"null", "[]", "{\"spec\": 3}", "{\"spec\": {\"volumes\": [1, null, {\"name\": 2}]}}",
        "{\"metadata\": {\"annotations\": {\"backup.velero.io/backup-volumes\": 7}}}",
        "{\"metadata\": {\"annotations\": {\"backup.velero.io/backup-volumes\": \"a\"}},"
        " \"spec\": {\"volumes\": [{\"name\": \"a\", \"emptyDir\": {}}],"
        " \"containers\": [{\"volumeMounts\": [{\"name\": \"a\"}, 5]}, 3]}}"}) {
    auto s = select_pod_volumes(json::parse(text), false);
    EXPECT_TRUE(s.volumes.empty()) << text;
  }
  EXPECT_TRUE(select_pod_volumes(json::parse("{\"spec\": {\"volumes\": [3]}}"), true)
                  .volumes.empty());
}

}  // namespace
}  // namespace stillpoint::hooks
