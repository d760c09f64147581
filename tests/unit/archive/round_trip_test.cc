// What the writer writes, the reader reads back: same items, same order, same bytes.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "archive/tarball_reader.h"
#include "archive/tarball_writer.h"
#include "tar_fixtures.h"

namespace stillpoint::archive {
namespace {

using testing::Item;
using testing::read_items;
using testing::source_of;
using testing::write_backup;

void expect_same(const std::vector<Item>& written, const std::vector<ArchiveItem>& read) {
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) {
    SCOPED_TRACE(written[i].key.name);
    EXPECT_EQ(read[i].group_resource, written[i].key.group_resource());
    EXPECT_EQ(read[i].namespace_name, written[i].key.namespace_name);
    EXPECT_EQ(read[i].name, written[i].key.name);
    EXPECT_EQ(read[i].json, written[i].json);
  }
}

// Many items, namespaced and cluster-scoped, core and grouped, through sources that hand out
// one byte, a few bytes, or large chunks at a time.
TEST(RoundTrip, ManyItemsAnyChunking) {
  std::vector<Item> items;
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 4) {
      case 0:
        items.push_back({{"pods", "", "v1", "ns-" + std::to_string(i % 7), "pod-" + n},
                         R"({"kind":"Pod","metadata":{"name":"pod-)" + n + R"("}})"});
        break;
      case 1:
        items.push_back({{"deployments", "apps", "v1", "prod", "web-" + n}, "{}"});
        break;
      case 2:
        items.push_back({{"persistentvolumes", "", "v1", "", "pv-" + n}, "{\"n\":" + n + "}"});
        break;
      default:
        items.push_back({{"clusterroles", "rbac.authorization.k8s.io", "v1", "", "role:" + n}, ""});
    }
  }
  const std::string tarball = write_backup(items);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64 * 1024}}) {
    SCOPED_TRACE(chunk);
    std::string version;
    auto read = read_items(source_of(tarball, chunk), &version);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(version, kFormatVersion);
    expect_same(items, *read);
  }
}

RC_GTEST_PROP(RoundTrip, AnyValidItemsComeBackUnchanged, ()) {
  const auto segment = rc::gen::nonEmpty(rc::gen::container<std::string>(
      rc::gen::elementOf(std::string("abcdefghijklmnopqrstuvwxyz0123456789-.:"))));
  const auto n = *rc::gen::inRange(0, 20);
  std::vector<Item> items;
  for (int i = 0; i < n; ++i) {
    Item item;
    item.key.resource =
        *rc::gen::suchThat(segment, [](const std::string& s) { return s != "." && s != ".."; });
    item.key.group =
        *rc::gen::oneOf(rc::gen::just(std::string()), rc::gen::just(std::string("apps")));
    item.key.version = "v1";
    item.key.namespace_name =
        *rc::gen::oneOf(rc::gen::just(std::string()), rc::gen::just(std::string("prod")));
    item.key.name =
        *rc::gen::suchThat(segment, [](const std::string& s) { return s != "." && s != ".."; });
    item.json = *rc::gen::arbitrary<std::string>();
    items.push_back(std::move(item));
  }
  auto read = read_items(source_of(write_backup(items)));
  RC_ASSERT(read.has_value());
  RC_ASSERT(read->size() == items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    RC_ASSERT((*read)[i].group_resource == items[i].key.group_resource());
    RC_ASSERT((*read)[i].namespace_name == items[i].key.namespace_name);
    RC_ASSERT((*read)[i].name == items[i].key.name);
    RC_ASSERT((*read)[i].json == items[i].json);
  }
}

}  // namespace
}  // namespace stillpoint::archive
