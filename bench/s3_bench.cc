// S3 location benchmark (docs/performance.md "S3 locations", issue 8): upload and download
// throughput of one large archive through storage::s3::S3Store against a real Ceph radosgw on
// loopback (tests/s3/radosgw: memstore OSD, so Ceph keeps the data in RAM), next to the same
// archive written to and read from a storage::LocalDirStore.
//
//   s3_bench [--mib N] [--runs R] [--part-sizes 8,16,32] [--parallelism 1,4,8] [--grid]
//            [--tls] [--dir DIR]
//
// The archive is N MiB (default 1024) of a seeded xoshiro256** stream, incompressible like a
// compressed backup. It is produced 1 MiB at a time, for the writer and again for the
// download's check, so the bench never holds it: a download is compared byte for byte with
// the stream it should be. Exits 1 if an operation fails or a byte differs, 2 on bad usage.
//
// Configurations (part size x upload parallelism): every parallelism at the first part size,
// and every other part size at parallelism 4 (or the first one listed without 4); --grid runs
// every pair. Each run of a configuration gets a fresh cluster: radosgw deletes an object's
// data only at garbage collection (hours later by default), and memstore is capped at 2 GiB.
//
// Per configuration and run, each transfer runs in a child forked after the cluster is up and
// before any data exists, so its VmHWM is the peak RSS of one upload (or download) alone:
//   - upload: S3Store::put, write() of 1 MiB pieces, commit() (CompleteMultipartUpload);
//   - download: S3Store::get, read() into a 1 MiB buffer until it is full, then compare.
// MiB/s is N MiB over the wall time from put()/get() to the end, generating the bytes
// included (its share is printed apart: "gen"). CPU is split between the child (wait4) and
// each Ceph daemon (utime + stime of /proc/PID/stat, before and after): the 2 vCPUs are shared
// by all of them. The local figures: put/write/commit (fsync included) into a temporary
// directory, then a read after evicting the file from the page cache (cold) and one more
// (warm), in a child each too.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "radosgw_fixture.h"
#include "storage/local_store.h"
#include "storage/s3/s3_store.h"
#include "proc_status.h"

using stillpoint::bench::vm_hwm_kib;

namespace fs = std::filesystem;
using namespace stillpoint;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kChunk = size_t{1} << 20;  // what the writer gets and the reader asks for
constexpr double kMiB = 1024.0 * 1024.0;
constexpr uint64_t kSeed = 0x5711'1901'4e7a'b00c;
constexpr const char* kBucket = "s3-bench";
constexpr const char* kKey = "backups/bench/bench.tar.gz";

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The 1-minute load average: the machine is shared, so every figure is printed with it.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

// The archive's bytes: xoshiro256** (seeded by splitmix64), 1 MiB at a time. Several GB/s, so
// producing the stream costs little next to the transfer (and is timed apart anyway).
class ArchiveBytes {
 public:
  explicit ArchiveBytes(uint64_t seed) {
    for (uint64_t& word : s_) {
      seed += 0x9e3779b97f4a7c15;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
      z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
      word = z ^ (z >> 31);
    }
  }

