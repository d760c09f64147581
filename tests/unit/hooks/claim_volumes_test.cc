#include "hooks/claim_volumes.h"

#include <gtest/gtest.h>

namespace stillpoint::hooks {
namespace {

using nlohmann::json;

// Claim volumes in spec order; other volume types, claims without a name and values of the
// wrong type (an archive is untrusted) are left out without throwing.
TEST(ClaimVolumes, ListsTheClaimsOfAPodInSpecOrder) {
  const json pod = json::parse(R"({"spec": {"volumes": [
      {"name": "data", "persistentVolumeClaim": {"claimName": "db-data"}},
      {"name": "scratch", "emptyDir": {}},
      {"name": "nameless", "persistentVolumeClaim": {}},
      {"name": "wrong", "persistentVolumeClaim": {"claimName": 7}},
      "not an object",
      {"name": "logs", "persistentVolumeClaim": {"claimName": "db-logs"}}]}})");
  const auto claims = claim_volumes(pod);
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].volume, "data");
  EXPECT_EQ(claims[0].claim, "db-data");
  EXPECT_EQ(claims[1].volume, "logs");
  EXPECT_EQ(claims[1].claim, "db-logs");
  EXPECT_TRUE(claim_volumes(json{{"spec", {{"volumes", "x"}}}}).empty());
  EXPECT_TRUE(claim_volumes(json("pod")).empty());
}

}  // namespace
}  // namespace stillpoint::hooks
