// A real Ceph radosgw on loopback for S3 integration tests: starts tests/s3/radosgw into a fresh
// temporary directory, reads the endpoint and the random keys it wrote, and stops it (SIGKILL,
// then the directory is removed) when destroyed. A watchdog started by the script also stops it
// if the test process dies without running destructors.
//
// It deliberately knows no S3: buckets are created by the script (curl --aws-sigv4), and tests
// talk to the endpoint with whatever client they are testing.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace stillpoint::s3test {

// Output and exit status of a command run through the shell.
struct CommandOutput {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `argv` (each argument shell-quoted) and collects its output. Blocks until it exits.
CommandOutput run_command(const std::vector<std::string>& argv);

class RadosGw {
 public:
  // Starts mon + memstore OSD + radosgw (~1.5-5 s, depending on load). With `tls`, also serves
  // HTTPS with a certificate for 127.0.0.1 signed by a throwaway CA (ca_file()).
  // Errors: Unavailable with the script's message (missing binary, a daemon that did not come
  // up within 60 s and the tail of its log); Protocol if the env file is incomplete.
  static core::Result<std::unique_ptr<RadosGw>> start(bool tls);

  RadosGw(const RadosGw&) = delete;
  RadosGw& operator=(const RadosGw&) = delete;
  ~RadosGw();  // stop(), errors ignored

  // Kills every process the script started, waits for them to be gone, removes dir().
  // Idempotent. Errors: Internal with the script's message if a process survived.
  core::Status stop();

  // Creates a bucket owned by access_key(). Errors: InvalidArgument for a name S3 refuses
  // (3-63 characters), Unavailable otherwise.
  core::Status create_bucket(const std::string& name) const;

  // PIDs of the processes the script started that are still alive.
  std::vector<pid_t> pids() const;

  const std::string& endpoint() const { return endpoint_; }          // http://127.0.0.1:PORT
  const std::string& tls_endpoint() const { return tls_endpoint_; }  // empty without TLS
  const std::filesystem::path& ca_file() const { return ca_file_; }  // empty without TLS
  const std::string& access_key() const { return access_key_; }
  const std::string& secret_key() const { return secret_key_; }
  // The region for the SigV4 scope. radosgw accepts any; its zonegroup is "default", which is
  // also the only LocationConstraint it accepts at CreateBucket besides none.
  const std::string& region() const { return region_; }
  const std::filesystem::path& dir() const { return dir_; }

  // tests/s3/radosgw in the source tree.
  static std::filesystem::path script();

 private:
  explicit RadosGw(std::filesystem::path dir) : dir_(std::move(dir)) {}

  std::filesystem::path dir_;
  bool stopped_ = false;
  std::string endpoint_;
  std::string tls_endpoint_;
  std::filesystem::path ca_file_;
  std::string access_key_;
  std::string secret_key_;
  std::string region_;
};

// One radosgw per test binary and TLS flag, started on first use (start costs ~1.5 s or more)
// and stopped at exit. Returns the start error to every caller if it failed. Not thread-safe:
// call from test bodies, which gtest runs one at a time.
core::Result<RadosGw*> shared_radosgw(bool tls);

}  // namespace stillpoint::s3test