  void next(std::string& chunk) {
    chunk.resize(kChunk);
    for (size_t i = 0; i < kChunk; i += 8) {
      const uint64_t v = next_word();
      std::memcpy(chunk.data() + i, &v, 8);
    }
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next_word() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  uint64_t s_[4];
};

// What one transfer reports from its child.
struct Transfer {
  bool ok = false;
  std::string error;
  double seconds = 0;                // put()/get() to commit()/end of the object
  double gen_seconds = 0;            // of which producing the archive's bytes
  uint64_t reads = 0;                // read() calls (download)
  long peak_rss_kib = 0;             // the child's VmHWM
  double cpu_user = 0, cpu_sys = 0;  // the child's (wait4)
  double cpu() const { return cpu_user + cpu_sys; }
};

core::Status upload(storage::ObjectStore& store, long mib, Transfer& t) {
  ArchiveBytes bytes(kSeed);
  std::string chunk;
  const auto start = Clock::now();
  auto writer = store.put(kKey);
  if (!writer)
    return core::unexpected(writer.error());
  for (long i = 0; i < mib; ++i) {
    const auto g = Clock::now();
    bytes.next(chunk);
    t.gen_seconds += seconds_since(g);
    if (auto s = (*writer)->write(chunk); !s)
      return s;
  }
  if (auto s = (*writer)->commit(); !s)
    return s;
  t.seconds = seconds_since(start);
  return core::ok();
}

core::Status download(storage::ObjectStore& store, long mib, Transfer& t) {
  ArchiveBytes bytes(kSeed);
  std::string want;
  std::string got(kChunk, '\0');
  const auto start = Clock::now();
  auto reader = store.get(kKey);
  if (!reader)
    return core::unexpected(reader.error());
  for (long i = 0;; ++i) {
    size_t filled = 0;
    while (filled < kChunk) {
      ++t.reads;
      auto n = (*reader)->read(got.data() + filled, kChunk - filled);
      if (!n)
        return core::unexpected(n.error());
      if (*n == 0)
        break;
      filled += *n;
    }
    if (filled == 0 && i == mib)
      break;
    if (i >= mib || filled != kChunk) {
      return core::unexpected(core::ErrorCode::Protocol,
                              "the object has " + std::to_string(filled) + " bytes in MiB " +
                                  std::to_string(i) + " (want " + std::to_string(mib) +
                                  " MiB exactly)");
    }
    const auto g = Clock::now();
    bytes.next(want);
    t.gen_seconds += seconds_since(g);
    if (std::memcmp(want.data(), got.data(), kChunk) != 0) {
      return core::unexpected(core::ErrorCode::Protocol,
                              "MiB " + std::to_string(i) + " differs from what was written");
    }
  }
  t.seconds = seconds_since(start);
  return core::ok();
}

// Runs `work` in a forked child (no thread exists in this process when it forks) and returns
// what it measured, with its peak RSS and CPU.
Transfer in_child(const std::function<core::Status(Transfer&)>& work) {
  Transfer t;
  int fds[2];
  if (::pipe(fds) != 0) {
    t.error = "pipe failed";
    return t;
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    Transfer c;
    const core::Status s = work(c);
    std::ostringstream out;
    out << (s ? 1 : 0) << ' ' << c.seconds << ' ' << c.gen_seconds << ' ' << c.reads << ' '
        << vm_hwm_kib("self") << '\n'
        << (s ? std::string() : s.error().message);
    const std::string text = out.str();
    (void)!::write(fds[1], text.data(), text.size());
    ::_exit(0);  // no destructors: the parent's RadosGw must not stop the cluster from here
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    t.error = "fork failed";
    return t;
  }
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  t.cpu_user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
  t.cpu_sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  std::istringstream in(text);
  int ok = 0;
  if (!(in >> ok >> t.seconds >> t.gen_seconds >> t.reads >> t.peak_rss_kib)) {
    t.error = "the child died (status " + std::to_string(status) + ")";
    return t;
  }
  in.ignore(1);
  std::getline(in, t.error, '\0');
  t.ok = ok == 1;
  return t;
}

// CPU seconds (utime + stime, all threads) of each live process of the cluster, by name.
std::map<std::string, double> cpu_by_process(const std::vector<pid_t>& pids) {
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::map<std::string, double> out;
  for (pid_t pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos)
      continue;
    std::istringstream fields(stat.substr(close + 2));  // from field 3, the state
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    if (f.size() < 13)
      continue;
    out[stat.substr(open + 1, close - open - 1)] +=
        (std::stod(f[11]) + std::stod(f[12])) / ticks;  // fields 14 and 15
  }
  return out;
}

struct Config {
  size_t part_mib;
  int parallelism;
};

struct Row {
  Config config{};
  std::vector<double> up, down;  // MiB/s per run
  long up_rss = 0, down_rss = 0;
  std::vector<std::string> loads;
  // CPU seconds summed over runs: the bench's child, then each Ceph daemon.
  double up_cpu = 0, down_cpu = 0;
  std::map<std::string, double> up_ceph, down_ceph;
};

std::vector<long> parse_list(const std::string& text) {
  std::vector<long> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    out.push_back(std::atol(item.c_str()));
  return out;
}

std::string join(const std::vector<double>& v, const char* format) {
  std::string out;
  for (double x : v) {
    char text[32];
    std::snprintf(text, sizeof text, format, x);
    out += (out.empty() ? "" : ", ") + std::string(text);
  }
  return out;
}

