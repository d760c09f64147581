// same_as_backup: when a restore finds an object already there, is it what the backup holds?
#include "restore/existing_object.h"

#include <gtest/gtest.h>

namespace stillpoint::restore {
namespace {

using nlohmann::json;

const json kWanted = {
    {"apiVersion", "v1"},
    {"kind", "ConfigMap"},
    {"metadata",
     {{"name", "settings"},
      {"namespace", "shop"},
      {"labels", {{"app", "shop"}, {"velero.io/restore-name", "r2"}}},
      {"annotations", {{"note", "x"}}}}},
    {"data", {{"currency", "EUR"}}},
};

json live_copy() {
  json live = kWanted;
  live["metadata"]["uid"] = "new-uid";
  live["metadata"]["resourceVersion"] = "42";
  live["metadata"]["labels"]["velero.io/restore-name"] = "r1";  // set by an earlier restore
  live["metadata"]["labels"]["extra"] = "added-later";          // extra labels do not matter
  live["status"] = {{"anything", true}};
  return live;
}

TEST(SameAsBackup, ServerFieldsAndVeleroLabelsDoNotCount) {
  EXPECT_TRUE(same_as_backup(live_copy(), kWanted));
}

TEST(SameAsBackup, ChangedDataOrLabelOrAnnotationDiffers) {
  json data = live_copy();
  data["data"]["currency"] = "USD";
  EXPECT_FALSE(same_as_backup(data, kWanted));
  json missing = live_copy();
  missing.erase("data");
  EXPECT_FALSE(same_as_backup(missing, kWanted));
  json label = live_copy();
  label["metadata"]["labels"]["app"] = "other";
  EXPECT_FALSE(same_as_backup(label, kWanted));
  json annotation = live_copy();
  annotation["metadata"]["annotations"].erase("note");
  EXPECT_FALSE(same_as_backup(annotation, kWanted));
}

TEST(SameAsBackup, NonObjectsNeverMatch) {
  EXPECT_FALSE(same_as_backup(json::array(), kWanted));
  EXPECT_FALSE(same_as_backup(live_copy(), json("x")));
  json odd = live_copy();
  odd["metadata"] = 5;  // labels unreadable: the wanted labels are missing
  EXPECT_FALSE(same_as_backup(odd, kWanted));
}

}  // namespace
}  // namespace stillpoint::restore
