// The PostgreSQL scenario end to end (issue 7): a real PostgreSQL 15 from Debian's packages runs
// in a kubesim pod (examples/demo/postgres.yaml, the demo's manifest). Its Velero annotations
// dump the database into the `scratch` volume before the backup (pre hook), stillpoint copies
// that volume into the backup, and the post hook removes the dump from the live pod. The
// namespace is deleted, then restored: stillpoint puts `scratch` back before the pod starts,
// and once PostgreSQL is ready the restore exec hook loads the dump. The rows read back are
// the rows seeded; with a writer running during the backup, they are one snapshot.
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e_fixture.h"

namespace stillpoint::e2e {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kNs = "pg";
constexpr const char* kPod = "postgres";
constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The lines of `text` from the line that is exactly `heading` up to the next blank line.
std::string section(const std::string& text, const std::string& heading) {
  const size_t start = text.find("\n" + heading + "\n");
  if (start == std::string::npos)
    return "";
  const size_t end = text.find("\n\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Whether one line of `text` contains every one of `words`.
bool has_line_with(const std::string& text, const std::vector<std::string>& words) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& w : words) all = all && line.find(w) != std::string::npos;
    if (all)
      return true;
  }
  return false;
}

// Equal texts, or a failure naming the line counts and the first line that differs (not the
// 1000 rows).
::testing::AssertionResult same_rows(const std::string& actual, const std::string& expected) {
  if (actual == expected)
    return ::testing::AssertionSuccess();
  std::istringstream a(actual), e(expected);
  std::string la, le;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_e = static_cast<bool>(std::getline(e, le));
    if (!more_a || !more_e || la != le) {
      return ::testing::AssertionFailure()
             << "rows differ from line " << line << ": got "
             << (more_a ? "\"" + la + "\"" : "<end>") << ", expected "
             << (more_e ? "\"" + le + "\"" : "<end>") << " (" << actual.size() << " vs "
             << expected.size() << " bytes)";
    }
  }
}

