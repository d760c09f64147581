// Real workloads on kubesim (issue 17): the StatefulSet, DaemonSet and Deployment scenario of
// tests/scenarios, which runs unchanged on the real cluster (tests/realcluster), against
// kubesim's controllers.
#include "e2e_fixture.h"
#include "workloads_scenario.h"

namespace stillpoint::e2e {
namespace {

class WorkloadsE2eTest : public E2eTest {
 protected:
  // This fixture seen as a ScenarioCluster.
  class Adapter : public scenarios::ScenarioCluster {
   public:
    explicit Adapter(WorkloadsE2eTest& t) : t_(t) {}
    CommandResult kubectl(const std::vector<std::string>& args,
                          const std::string& input,
                          std::chrono::seconds timeout) override {
      return t_.sim_.kubectl(args, input, timeout);
    }
    CommandResult stillpoint(std::vector<std::string> args, bool cluster) override {
      return t_.stillpoint(std::move(args), cluster);
    }
    // kubesim's containers see the host's filesystem whatever the image.
    std::string image() const override { return "debian"; }
    std::string new_namespace() override { return "wl" + std::to_string(++count_); }
    std::chrono::seconds start_limit() const override { return std::chrono::seconds(60); }

   private:
    WorkloadsE2eTest& t_;
    int count_ = 0;
  };
};

TEST_F(WorkloadsE2eTest, StatefulSetDaemonSetAndDeploymentComeBackUnderTheirControllers) {
  Adapter cluster(*this);
  scenarios::workloads_come_back_under_their_controllers(cluster);
}

}  // namespace
}  // namespace stillpoint::e2e