std::string ceph_cpu(const std::map<std::string, double>& cpu, double per) {
  std::string out;
  for (const auto& [name, seconds] : cpu) {
    if (seconds / per < 0.005)
      continue;
    char text[64];
    std::snprintf(text, sizeof text, "%s%s %.2f", out.empty() ? "" : ", ", name.c_str(),
                  seconds / per);
    out += text;
  }
  return out;
}

class Bench {
 public:
  Bench(long mib, int runs, bool tls, fs::path dir)
      : mib_(mib), runs_(runs), tls_(tls), dir_(std::move(dir)) {}

  int main(const std::vector<Config>& configs);

 private:
  bool s3_run(Row& row, int run);
  bool local_run(int run);
  void print(const char* what, const Transfer& t, const std::map<std::string, double>& ceph);

  long mib_;
  int runs_;
  bool tls_;
  fs::path dir_;
  std::vector<double> local_write_, local_cold_, local_warm_;
  long local_rss_ = 0;
  double local_write_cpu_ = 0, local_read_cpu_ = 0;
};

void Bench::print(const char* what, const Transfer& t, const std::map<std::string, double>& ceph) {
  std::printf(
      "  %-14s %ld MiB in %6.2f s = %6.1f MiB/s (gen %.2f s), peak RSS %5.1f MiB; CPU s: bench "
      "%.2f (user %.2f sys %.2f)%s%s\n",
      what, mib_, t.seconds, mib_ / t.seconds, t.gen_seconds, t.peak_rss_kib / 1024.0, t.cpu(),
      t.cpu_user, t.cpu_sys, ceph.empty() ? "" : ", ", ceph_cpu(ceph, 1).c_str());
}

bool Bench::s3_run(Row& row, int run) {
  const Config c = row.config;
  std::printf("run %d, part %zu MiB x %d in flight (load average %s):\n", run, c.part_mib,
              c.parallelism, load_average().c_str());
  row.loads.push_back(load_average());
  const auto started = Clock::now();
  auto gw = s3test::RadosGw::start(tls_);
  if (!gw) {
    std::fprintf(stderr, "FAILED: radosgw: %s\n", gw.error().message.c_str());
    return false;
  }
  if (auto made = (*gw)->create_bucket(kBucket); !made) {
    std::fprintf(stderr, "FAILED: bucket: %s\n", made.error().message.c_str());
    return false;
  }
  std::printf("  fresh cluster up with bucket %s in %.1f s (%s)\n", kBucket, seconds_since(started),
              tls_ ? (*gw)->tls_endpoint().c_str() : (*gw)->endpoint().c_str());
  storage::s3::S3Options options;
  options.endpoint = tls_ ? (*gw)->tls_endpoint() : (*gw)->endpoint();
  options.ca_file = tls_ ? (*gw)->ca_file().string() : std::string();
  options.region = (*gw)->region();
  options.part_size = c.part_mib * storage::s3::kMiB;
  options.upload_parallelism = c.parallelism;
  auto target = storage::s3::resolve_target(std::string("s3://") + kBucket, options);
  if (!target) {
    std::fprintf(stderr, "FAILED: %s\n", target.error().message.c_str());
    return false;
  }
  const storage::s3::Credentials credentials{(*gw)->access_key(), (*gw)->secret_key(), ""};
  // The client is made in the child: its connections and upload threads belong to it alone.
  auto with_store = [&](core::Status (*op)(storage::ObjectStore&, long, Transfer&)) {
    return [&, op](Transfer& t) -> core::Status {
      auto client = storage::s3::S3Client::create(*target, credentials);
      if (!client)
        return core::unexpected(client.error());
      storage::s3::S3Store store(*client);
      return op(store, mib_, t);
    };
  };
  const std::vector<pid_t> pids = (*gw)->pids();
  auto ceph_delta = [&](const std::map<std::string, double>& before) {
    auto after = cpu_by_process(pids);
    for (const auto& [name, seconds] : before)
      after[name] -= seconds;
    return after;
  };

  auto before = cpu_by_process(pids);
  const Transfer up = in_child(with_store(&upload));
  const auto up_ceph = ceph_delta(before);
  if (!up.ok) {
    std::fprintf(stderr, "FAILED: upload: %s\n", up.error.c_str());
    return false;
  }
  print("upload", up, up_ceph);
  before = cpu_by_process(pids);
  const Transfer down = in_child(with_store(&download));
  const auto down_ceph = ceph_delta(before);
  if (!down.ok) {
    std::fprintf(stderr, "FAILED: download: %s\n", down.error.c_str());
    return false;
  }
  print("download", down, down_ceph);
  std::printf(
      "  verified: %ld MiB read back equal to what was written (%llu read() calls, %.1f "
      "KiB each on average)\n",
      mib_, static_cast<unsigned long long>(down.reads),
      mib_ * 1024.0 / static_cast<double>(down.reads));

  row.up.push_back(mib_ / up.seconds);
  row.down.push_back(mib_ / down.seconds);
  row.up_rss = std::max(row.up_rss, up.peak_rss_kib);
  row.down_rss = std::max(row.down_rss, down.peak_rss_kib);
  row.up_cpu += up.cpu();
  row.down_cpu += down.cpu();
  for (const auto& [name, seconds] : up_ceph)
    row.up_ceph[name] += seconds;
  for (const auto& [name, seconds] : down_ceph)
    row.down_ceph[name] += seconds;
  if (auto s = (*gw)->stop(); !s)
    std::fprintf(stderr, "warning: %s\n", s.error().message.c_str());
  return true;
}