class PostgresE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "kubesim runs pod processes only as root";
    const struct passwd* pw = ::getpwnam("postgres");
    for (const char* tool : {"postgres", "initdb", "pg_isready", "pg_dump", "psql"}) {
      if (pw == nullptr || !std::filesystem::exists(std::string(kBin) + tool))
        GTEST_SKIP() << "PostgreSQL 15 server and client are not installed (" << kBin << tool
                     << ", user postgres)";
    }
    uid_ = std::to_string(pw->pw_uid);
    gid_ = std::to_string(pw->pw_gid);
  }

  // The demo's manifest with the postgres user's ids filled in.
  std::string manifest() {
    const std::string text = read_file(STILLPOINT_SOURCE_DIR "/examples/demo/postgres.yaml");
    EXPECT_NE(text.find("@POSTGRES_UID@"), std::string::npos);
    return replace_all(replace_all(text, "@POSTGRES_UID@", uid_), "@POSTGRES_GID@", gid_);
  }

  CommandResult exec(const std::vector<std::string>& command,
                     std::chrono::seconds timeout = std::chrono::seconds(90)) {
    std::vector<std::string> args{"exec", "-n", kNs, kPod, "-c", "db", "--"};
    args.insert(args.end(), command.begin(), command.end());
    return sim_.kubectl(args, "", timeout);
  }

  // psql -tA in database `db` of the pod; fails the test when psql fails.
  std::string sql(const std::string& statements, const std::string& db = "app") {
    const CommandResult r = exec({std::string(kBin) + "psql", "-h", "/tmp", "-U", "postgres",
                                  "-d", db, "-tA", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                  statements});
    EXPECT_EQ(r.exit_code, 0) << statements << "\n" << r.describe();
    return r.out;
  }

  long count(const std::string& table) {
    const std::string out = sql("select count(*) from " + table);
    return out.empty() ? -1 : std::stol(out);
  }

  void wait_postgres_ready() {
    const CommandResult w =
        sim_.kubectl({"wait", "-n", kNs, "--for=condition=Ready", std::string("pod/") + kPod,
                      "--timeout=120s"},
                     "", std::chrono::seconds(150));
    ASSERT_EQ(w.exit_code, 0) << w.describe()
                              << sim_.kubectl({"logs", "-n", kNs, kPod, "-c", "db"}).describe()
                              << sim_.kubectl({"logs", "-n", kNs, kPod, "-c", "initdb"})
                                     .describe();
  }

  // The namespace and PostgreSQL pod of the demo, running, with an empty database `app`.
  void start_postgres() {
    ASSERT_NO_FATAL_FAILURE(apply(manifest()));
    ASSERT_NO_FATAL_FAILURE(wait_postgres_ready());
    const CommandResult who = exec({"id", "-un"});
    EXPECT_EQ(who.out, "postgres\n") << who.describe();
    sql("create database app", "postgres");
  }

  void backup(const std::string& name) {
    const auto started = SteadyClock::now();
    const CommandResult r = stillpoint({"backup", "create", name, "--include-namespaces", kNs});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    std::cout << "[ timing ] backup create " << name << ": "
              << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                       started)
                     .count()
              << " ms\n";
    const json b = backup_object(name);
    EXPECT_EQ(b["status"]["phase"], "Completed") << b.dump(2);
    EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 2) << b.dump(2);
    EXPECT_EQ(b["status"]["hookStatus"]["hooksFailed"], 0) << b.dump(2);
    // The pre hook dumped, the post hook removed the dump from the live pod: whatever the
    // restore finds in /scratch was copied between the two.
    const CommandResult logs = stillpoint({"backup", "logs", name}, false);
    EXPECT_NE(logs.out.find("dumped"), std::string::npos) << logs.describe();
    EXPECT_NE(logs.out.find("removed the dump"), std::string::npos) << logs.describe();
    const CommandResult gone = exec({"test", "!", "-e", "/scratch/backup.sql"});
    EXPECT_EQ(gone.exit_code, 0) << "the post hook did not remove the dump";

    const CommandResult d = stillpoint({"backup", "describe", name, "--details"}, false);
    ASSERT_EQ(d.exit_code, 0) << d.describe();
    EXPECT_NE(d.out.find("pg/postgres"), std::string::npos) << d.out;
    // The --details table of copied volumes: one row for pg/postgres's scratch.
    const std::string volumes = section(d.out, "Pod volumes:");
    EXPECT_TRUE(has_line_with(volumes, {"pg/postgres", "scratch", "Completed"}))
        << "no Completed line for the scratch volume in:\n"
        << d.out;
  }

  void delete_namespace() {
    const CommandResult r =
        sim_.kubectl({"delete", "namespace", kNs, "--timeout=90s"}, "", std::chrono::seconds(120));
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
        [&] { return sim_.kubectl({"get", "namespace", kNs}).exit_code != 0; },
        std::chrono::seconds(60)));
  }

  // restore create, Completed, its one exec hook Succeeded; the pod got stillpoint's
  // restore-wait init container first, then its own initdb.
  void restore(const std::string& name, const std::string& backup) {
    const auto started = SteadyClock::now();
    const CommandResult r = stillpoint({"restore", "create", name, "--from-backup", backup});
    std::cout << "[ timing ] restore create " << name << ": "
              << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                       started)
                     .count()
              << " ms\n";
    const CommandResult logs = stillpoint({"restore", "logs", name}, false);
    ASSERT_EQ(r.exit_code, 0) << r.describe() << logs.describe()
                              << stillpoint({"restore", "describe", name, "--details"}, false)
                                     .describe();
    const CommandResult get = stillpoint({"restore", "get", name, "-o", "json"}, false);
    ASSERT_EQ(get.exit_code, 0) << get.describe();
    const json list = json::parse(get.out, nullptr, false);
    ASSERT_TRUE(list.is_object() && list["items"].size() == 1) << get.out;
    const json& restore = list["items"][0];
    EXPECT_EQ(restore["status"]["phase"], "Completed") << restore.dump(2);
    EXPECT_EQ(restore["status"]["hookStatus"]["hooksAttempted"], 1) << restore.dump(2);
    EXPECT_EQ(restore["status"]["hookStatus"]["hooksFailed"], 0) << restore.dump(2);
    ASSERT_EQ(restore["status"]["hookResults"].size(), 1u) << restore.dump(2);
    EXPECT_EQ(restore["status"]["hookResults"][0]["pod"], kPod);
    EXPECT_EQ(restore["status"]["hookResults"][0]["container"], "db");
    EXPECT_EQ(restore["status"]["hookResults"][0]["result"], "Succeeded");
    EXPECT_NE(logs.out.find("loaded the dump"), std::string::npos) << logs.out;

    const CommandResult pod = sim_.kubectl({"get", "pod", "-n", kNs, kPod, "-o", "json"});
    ASSERT_EQ(pod.exit_code, 0) << pod.describe();
    const json p = json::parse(pod.out);
    ASSERT_EQ(p["spec"]["initContainers"].size(), 2u) << p["spec"].dump(2);
    EXPECT_EQ(p["spec"]["initContainers"][0]["name"], "restore-wait");
    EXPECT_EQ(p["spec"]["initContainers"][1]["name"], "initdb");
    // The dump came back in the volume, as the pre hook left it.
    const CommandResult dump = exec({"head", "-c", "200", "/scratch/backup.sql"});
    EXPECT_EQ(dump.exit_code, 0) << dump.describe();
    EXPECT_NE(dump.out.find("PostgreSQL database dump"), std::string::npos) << dump.out;
  }

  std::string uid_;
  std::string gid_;
};

constexpr int kRows = 1000;

std::string expected_items() {
  std::string out;
  for (int i = 1; i <= kRows; ++i)
    out += std::to_string(i) + "|item-" + std::to_string(i) + "|" +
           std::to_string(i * 37 % 10007) + "\n";
  return out;
}

