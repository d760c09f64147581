#include "storage/location_check.h"

#include <chrono>
#include <random>

#include "storage/s3/s3_store.h"

namespace stillpoint::storage {
namespace {

// Enough bytes to cross a few TCP segments, small enough to be instant.
constexpr size_t kProbeBytes = 64 * 1024;

std::string probe_content() {
  std::string bytes(kProbeBytes, '\0');
  std::mt19937 random{std::random_device{}()};
  for (char& c : bytes) c = static_cast<char>(random() & 0xff);
  return bytes;
}

std::string probe_key() {
  std::mt19937_64 random{std::random_device{}()};
  char name[64];
  std::snprintf(name, sizeof name, "stillpoint-probe-%016llx",
                static_cast<unsigned long long>(random()));
  return name;
}

template <class F>
CheckStep timed(const char* name, F&& body) {
  CheckStep step;
  step.name = name;
  const auto start = std::chrono::steady_clock::now();
  body(step);
  step.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return step;
}

}  // namespace

bool LocationReport::ok() const {
  for (const auto& step : steps) {
    if (!step.ok) return false;
  }
  return true;
}

LocationReport check_location(ObjectStore& store) {
  LocationReport report;
  report.location = store.describe();
  report.steps.push_back(timed("list", [&](CheckStep& step) {
    auto keys = store.list("backups/");
    if (!keys) {
      step.detail = keys.error().message;
      return;
    }
    size_t backups = 0;
    for (const auto& key : *keys) {
      if (key.ends_with("/velero-backup.json")) ++backups;
    }
    step.ok = true;
    step.detail = std::to_string(backups) + (backups == 1 ? " backup" : " backups");
  }));
  if (!report.steps.back().ok) return report;  // nothing else can work either

  const std::string key = probe_key();
  const std::string content = probe_content();
  report.steps.push_back(timed("write", [&](CheckStep& step) {
    auto s = write_all(store, key, content);
    step.ok = s.has_value();
    step.detail = s ? key + " (" + std::to_string(content.size() / 1024) + " KiB)"
                    : s.error().message;
  }));
  const bool written = report.steps.back().ok;
  if (written) {
    report.steps.push_back(timed("read", [&](CheckStep& step) {
      auto back = read_all(store, key);
      if (!back) {
        step.detail = back.error().message;
      } else if (*back != content) {
        step.detail = "read back " + std::to_string(back->size()) +
                      " bytes that differ from the " + std::to_string(content.size()) +
                      " written";
      } else {
        step.ok = true;
        step.detail = "same bytes";
      }
    }));
  }
  report.steps.push_back(timed("delete", [&](CheckStep& step) {
    auto s = store.remove(key);
    if (!s) {
      step.detail = s.error().message;
      return;
    }
    auto still = store.exists(key);
    if (!still) {
      step.detail = still.error().message;
    } else if (*still) {
      step.detail = "the probe " + key + " is still there after delete";
    } else {
      step.ok = true;
      step.detail = written ? "removed" : "nothing left";
    }
  }));
  if (auto* s3 = dynamic_cast<s3::S3Store*>(&store)) {
    report.steps.push_back(timed("multipart", [&](CheckStep& step) {
      auto sent = s3->probe_multipart(key + "-multipart");
      step.ok = sent.has_value();
      step.detail = sent ? "one " + std::to_string(*sent >> 20) + " MiB part sent, upload aborted"
                         : sent.error().message;
    }));
    report.steps.push_back(timed("open uploads", [&](CheckStep& step) {
      auto uploads = s3->pending_uploads();
      if (!uploads) {
        step.detail = uploads.error().message;
        return;
      }
      step.ok = true;
      step.warning = !uploads->empty();
      step.detail = uploads->empty()
                        ? "none"
                        : std::to_string(uploads->size()) +
                              " multipart upload(s) never completed, e.g. " +
                              uploads->front().key +
                              " (a crashed run's; `backup delete` of that backup aborts them)";
    }));
  }
  return report;
}

}  // namespace stillpoint::storage
