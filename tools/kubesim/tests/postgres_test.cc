// A real PostgreSQL from Debian's packages runs as a pod's container: as the postgres user
// (runAsUser/fsGroup), data on a PVC, ready by an exec probe, and answering psql through
// `kubectl exec`. This is the workload stillpoint's hooks freeze and dump.
#include <pwd.h>

#include <gtest/gtest.h>

#include "kubectl_harness.h"

namespace stillpoint::kubesim::testing {
namespace {

TEST(Postgres, RunsInAPodAndAnswersPsqlThroughExec) {
  struct passwd* pw = getpwnam("postgres");
  if (pw == nullptr || !std::filesystem::exists("/usr/lib/postgresql/15/bin/postgres") ||
      !std::filesystem::exists("/usr/bin/psql")) {
    GTEST_SKIP() << "PostgreSQL 15 server and client are not installed";
  }
  std::string uid = std::to_string(pw->pw_uid);
  std::string gid = std::to_string(pw->pw_gid);
  KubesimFixture k;
  const std::string manifest = R"(apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pgdata}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: pg, labels: {app: postgres}}
spec:
  securityContext: {runAsUser: )" + uid + ", runAsGroup: " + gid + ", fsGroup: " + gid + R"(}
  initContainers:
  - name: initdb
    image: postgres:15
    env: [{name: PGDATA, value: /var/lib/postgresql/data/pgdata}]
    command: [sh, -c, 'test -f $(PGDATA)/PG_VERSION || /usr/lib/postgresql/15/bin/initdb -D $(PGDATA) -U postgres --auth=trust']
    volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  containers:
  - name: postgres
    image: postgres:15
    command: [/usr/lib/postgresql/15/bin/postgres, -D, /var/lib/postgresql/data/pgdata,
              -c, listen_addresses=, -c, unix_socket_directories=/tmp]
    volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
    readinessProbe:
      exec: {command: [/usr/lib/postgresql/15/bin/pg_isready, -h, /tmp, -U, postgres]}
      periodSeconds: 1
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: pgdata}
)";
  CommandResult a = k.kubectl({"apply", "-f", "-"}, manifest);
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  CommandResult w = k.kubectl({"wait", "--for=condition=Ready", "pod/pg", "--timeout=120s"},
                              "", std::chrono::seconds(150));
  ASSERT_EQ(w.exit_code, 0) << w.describe() << k.kubectl({"logs", "pg"}).describe()
                            << k.kubectl({"logs", "pg", "-c", "initdb"}).describe();
  CommandResult who = k.kubectl({"exec", "pg", "--", "id", "-un"});
  EXPECT_EQ(who.out, "postgres\n") << who.describe();
  CommandResult create = k.kubectl({"exec", "pg", "--", "psql", "-h", "/tmp", "-U", "postgres",
                                    "-v", "ON_ERROR_STOP=1", "-c",
                                    "create table t(x int); insert into t values (42);"});
  ASSERT_EQ(create.exit_code, 0) << create.describe();
  // SQL on stdin, as a restore hook would pipe a dump.
  CommandResult q = k.kubectl({"exec", "-i", "pg", "--", "psql", "-h", "/tmp", "-U", "postgres",
                               "-tA", "-v", "ON_ERROR_STOP=1"},
                              "select x * 2 from t;\n");
  EXPECT_EQ(q.exit_code, 0) << q.describe();
  EXPECT_EQ(q.out, "84\n") << q.describe();
  CommandResult bad = k.kubectl({"exec", "pg", "--", "psql", "-h", "/tmp", "-U", "postgres",
                                 "-v", "ON_ERROR_STOP=1", "-c", "select * from missing;"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("command terminated with exit code"), std::string::npos)
      << bad.describe();
  CommandResult del = k.kubectl({"delete", "pod", "pg", "--timeout=60s"}, "",
                                std::chrono::seconds(90));
  EXPECT_EQ(del.exit_code, 0) << del.describe();
}

}  // namespace
}  // namespace stillpoint::kubesim::testing
