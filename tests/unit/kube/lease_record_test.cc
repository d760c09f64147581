// The leader election record's mapping to a Lease spec and MicroTime's wire form.
#include "kube/lease_record.h"

#include <gtest/gtest.h>

namespace stillpoint::kube {
namespace {

// A Lease spec reads into the record field by field and writes back the same fields.
TEST(LeaseRecord, RoundTripsThroughALeaseSpec) {
  const nlohmann::json lease = {{"metadata", {{"name", "l"}, {"namespace", "n"}}},
                                {"spec",
                                 {{"holderIdentity", "host_1"},
                                  {"leaseDurationSeconds", 15},
                                  {"acquireTime", "2026-12-07T21:00:00.000001Z"},
                                  {"renewTime", "2026-12-07T21:00:02.500000Z"},
                                  {"leaseTransitions", 2}}}};
  auto r = record_from_lease(lease);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->holder_identity, "host_1");
  EXPECT_EQ(r->lease_duration_seconds, 15);
  EXPECT_EQ(r->leader_transitions, 2);
  EXPECT_EQ(lease_spec(*r), lease["spec"]);
}

// A released lease keeps holderIdentity "" on the wire; an empty spec reads as zero values.
TEST(LeaseRecord, EmptyHolderIsWrittenAndMissingFieldsAreZero) {
  LeaderElectionRecord released;
  released.lease_duration_seconds = 1;
  EXPECT_EQ(lease_spec(released)["holderIdentity"], "");
  auto r = record_from_lease({{"metadata", {{"name", "l"}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, LeaderElectionRecord{});
}

// A field of the wrong type is an error naming the lease and the field.
TEST(LeaseRecord, WrongFieldTypeNamesTheField) {
  auto r = record_from_lease({{"metadata", {{"name", "l"}, {"namespace", "n"}}},
                              {"spec", {{"leaseDurationSeconds", "15"}}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "lease n/l: spec.leaseDurationSeconds is \"15\", not an integer");
}

// MicroTime: UTC, six fractional digits, as metav1.MicroTime marshals.
TEST(LeaseRecord, MicroTimeHasSixFractionalDigits) {
  using namespace std::chrono;
  const system_clock::time_point t =
      system_clock::time_point(seconds(1765141200)) + microseconds(42) + nanoseconds(999);
  EXPECT_EQ(format_micro_time(t), "2025-12-07T21:00:00.000042Z");
  EXPECT_EQ(format_micro_time(system_clock::time_point{}), "1970-01-01T00:00:00.000000Z");
}

}  // namespace
}  // namespace stillpoint::kube
