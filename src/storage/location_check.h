// `stillpoint location check`: can backups be written to and read from this location? Runs
// what a backup does, on a probe object: list the backups, write, read back and compare,
// delete and confirm it is gone; for S3 also sends one full-size part of a multipart upload
// (then aborts it), and counts multipart uploads left open under the prefix (a crashed run's
// parts, billed until aborted; `backup delete` aborts them).
// Each step reports what went wrong in the store's own words; the probe is removed even when
// a later step fails.
#pragma once

#include <string>
#include <vector>

#include "storage/object_store.h"

namespace stillpoint::storage {

struct CheckStep {
  std::string name;    // "list", "write", "read", "delete", "multipart", "open uploads"
  bool ok = false;
  bool warning = false;  // ok, but worth a look (e.g. open multipart uploads)
  std::string detail;    // "3 backups", the error message, ...
  double duration_ms = 0;
};

struct LocationReport {
  std::string location;
  std::vector<CheckStep> steps;
  bool ok() const;
};

LocationReport check_location(ObjectStore& store);

}  // namespace stillpoint::storage