// Scenario A: 1000 known rows survive backup (pg_dump pre hook, scratch volume), namespace
// deletion and restore (volume back before the pod starts, dump loaded by the exec hook).
TEST_F(PostgresE2eTest, DumpInScratchVolumeRestoresTheRows) {
  const auto started = SteadyClock::now();
  ASSERT_NO_FATAL_FAILURE(start_postgres());
  sql("create table items(id int primary key, name text not null, price_cents int not null);"
      "insert into items select g, 'item-' || g, g * 37 % 10007 from generate_series(1, " +
      std::to_string(kRows) + ") g");
  const std::string query = "select id, name, price_cents from items order by id";
  ASSERT_TRUE(same_rows(sql(query), expected_items()));

  ASSERT_NO_FATAL_FAILURE(backup("pg-a"));
  ASSERT_NO_FATAL_FAILURE(delete_namespace());
  ASSERT_NO_FATAL_FAILURE(restore("pg-a-restore", "pg-a"));

  EXPECT_EQ(count("items"), kRows);
  EXPECT_TRUE(same_rows(sql(query), expected_items()));
  std::cout << "[ timing ] scenario A: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                     started)
                   .count()
            << " ms\n";
}

// Scenario B: a writer commits transactions while the backup runs, each inserting an order
// and its payment (with a pause between the two inserts, so a reader outside one snapshot
// would see orders without payments). The restored database is one snapshot taken during
// the writes: no fewer rows than when the backup started, fewer than when it ended, and every
// order with its payment, ids 1..N without a gap.
TEST_F(PostgresE2eTest, BackupDuringWritesRestoresOneConsistentSnapshot) {
  const auto started = SteadyClock::now();
  ASSERT_NO_FATAL_FAILURE(start_postgres());
  sql("create table orders(id int primary key, total int not null);"
      "create table payments(order_id int primary key, amount int not null)");

  // One psql session, so transactions commit in id order; it stops at the stop file, or at
  // the latest after 5,000 transactions (a few ms each here: ~1,200 are committed by then).
  const std::string writer =
      "i=0; while [ $i -lt 5000 ] && [ ! -e /tmp/stop-writer ]; do i=$((i+1)); "
      "echo \"BEGIN; INSERT INTO orders VALUES ($i, $((i * 7 % 1000))); "
      "SELECT pg_sleep(0.001); "
      "INSERT INTO payments VALUES ($i, $((i * 7 % 1000))); COMMIT;\"; done | " +
      std::string(kBin) + "psql -h /tmp -U postgres -d app -q -v ON_ERROR_STOP=1 >/dev/null";
  CommandResult writer_result;
  std::thread writer_thread(
      [&] { writer_result = exec({"/bin/sh", "-c", writer}, std::chrono::seconds(60)); });
  const bool writing = kubesim::testing::KubesimFixture::eventually(
      [&] { return count("payments") >= 200; }, std::chrono::seconds(30));
  const long before = count("payments");

  backup("pg-b");

  const long after_backup = count("payments");
  const CommandResult stop = exec({"touch", "/tmp/stop-writer"});
  writer_thread.join();
  ASSERT_FALSE(HasFatalFailure()) << "the backup failed";
  ASSERT_TRUE(writing) << "the writer did not start";
  ASSERT_EQ(stop.exit_code, 0) << stop.describe();
  ASSERT_EQ(writer_result.exit_code, 0) << writer_result.describe();
  const long final_count = count("payments");
  ASSERT_EQ(count("orders"), final_count);
  std::cout << "[ info   ] payments: " << before << " when the backup started, " << after_backup
            << " when it ended, " << final_count << " when the writer stopped\n";
  // The writer was still running when the backup ended.
  ASSERT_GT(after_backup, before);

  ASSERT_NO_FATAL_FAILURE(delete_namespace());
  ASSERT_NO_FATAL_FAILURE(restore("pg-b-restore", "pg-b"));

  const long orders = count("orders");
  const long payments = count("payments");
  std::cout << "[ info   ] restored: " << orders << " orders, " << payments << " payments\n";
  EXPECT_EQ(orders, payments);
  // Taken while the writer ran: not before the backup started, and well before it ended (the
  // volume copy, the post hook and the tarball come after the dump).
  EXPECT_GE(orders, before);
  EXPECT_LT(orders, after_backup);
  // One snapshot: every order has its payment and vice versa, amounts equal, no gap.
  EXPECT_EQ(sql("select count(*) from orders o full join payments p on p.order_id = o.id "
                "where o.id is null or p.order_id is null or o.total <> p.amount"),
            "0\n");
  long expected_sum = 0;
  for (long i = 1; i <= orders; ++i) expected_sum += i * 7 % 1000;
  EXPECT_EQ(sql("select min(id), max(id), sum(total) from orders"),
            "1|" + std::to_string(orders) + "|" + std::to_string(expected_sum) + "\n");
  std::cout << "[ timing ] scenario B: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                     started)
                   .count()
            << " ms\n";
}

}  // namespace
}  // namespace stillpoint::e2e
