// The XML request bodies stillpoint sends (CompleteMultipartUpload, DeleteObjects): parsed
// back with pugixml, independently of the code under test, they hold exactly what went in.
#include <pugixml.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "storage/s3/s3_xml.h"

namespace stillpoint::storage::s3 {
namespace {

std::vector<std::string> texts_of(const std::string& xml, const char* xpath) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str(), pugi::parse_default | pugi::parse_ws_pcdata)) << xml;
  std::vector<std::string> out;
  for (const pugi::xpath_node& node : doc.select_nodes(xpath)) {
    out.emplace_back(node.node().text().get());
  }
  return out;
}

TEST(S3Xml, CompleteBodyListsPartsInOrderEscaped) {
  const std::string body = complete_multipart_body({{1, "\"a54357aff0632cce46d942af68356b38\""},
                                                    {2, "\"0c78aef83f66abc1fa1e8477f296d394\""},
                                                    {3, "<&'>"}});
  EXPECT_EQ(body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  EXPECT_NE(body.find("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Part><PartNumber>1</PartNumber><ETag>&quot;a54357aff0632cce46d942af68356b38"
                      "&quot;</ETag></Part>"),
            std::string::npos)
      << body;
  EXPECT_EQ(texts_of(body, "/CompleteMultipartUpload/Part/PartNumber"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(texts_of(body, "/CompleteMultipartUpload/Part/ETag"),
            (std::vector<std::string>{"\"a54357aff0632cce46d942af68356b38\"",
                                      "\"0c78aef83f66abc1fa1e8477f296d394\"", "<&'>"}));
}

TEST(S3Xml, DeleteBodyIsQuietAndRoundTripsKeys) {
  const std::vector<std::string> keys = {"plain",      "a&b",
                                         "<tag>",      "quote\"s and 'apos'",
                                         "]]>",        "  spaced  ",
                                         "line\nfeed", "carriage\rreturn",
                                         "tab\there",  "\xE1\x88\xB4/\xF0\x9F\x92\xBE",
                                         "&amp;"};
  const std::string body = delete_objects_body(keys);
  EXPECT_NE(body.find("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true"
                      "</Quiet><Object><Key>plain</Key></Object>"),
            std::string::npos)
      << body;
  EXPECT_EQ(texts_of(body, "/Delete/Object/Key"), keys);
  EXPECT_EQ(texts_of(body, "/Delete/Quiet"), (std::vector<std::string>{"true"}));
  EXPECT_EQ(texts_of(delete_objects_body({}), "/Delete/Object/Key"), std::vector<std::string>{});
}

TEST(S3XmlDeathTest, DeleteBodyRefusesMoreThan1000Keys) {
  EXPECT_DEATH(delete_objects_body(std::vector<std::string>(1001, "k")), "at most 1000 keys");
}

// Any key XML 1.0 can carry (no C0 controls but TAB, LF, CR) round-trips through the body,
// whatever its bytes: markup characters, CR, leading/trailing blanks, non-ASCII.
RC_GTEST_PROP(S3XmlBodiesProperty,
              DeleteBodyRoundTripsRepresentableKeys,
              (std::vector<std::string> keys)) {
  if (keys.size() > 1000) {
    keys.resize(1000);
  }
  for (std::string& key : keys) {
    std::erase_if(key, [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
    });
  }
  RC_ASSERT(texts_of(delete_objects_body(keys), "/Delete/Object/Key") == keys);
}

}  // namespace
}  // namespace stillpoint::storage::s3
