#include "archive/tarball_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tar_fixtures.h"

namespace stillpoint::archive {
namespace {

using testing::make_tar;
using testing::read_items;
using testing::source_of;
using testing::TarEntry;

std::vector<std::string> names(const std::vector<ArchiveItem>& items) {
  std::vector<std::string> out;
  for (const ArchiveItem& i : items) {
    out.push_back(i.group_resource + "|" + i.namespace_name + "|" + i.name);
  }
  return out;
}

// Like Velero's parser, only resources/<rg>/cluster/*.json and
// resources/<rg>/namespaces/<ns>/*.json are items; version directories, metadata, unknown
// files and directory entries are skipped; "./"-prefixed paths (tar -C dir .) still count.
std::vector<TarEntry> velero_like_entries() {
  return {
      {.path = "./", .type = AE_IFDIR},
      {.path = "metadata/version", .content = "1.1.0\n"},
      {.path = "resources/", .type = AE_IFDIR},
      {.path = "resources/pods/namespaces/prod/db-0.json", .content = R"({"kind":"Pod"})"},
      {.path = "resources/pods/v1-preferredversion/namespaces/prod/db-0.json",
       .content = R"({"kind":"Pod"})"},
      {.path = "resources/pods/v1/namespaces/prod/db-0.json", .content = "{}"},
      {.path = "resources/pods/namespaces/prod/notes.txt", .content = "not an item"},
      {.path = "resources/pods/namespaces/prod/.json", .content = "no name"},
      {.path = "resources/pods/namespaces/prod/deeper/x.json", .content = "{}"},
      {.path = "resources/pods/cluster.json", .content = "{}"},
      {.path = "./resources/persistentvolumes/cluster/pv-1.json", .content = R"({"kind":"PV"})"},
      {.path = "resources/persistentvolumes/v1-preferredversion/cluster/pv-1.json",
       .content = "{}"},
      {.path = "metadata/other", .content = "x"},
      {.path = "velero-extra/y.json", .content = "{}"},
  };
}

TEST(TarballReader, YieldsOnlyUnversionedItemPaths) {
  for (bool gzip : {true, false}) {
    SCOPED_TRACE(gzip ? "gzip" : "plain tar");
    std::string version;
    auto items = read_items(source_of(make_tar(velero_like_entries(), gzip)), &version);
    ASSERT_TRUE(items) << items.error().message;
    EXPECT_EQ(names(*items),
              (std::vector<std::string>{"pods|prod|db-0", "persistentvolumes||pv-1"}));
    EXPECT_EQ((*items)[0].json, R"({"kind":"Pod"})");
    EXPECT_EQ((*items)[1].json, R"({"kind":"PV"})");
    EXPECT_EQ(version, "1.1.0");
  }
}

// Hostile entries are refused, with the entry's name in the error, whatever their place.
TEST(TarballReader, RejectsEntriesThatEscapeOrAreNotFiles) {
  struct Case {
    const char* name;
    TarEntry entry;
    const char* in_message;
  } cases[] = {
      {"dotdot", {.path = "../x", .content = "x"}, "\"../x\""},
      {"nested dotdot",
       {.path = "resources/../../etc/x.json", .content = "x"},
       "\"resources/../../etc/x.json\""},
      {"absolute", {.path = "/etc/passwd", .content = "x"}, "\"/etc/passwd\""},
      {"symlink",
       {.path = "resources/pods/cluster/x.json", .type = AE_IFLNK, .link = "/etc/shadow"},
       "symbolic link"},
      {"hardlink",
       {.path = "resources/pods/cluster/y.json", .link = "metadata/version", .hardlink = true},
       "hard link"},
      {"fifo", {.path = "resources/fifo", .type = AE_IFIFO}, "\"resources/fifo\""},
      {"char device", {.path = "dev/null", .type = AE_IFCHR}, "\"dev/null\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string tar = make_tar({{.path = "metadata/version", .content = "1.1.0\n"},
                                      c.entry,
                                      {.path = "resources/pods/cluster/after.json"}});
    auto items = read_items(source_of(tar));
    ASSERT_FALSE(items);
    EXPECT_EQ(items.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(items.error().message.find(c.in_message), std::string::npos) << items.error().message;
  }
}

// An entry declaring more than kMaxEntrySize is refused from its header, before any read.
TEST(TarballReader, RejectsOversizedEntries) {
  std::string tar =
      testing::ustar_header("resources/pods/cluster/huge.json", TarballReader::kMaxEntrySize + 1);
  tar += std::string(1024, '\0');
  auto items = read_items(source_of(tar));
  ASSERT_FALSE(items);
  EXPECT_NE(items.error().message.find("huge.json"), std::string::npos) << items.error().message;
  EXPECT_NE(items.error().message.find("limit"), std::string::npos);
}

// A cut-off download is an error, never a short but "complete" backup, and never a crash.
TEST(TarballReader, TruncatedGzipIsAnError) {
  std::vector<testing::Item> items;
  uint32_t x = 7;
  for (int i = 0; i < 200; ++i) {
    std::string json(2000, ' ');
    for (char& c : json) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>('a' + (x >> 24) % 26);
    }
    items.push_back({{"pods", "", "v1", "ns", "p" + std::to_string(i)}, json});
  }
  const std::string full = testing::write_backup(items);
  ASSERT_TRUE(read_items(source_of(full)));
  for (size_t cut : {size_t{10}, size_t{100}, full.size() / 3, full.size() / 2,
                     full.size() * 9 / 10, full.size() - 200}) {
    SCOPED_TRACE(cut);
    auto got = read_items(source_of(full.substr(0, cut)));
    EXPECT_FALSE(got) << "read " << got->size() << " items from a truncated archive";
  }
}

// Garbage, an empty input and a source that fails are errors; the source's error is kept.
TEST(TarballReader, BadInputsAreErrors) {
  EXPECT_FALSE(read_items(source_of("")));
  EXPECT_FALSE(read_items(source_of(std::string(5000, 'z'))));
  std::string corrupt = testing::write_backup({{{"pods", "", "v1", "ns", "p"}, "{}"}});
  corrupt[corrupt.size() / 2] ^= 0x55;
  EXPECT_FALSE(read_items(source_of(corrupt)));

  const std::string good = testing::write_backup({{{"pods", "", "v1", "ns", "p"}, "{}"}});
  size_t calls = 0;
  auto failing = [&](char* buffer, size_t size) -> core::Result<size_t> {
    if (++calls > 1) {
      return core::unexpected(core::ErrorCode::Unavailable, "S3 connection reset");
    }
    const size_t n = std::min<size_t>(20, size);
    std::memcpy(buffer, good.data(), n);
    return n;
  };
  auto got = read_items(failing);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ErrorCode::Unavailable);
  EXPECT_EQ(got.error().message, "S3 connection reset");
}

// After an error the reader keeps returning it rather than resynchronising on garbage.
TEST(TarballReader, ErrorIsSticky) {
  auto reader = TarballReader::open(source_of(make_tar({{.path = "../x", .content = "x"}})));
  ASSERT_TRUE(reader);
  auto first = (*reader)->next_item();
  ASSERT_FALSE(first);
  auto second = (*reader)->next_item();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, first.error().message);
}

}  // namespace
}  // namespace stillpoint::archive
