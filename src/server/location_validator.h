// Location health (Velero's BackupStorageLocation controller): every validationFrequency,
// while this replica leads, each BackupStorageLocation is opened and its backups listed, and
// the outcome written to its status: phase Available or Unavailable, lastValidationTime, the
// error as message, and spec.accessMode mirrored as status.accessMode (as Velero's status
// has it). spec.validationFrequency overrides the server's --store-validation-frequency;
// "0s" turns validation off for that location.
//
// Listing only, never writing: a read-only location must pass, and writing a probe every
// minute into someone's bucket is `stillpoint location check`'s job, run on demand.
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "server/location_list.h"
#include "server/server_context.h"

namespace stillpoint::server {

inline constexpr auto kDefaultValidationFrequency = std::chrono::minutes(1);

class LocationValidator {
 public:
  // `frequency`: the server's --store-validation-frequency (zero: never validate).
  LocationValidator(ServerContext& ctx, core::Duration frequency, std::function<bool()> may_run);

  boost::asio::awaitable<void> run();  // until cancelled
  // Validates the locations that are due; returns how many were validated.
  boost::asio::awaitable<size_t> validate_once();

 private:
  boost::asio::awaitable<void> pass_once();

  ServerContext& ctx_;
  core::Duration frequency_;
  std::function<bool()> may_run_;
  DueTimes due_;
};

}  // namespace stillpoint::server
