// The volume manifest: what a backup records of each pod volume's data, read back exactly, and
// rejected with a message naming the entry and field when damaged (it is untrusted on restore).
#include "catalog/volume_manifest.h"

#include <gtest/gtest.h>

#include "catalog/gzip_object_writer.h"
#include "fakes/temp_dir.h"
#include "storage/location.h"

namespace stillpoint::catalog {
namespace {

using nlohmann::json;

VolumeRecord completed() {
  VolumeRecord r;
  r.namespace_name = "shop";
  r.pod = "db";
  r.volume = "scratch";
  r.type = "emptyDir";
  r.container = "db";
  r.mount_path = "/scratch";
  r.key = volume_data_key("b1", "shop", "db", "scratch");
  r.result = "Completed";
  r.size = 10240;
  r.stored_size = 300;
  r.sha256 = std::string(64, 'a');
  return r;
}

TEST(VolumeManifest, KeysFollowTheBackupLayout) {
  EXPECT_EQ(volume_manifest_key("b1"), "backups/b1/b1-podvolumes.json.gz");
  EXPECT_EQ(volume_data_key("b1", "shop", "db", "scratch"),
            "backups/b1/volumes/shop/db/scratch.tar.zst");
}

TEST(VolumeManifest, WrittenAndReadBack) {
  testing::TempDir dir;
  auto store = storage::open_store(dir.path().string());
  ASSERT_TRUE(store);
  VolumeRecord failed = completed();
  failed.volume = "data";
  failed.result = "Failed";
  failed.error = "container \"db\" has no tar executable";
  failed.key.clear();
  failed.sha256.clear();
  failed.size = failed.stored_size = 0;
  ASSERT_TRUE(write_volume_manifest(**store, "b1", {completed(), failed}));
  auto back = read_volume_manifest(**store, "b1");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].key, completed().key);
  EXPECT_EQ((*back)[0].size, 10240u);
  EXPECT_EQ((*back)[0].stored_size, 300u);
  EXPECT_EQ((*back)[0].sha256, completed().sha256);
  EXPECT_EQ((*back)[0].pod_key(), "shop/db");
  EXPECT_TRUE((*back)[0].completed());
  EXPECT_FALSE((*back)[1].completed());
  EXPECT_EQ((*back)[1].error, failed.error);
}

TEST(VolumeManifest, NoManifestMeansNoVolumeData) {
  testing::TempDir dir;
  auto store = storage::open_store(dir.path().string());
  ASSERT_TRUE(store);
  auto none = read_volume_manifest(**store, "old");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST(VolumeManifest, DamagedManifestsAreNamedErrors) {
  testing::TempDir dir;
  auto store = storage::open_store(dir.path().string());
  ASSERT_TRUE(store);
  ASSERT_TRUE(write_gzip(**store, volume_manifest_key("b"), "{\"not\": \"a list\"}"));
  auto r = read_volume_manifest(**store, "b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "volume manifest of backup \"b\" is not a JSON array");

  json entry = to_json(completed());
  entry["size"] = -3;
  ASSERT_TRUE(write_gzip(**store, volume_manifest_key("b"), json::array({entry}).dump()));
  r = read_volume_manifest(**store, "b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "backup \"b\": volume manifest entry 0: field \"size\" is not a byte count");

  entry = to_json(completed());
  entry.erase("sha256");
  ASSERT_TRUE(write_gzip(**store, volume_manifest_key("b"), json::array({entry}).dump()));
  r = read_volume_manifest(**store, "b");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("a Completed volume needs \"key\" and a SHA-256"),
            std::string::npos);

  entry = to_json(completed());
  entry["pod"] = 5;
  EXPECT_EQ(volume_record_from_json(entry, 3).error().message,
            "volume manifest entry 3: field \"pod\" is not a string");
  EXPECT_FALSE(volume_record_from_json(json::array(), 0));
}

}  // namespace
}  // namespace stillpoint::catalog