// Evicts `path` from the page cache: it was fsynced by commit, so its pages are clean.
void evict(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

bool Bench::local_run(int run) {
  std::printf("run %d, local directory %s (load average %s):\n", run, dir_.c_str(),
              load_average().c_str());
  storage::LocalDirStore store(dir_);
  ::sync();  // no earlier dirty pages compete with the commit's fsync
  auto op = [&](core::Status (*f)(storage::ObjectStore&, long, Transfer&)) {
    return [&, f](Transfer& t) { return f(store, mib_, t); };
  };
  const Transfer w = in_child(op(&upload));
  if (!w.ok) {
    std::fprintf(stderr, "FAILED: local write: %s\n", w.error.c_str());
    return false;
  }
  print("write+fsync", w, {});
  evict(dir_ / kKey);
  const Transfer cold = in_child(op(&download));
  if (!cold.ok) {
    std::fprintf(stderr, "FAILED: local read: %s\n", cold.error.c_str());
    return false;
  }
  print("read (cold)", cold, {});
  const Transfer warm = in_child(op(&download));
  if (!warm.ok) {
    std::fprintf(stderr, "FAILED: local read: %s\n", warm.error.c_str());
    return false;
  }
  print("read (cached)", warm, {});
  std::printf("  verified: both reads equal to what was written\n");
  local_write_.push_back(mib_ / w.seconds);
  local_cold_.push_back(mib_ / cold.seconds);
  local_warm_.push_back(mib_ / warm.seconds);
  local_rss_ = std::max({local_rss_, w.peak_rss_kib, cold.peak_rss_kib, warm.peak_rss_kib});
  local_write_cpu_ += w.cpu();
  local_read_cpu_ += cold.cpu();
  (void)store.remove(kKey);
  return true;
}

int Bench::main(const std::vector<Config>& configs) {
  const auto bench_start = Clock::now();
  std::printf(
      "s3_bench: %ld MiB of xoshiro256** bytes, %d run(s), %s, this process %.1f MiB RSS "
      "before forking (load average %s)\n",
      mib_, runs_, tls_ ? "HTTPS" : "HTTP", vm_hwm_kib("self") / 1024.0, load_average().c_str());
  std::vector<Row> rows;
  for (const Config& c : configs) {
    rows.emplace_back();
    rows.back().config = c;
  }
  std::vector<std::string> local_loads;
  for (int run = 1; run <= runs_; ++run) {
    for (Row& row : rows) {
      if (!s3_run(row, run))
        return 1;
    }
    local_loads.push_back(load_average());
    if (!local_run(run))
      return 1;
  }

  const double gib = runs_ * mib_ / 1024.0;  // CPU below is per GiB moved
  std::printf(
      "\nsummary: %ld MiB, %d run(s) per row, %s; MiB/s per run; peak RSS = max VmHWM "
      "of the transfer's process; CPU s per GiB\n",
      mib_, runs_, tls_ ? "HTTPS" : "HTTP");
  std::printf(
      "| part MiB x parallel | upload MiB/s | download MiB/s | peak RSS up / down MiB | "
      "CPU up: bench; ceph | CPU down: bench; ceph | load |\n|---|---|---|---|---|---|---|"
      "\n");
  bool met = true;
  for (const Row& r : rows) {
    std::string loads;
    for (const auto& l : r.loads)
      loads += (loads.empty() ? "" : ", ") + l;
    std::printf("| %zu x %d | %s | %s | %.1f / %.1f | %.2f; %s | %.2f; %s | %s |\n",
                r.config.part_mib, r.config.parallelism, join(r.up, "%.1f").c_str(),
                join(r.down, "%.1f").c_str(), r.up_rss / 1024.0, r.down_rss / 1024.0,
                r.up_cpu / gib, ceph_cpu(r.up_ceph, gib).c_str(), r.down_cpu / gib,
                ceph_cpu(r.down_ceph, gib).c_str(), loads.c_str());
    if (r.config.part_mib == 8 && r.config.parallelism == 4) {
      met = *std::min_element(r.up.begin(), r.up.end()) >= 80 &&
            *std::min_element(r.down.begin(), r.down.end()) >= 80 && r.up_rss < 100 * 1024 &&
            r.down_rss < 100 * 1024;
    }
  }
  std::string loads;
  for (const auto& l : local_loads)
    loads += (loads.empty() ? "" : ", ") + l;
  std::printf(
      "| local dir: write+fsync / read cold / read cached | %s | %s / %s | %.1f | %.2f | "
      "%.2f | %s |\n",
      join(local_write_, "%.1f").c_str(), join(local_cold_, "%.1f").c_str(),
      join(local_warm_, "%.1f").c_str(), local_rss_ / 1024.0, local_write_cpu_ / gib,
      local_read_cpu_ / gib, loads.c_str());
  std::printf(
      "target (defaults, 8 MiB x 4): >= 80 MiB/s each way in every run, RSS < 100 MiB: "
      "%s\n",
      met ? "met" : "NOT met");
  std::printf("total wall time %.1f s; load average %s\n", seconds_since(bench_start),
              load_average().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  long mib = 1024;
  int runs = 2;
  bool tls = false, grid = false;
  std::vector<long> part_sizes = {8, 16, 32};
  std::vector<long> parallelism = {1, 4, 8};
  fs::path dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--mib" && has_value) {
      mib = std::atol(argv[++i]);
    } else if (arg == "--runs" && has_value) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--part-sizes" && has_value) {
      part_sizes = parse_list(argv[++i]);
    } else if (arg == "--parallelism" && has_value) {
      parallelism = parse_list(argv[++i]);
    } else if (arg == "--dir" && has_value) {
      dir = argv[++i];
    } else if (arg == "--grid") {
      grid = true;
    } else if (arg == "--tls") {
      tls = true;
    } else {
      std::fprintf(stderr,
                   "usage: s3_bench [--mib N] [--runs R] [--part-sizes 8,16,32] "
                   "[--parallelism 1,4,8] [--grid] [--tls] [--dir DIR]\n");
      return 2;
    }
  }
  const bool bad_part =
      std::any_of(part_sizes.begin(), part_sizes.end(), [](long p) { return p < 5 || p > 5120; });
  const bool bad_parallel =
      std::any_of(parallelism.begin(), parallelism.end(), [](long p) { return p < 1 || p > 64; });
  if (mib <= 0 || runs <= 0 || part_sizes.empty() || parallelism.empty() || bad_part ||
      bad_parallel) {
    std::fprintf(stderr,
                 "s3_bench: --mib and --runs must be positive, part sizes 5..5120 MiB, "
                 "parallelism 1..64\n");
    return 2;
  }
  std::vector<Config> configs;
  const long base_parallel =
      std::find(parallelism.begin(), parallelism.end(), 4) != parallelism.end() ? 4
                                                                                : parallelism[0];
  for (long part : part_sizes) {
    for (long p : parallelism) {
      if (grid || part == part_sizes[0] || p == base_parallel) {
        configs.push_back(Config{static_cast<size_t>(part), static_cast<int>(p)});
      }
    }
  }
  bool made_dir = false;
  if (dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "s3-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("s3_bench: mkdtemp");
      return 1;
    }
    dir = pattern;
    made_dir = true;
  }
  dir = fs::absolute(dir);
  int rc = 1;
  try {
    Bench bench(mib, runs, tls, dir);
    rc = bench.main(configs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "s3_bench: %s\n", e.what());
  }
  if (made_dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return rc;
}
