#include "archive/tarball_writer.h"

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"
#include "tar_fixtures.h"

namespace stillpoint::archive {
namespace {

using testing::Item;
using testing::list_tar;
using testing::sink_to;
using testing::TarEntry;

ItemKey pod(std::string ns, std::string name) {
  return {"pods", "", "v1", ns, name};
}

// Paths follow Velero's layout: <resource>.<group>, namespaces/<ns> or cluster/.
TEST(ItemPaths, FollowVeleroLayout) {
  struct Case {
    ItemKey key;
    const char* legacy;
    const char* preferred;
  } cases[] = {
      {pod("prod", "db-0"), "resources/pods/namespaces/prod/db-0.json",
       "resources/pods/v1-preferredversion/namespaces/prod/db-0.json"},
      {{"deployments", "apps", "v1", "prod", "web"},
       "resources/deployments.apps/namespaces/prod/web.json",
       "resources/deployments.apps/v1-preferredversion/namespaces/prod/web.json"},
      {{"persistentvolumes", "", "v1", "", "pv-1"},
       "resources/persistentvolumes/cluster/pv-1.json",
       "resources/persistentvolumes/v1-preferredversion/cluster/pv-1.json"},
      {{"customresourcedefinitions", "apiextensions.k8s.io", "v1", "", "backups.velero.io"},
       "resources/customresourcedefinitions.apiextensions.k8s.io/cluster/backups.velero.io.json",
       "resources/customresourcedefinitions.apiextensions.k8s.io/v1-preferredversion/cluster/"
       "backups.velero.io.json"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.legacy);
    EXPECT_EQ(item_path(c.key), c.legacy);
    EXPECT_EQ(preferred_version_path(c.key), c.preferred);
  }
}

// The archive, read by libarchive itself: gzip'd; metadata/version "1.1.0\n" first; each item
// twice with the same bytes; regular files only, mode 0755, stamped with the backup's time.
TEST(TarballWriter, WritesVeleroLayoutExactly) {
  const std::time_t before = std::time(nullptr);
  std::string out;
  auto writer = TarballWriter::open(sink_to(&out));
  ASSERT_TRUE(writer) << writer.error().message;
  const std::string pod_json = R"({"apiVersion":"v1","kind":"Pod"})";
  const std::string pv_json = R"({"apiVersion":"v1","kind":"PersistentVolume"})";
  ASSERT_TRUE((*writer)->add_item(pod("prod", "db-0"), pod_json));
  ASSERT_TRUE((*writer)->add_item({"persistentvolumes", "", "v1", "", "pv-1"}, pv_json));
  ASSERT_TRUE((*writer)->finish());
  EXPECT_EQ((*writer)->items_written(), 2u);
  const std::time_t after = std::time(nullptr);

  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x8b);

  const std::vector<TarEntry> entries = list_tar(out);
  std::vector<std::string> paths;
  for (const TarEntry& e : entries) {
    paths.push_back(e.path);
    SCOPED_TRACE(e.path);
    EXPECT_EQ(e.type, AE_IFREG);
    EXPECT_EQ(e.perm, 0755);
    EXPECT_GE(e.mtime, before);
    EXPECT_LE(e.mtime, after);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "metadata/version",
                       "resources/pods/namespaces/prod/db-0.json",
                       "resources/pods/v1-preferredversion/namespaces/prod/db-0.json",
                       "resources/persistentvolumes/cluster/pv-1.json",
                       "resources/persistentvolumes/v1-preferredversion/cluster/pv-1.json",
                   }));
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].content, "1.1.0\n");
  EXPECT_EQ(entries[1].content, pod_json);
  EXPECT_EQ(entries[2].content, pod_json);
  EXPECT_EQ(entries[3].content, pv_json);
  EXPECT_EQ(entries[4].content, pv_json);
}

// GNU tar, the tool users reach for, lists the same paths.
TEST(TarballWriter, GnuTarListsTheArchive) {
  const std::string out = testing::write_backup({{pod("prod", "db-0"), "{}"}});
  ::stillpoint::testing::TempDir dir;
  const std::string file = dir.write("b1.tar.gz", out);
  FILE* p = ::popen(("tar tzf " + file + " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string listing;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
    listing.append(buf, n);
  }
  EXPECT_EQ(::pclose(p), 0) << listing;
  EXPECT_EQ(listing,
            "metadata/version\n"
            "resources/pods/namespaces/prod/db-0.json\n"
            "resources/pods/v1-preferredversion/namespaces/prod/db-0.json\n");
}

// Paths over ustar's 100 bytes (long CRD names) survive intact.
TEST(TarballWriter, LongPathsSurvive) {
  const std::string name(180, 'n');
  const std::string out = testing::write_backup(
      {{{"customresourcedefinitions", "apiextensions.k8s.io", "v1", "", name}, "{}"}});
  const auto entries = list_tar(out);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].path,
            "resources/customresourcedefinitions.apiextensions.k8s.io/cluster/" + name + ".json");
}

