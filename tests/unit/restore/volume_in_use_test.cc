#include "restore/volume_in_use.h"

#include <gtest/gtest.h>

namespace stillpoint::restore {
namespace {

using nlohmann::json;

json volume_claimed_by(const std::string& ns, const std::string& name) {
  return {{"metadata", {{"name", "pv1"}}},
          {"spec", {{"claimRef", {{"namespace", ns}, {"name", name}, {"uid", "u-1"}}}}}};
}

TEST(VolumeInUse, NamesTheClaimAVolumeIsFor) {
  EXPECT_EQ(claim_ref_of(volume_claimed_by("app1", "data")), "app1/data");
  EXPECT_EQ(claim_ref_of(json{{"spec", json::object()}}), "");
  EXPECT_EQ(claim_ref_of(json{{"spec", {{"claimRef", {{"namespace", "a"}}}}}}), "");
  EXPECT_EQ(claim_ref_of(json("not an object")), "");
}

// The restored volume is meant for app2/data (namespace mapped); the live one still serves
// app1/data: taken. Meant for the claim that holds it, or a live volume free: not taken.
TEST(VolumeInUse, ALiveVolumeHeldByAnotherClaimIsTaken) {
  const json live = volume_claimed_by("app1", "data");
  EXPECT_EQ(taken_by_another_claim(volume_claimed_by("app2", "data"), live), "app1/data");
  EXPECT_EQ(taken_by_another_claim(volume_claimed_by("app1", "other"), live), "app1/data");
  EXPECT_EQ(taken_by_another_claim(volume_claimed_by("app1", "data"), live), std::nullopt);
  EXPECT_EQ(
      taken_by_another_claim(volume_claimed_by("app2", "data"), json{{"spec", json::object()}}),
      std::nullopt);
  EXPECT_EQ(taken_by_another_claim(json{{"spec", json::object()}}, live), std::nullopt);
}

}  // namespace
}  // namespace stillpoint::restore
