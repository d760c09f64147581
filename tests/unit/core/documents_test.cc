#include "core/documents.h"

#include <string>

#include <gtest/gtest.h>

namespace stillpoint::core {
namespace {

using nlohmann::json;

std::vector<Document> parse(const std::string& text) {
  auto docs = parse_documents(text, "test.yaml");
  EXPECT_TRUE(docs.has_value()) << docs.error().message;
  return docs.has_value() ? *docs : std::vector<Document>{};
}

// YAML scalars follow the YAML 1.2 core schema, as kubectl reads them: quoted scalars are
// strings; plain true/false, null, numbers are typed; yes/on stay strings.
TEST(Documents, TypesScalarsLikeYaml12Core) {
  auto docs = parse(
      "quoted_true: \"true\"\n"
      "single_quoted: 'false'\n"
      "plain_true: true\n"
      "plain_false: False\n"
      "yes: yes\n"
      "on: on\n"
      "nul: null\n"
      "tilde: ~\n"
      "empty:\n"
      "int: 300\n"
      "neg: -5\n"
      "float: 1.5\n"
      "duration: 30s\n"
      "octal_like: 0o17\n"
      "quoted_int: \"300\"\n");
  ASSERT_EQ(docs.size(), 1u);
  const json& v = docs[0].value;
  EXPECT_EQ(v["quoted_true"], json("true"));
  EXPECT_EQ(v["single_quoted"], json("false"));
  EXPECT_EQ(v["plain_true"], json(true));
  EXPECT_EQ(v["plain_false"], json(false));
  EXPECT_EQ(v["yes"], json("yes"));
  EXPECT_EQ(v["on"], json("on"));
  EXPECT_TRUE(v["nul"].is_null());
  EXPECT_TRUE(v["tilde"].is_null());
  EXPECT_TRUE(v["empty"].is_null());
  EXPECT_EQ(v["int"], json(300));
  EXPECT_EQ(v["neg"], json(-5));
  EXPECT_EQ(v["float"], json(1.5));
  EXPECT_EQ(v["duration"], json("30s"));
  EXPECT_EQ(v["octal_like"], json("0o17"));
  EXPECT_EQ(v["quoted_int"], json("300"));
}

// Multi-document YAML yields every non-empty document with its 1-based position.
TEST(Documents, ReadsMultipleDocumentsWithPositions) {
  auto docs = parse("a: 1\n---\n---\nb: 2\n...\n---\n- x\n");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].index, 1u);
  EXPECT_EQ(docs[0].value, json({{"a", 1}}));
  EXPECT_EQ(docs[1].index, 3u);
  EXPECT_EQ(docs[1].value, json({{"b", 2}}));
  EXPECT_EQ(docs[2].value, json::array({"x"}));
}

// JSON input is read as JSON (after whitespace or a byte-order mark), one document.
TEST(Documents, ReadsJson) {
  auto docs = parse("\xEF\xBB\xBF  {\"kind\": \"Backup\", \"n\": [1, \"true\", true]}");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].index, 1u);
  EXPECT_EQ(docs[0].value["kind"], json("Backup"));
  EXPECT_EQ(docs[0].value["n"], json::array({1, "true", true}));
}

// Syntax errors name the origin and where the problem is.
TEST(Documents, ReportsSyntaxErrorsWithOrigin) {
  auto bad_json = parse_documents("{\"a\": }", "pods.json");
  ASSERT_FALSE(bad_json.has_value());
  EXPECT_EQ(bad_json.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(bad_json.error().message.rfind("pods.json: invalid JSON", 0), 0u)
      << bad_json.error().message;
  auto bad_yaml = parse_documents("a: [1, 2\nb: 3\n", "pods.yaml");
  ASSERT_FALSE(bad_yaml.has_value());
  EXPECT_EQ(bad_yaml.error().message.rfind("pods.yaml: invalid YAML: line ", 0), 0u)
      << bad_yaml.error().message;
  auto complex_key = parse_documents("? [a, b]\n: c\n", "k.yaml");
  ASSERT_FALSE(complex_key.has_value());
  EXPECT_EQ(complex_key.error().message.rfind("k.yaml: ", 0), 0u);
  EXPECT_NE(complex_key.error().message.find("map keys must be scalars"), std::string::npos)
      << complex_key.error().message;
}

// A number too large for a double is bad input, not a crash (found by fuzz_spec: nlohmann
// reports it as out_of_range, not parse_error).
TEST(Documents, RefusesJsonNumbersThatOverflow) {
  auto huge = parse_documents("[11111e11111]", "spec.json");
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(huge.error().message.rfind("spec.json: invalid JSON", 0), 0u) << huge.error().message;
  EXPECT_NE(huge.error().message.find("overflow"), std::string::npos) << huge.error().message;
  auto yaml = parse_documents("a: 11111e11111\n", "spec.yaml");
  EXPECT_TRUE(yaml.has_value() || yaml.error().code == ErrorCode::InvalidArgument);
}

// Aliases are expanded, and a "billion laughs" file is refused quickly instead of exhausting
// memory or hanging.
TEST(Documents, BoundsAliasExpansion) {
  auto docs = parse("base: &b [x, y]\ncopy: *b\n");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].value["copy"], json::array({"x", "y"}));

  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) {
      bomb += (k ? ", " : "") + prev;
    }
    bomb += "]\n";
  }
  auto result = parse_documents(bomb, "bomb.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(result.error().message.rfind("bomb.yaml: ", 0), 0u);
  // The budget scales with the input, so a small file is refused after ~1M nodes (tens of
  // MB), not after materialising kMaxDocumentNodes.
  EXPECT_NE(result.error().message.find("more than " +
                                        std::to_string(document_node_budget(bomb.size())) +
                                        " nodes"),
            std::string::npos)
      << result.error().message;
  EXPECT_EQ(document_node_budget(bomb.size()), kMinDocumentNodeBudget);
}

// The node budget grows with the input (legitimate large files) up to a hard ceiling.
TEST(Documents, NodeBudgetScalesWithInputUpToCeiling) {
  EXPECT_EQ(document_node_budget(0), kMinDocumentNodeBudget);
  EXPECT_EQ(document_node_budget(1'000'000), 16'000'000u);
  EXPECT_EQ(document_node_budget(1'000'000'000), kMaxDocumentNodes);
  EXPECT_EQ(document_node_budget(SIZE_MAX), kMaxDocumentNodes);
}

// Deep nesting is refused rather than overflowing the stack.
TEST(Documents, BoundsNestingDepth) {
  std::string deep;
  for (int i = 0; i < 300; ++i) {
    deep += "[";
  }
  for (int i = 0; i < 300; ++i) {
    deep += "]";
  }
  auto yaml = parse_documents("a: " + deep + "\n", "deep.yaml");
  ASSERT_FALSE(yaml.has_value());
  EXPECT_EQ(yaml.error().message.rfind("deep.yaml: ", 0), 0u);
  EXPECT_NE(yaml.error().message.find("nested deeper than 200 levels"), std::string::npos)
      << yaml.error().message;
}

// Strings that YAML would read as something else are quoted on output, so they read back
// as strings.
TEST(Documents, WritesYamlThatReadsBack) {
  const json value = {{"s", "true"}, {"n", "300"}, {"null", "null"}, {"b", true}, {"i", 3},
                      {"list", json::array()}, {"obj", json::object()}, {"plain", "pg_dump"}};
  const std::string text = to_yaml(value);
  auto docs = parse(text);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].value, value) << text;
}

}  // namespace
}  // namespace stillpoint::core