// A name, namespace, resource or version that cannot be one path segment is refused.
TEST(TarballWriter, RejectsKeysThatAreNotPathSegments) {
  std::string out;
  auto writer = TarballWriter::open(sink_to(&out));
  ASSERT_TRUE(writer);
  const ItemKey bad[] = {
      pod("prod", ""),
      pod("prod", "."),
      pod("prod", ".."),
      pod("prod", "a/b"),
      pod("../etc", "x"),
      {"", "", "v1", "ns", "x"},
      {"pods", "", "", "ns", "x"},
      {"pods", "a/b", "v1", "ns", "x"},
  };
  for (const ItemKey& key : bad) {
    SCOPED_TRACE(key.namespace_name + "/" + key.name);
    auto st = (*writer)->add_item(key, "{}");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::InvalidArgument);
  }
  EXPECT_FALSE((*writer)->add_file("../outside", "x"));
  for (const char* path : {"/abs", "", "./x", "a//b", "dir/"}) {
    SCOPED_TRACE(path);
    auto st = (*writer)->add_file(path, "x");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::InvalidArgument);
  }
  ASSERT_TRUE((*writer)->finish());
  EXPECT_EQ((*writer)->items_written(), 0u);
  EXPECT_EQ(list_tar(out).size(), 1u);  // metadata/version only
}

TEST(TarballWriter, AddFileWritesOneEntry) {
  std::string out;
  auto writer = TarballWriter::open(sink_to(&out));
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->add_file("volumes/manifest.json", "[]"));
  ASSERT_TRUE((*writer)->finish());
  const auto entries = list_tar(out);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].path, "volumes/manifest.json");
  EXPECT_EQ(entries[1].content, "[]");
}

// Bytes reach the sink while items are added, not only at finish(): memory stays bounded.
TEST(TarballWriter, StreamsToTheSinkBeforeFinish) {
  std::string out;
  auto writer = TarballWriter::open(sink_to(&out));
  ASSERT_TRUE(writer);
  uint32_t x = 12345;
  std::string noise(1 << 20, '\0');  // incompressible, so gzip cannot hold it all back
  for (char& c : noise) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  ASSERT_TRUE((*writer)->add_item(pod("ns", "big"), noise));
  EXPECT_GT(out.size(), 1u << 20);
  ASSERT_TRUE((*writer)->finish());
}

// A failing sink (full disk, lost connection) fails the write with the sink's own error.
TEST(TarballWriter, SinkErrorIsReturned) {
  size_t calls = 0;
  auto writer = TarballWriter::open([&calls](std::string_view) -> core::Status {
    if (++calls > 1) {
      return core::unexpected(core::ErrorCode::Io, "cannot write /x/b1.tar.gz: No space left");
    }
    return core::ok();
  });
  ASSERT_TRUE(writer);
  core::Status st = core::ok();
  std::string item(64 * 1024, 'x');
  for (int i = 0; i < 200 && st; ++i) {
    item[i] = 'y';
    st = (*writer)->add_item(pod("ns", "p" + std::to_string(i)), item);
  }
  if (st) {
    st = (*writer)->finish();
  }
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "cannot write /x/b1.tar.gz: No space left");
  EXPECT_FALSE((*writer)->add_item(pod("ns", "after"), "{}"));
}

TEST(TarballWriter, NothingIsAcceptedAfterFinish) {
  std::string out;
  auto writer = TarballWriter::open(sink_to(&out));
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->finish());
  EXPECT_FALSE((*writer)->add_item(pod("ns", "late"), "{}"));
  EXPECT_FALSE((*writer)->finish());
}

// A writer abandoned without finish() never calls its sink again (its target may be gone).
TEST(TarballWriter, AbandonedWriterDoesNotCallTheSink) {
  bool destroying = false;
  size_t calls_while_destroying = 0;
  auto writer = TarballWriter::open([&](std::string_view) -> core::Status {
    calls_while_destroying += destroying ? 1 : 0;
    return core::ok();
  });
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->add_item(pod("ns", "p"), "{}"));
  destroying = true;
  writer->reset();
  EXPECT_EQ(calls_while_destroying, 0u);
}

}  // namespace
}  // namespace stillpoint::archive
