#include "e2e_fixture.h"

#include <fstream>
#include <sstream>

namespace stillpoint::e2e {

E2eTest::E2eTest() : storage_(sim_.dir() / "backups"), markers_(sim_.dir() / "markers") {
  std::filesystem::create_directories(markers_);
  std::filesystem::permissions(markers_, std::filesystem::perms::all);
}

void E2eTest::apply(const std::string& yaml) {
  const CommandResult r = sim_.kubectl({"apply", "-f", "-"}, yaml);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
}

void E2eTest::wait_ready(const std::string& ns, const std::string& pod) {
  const CommandResult r = sim_.kubectl(
      {"wait", "-n", ns, "--for=condition=Ready", "pod/" + pod, "--timeout=60s"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
}

CommandResult E2eTest::stillpoint(std::vector<std::string> args, bool cluster) {
  std::vector<std::string> argv{STILLPOINT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  if (storage_flags_.empty()) {
    argv.push_back("--storage=" + storage_.string());
  } else {
    argv.insert(argv.end(), storage_flags_.begin(), storage_flags_.end());
  }
  if (cluster) argv.push_back("--kubeconfig=" + sim_.server().kubeconfig_path().string());
  return kubesim::testing::run_command(argv, "", std::chrono::seconds(240), env_);
}

std::vector<std::string> E2eTest::tarball_entries(const std::string& backup) {
  const auto path = storage_ / "backups" / backup / (backup + ".tar.gz");
  const CommandResult r = kubesim::testing::run_command({"tar", "tzf", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::vector<std::string> entries;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) entries.push_back(line);
  return entries;
}

nlohmann::json E2eTest::backup_object(const std::string& backup) {
  const std::string text = read_file(storage_ / "backups" / backup / "velero-backup.json");
  auto j = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

std::string E2eTest::read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace stillpoint::e2e
