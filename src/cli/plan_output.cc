#include "cli/plan_output.h"

#include "cli/table.h"
#include "core/go_duration.h"

namespace stillpoint::cli {
namespace {

using core::format_go_duration;

nlohmann::ordered_json messages(const std::vector<hooks::Finding>& findings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& f : findings) {
    out.push_back(f.message);
  }
  return out;
}

nlohmann::ordered_json hook_json(const hooks::PlannedExecHook& h) {
  return {{"name", h.name},
          {"source", hooks::to_string(h.source)},
          {"index", h.index},
          {"container", h.container},
          {"command", h.command},
          {"onError", hooks::to_string(h.on_error)},
          {"timeout", format_go_duration(h.timeout)}};
}

nlohmann::ordered_json hook_json(const hooks::PlannedRestoreExecHook& h) {
  return {{"name", h.name},
          {"source", hooks::to_string(h.source)},
          {"index", h.index},
          {"container", h.container},
          {"command", h.command},
          {"onError", hooks::to_string(h.on_error)},
          {"execTimeout", format_go_duration(h.exec_timeout)},
          {"waitTimeout", format_go_duration(h.wait_timeout)},
          {"waitForReady", h.wait_for_ready}};
}

template <class Plan>
nlohmann::ordered_json pod_header(const Plan& p) {
  return {{"namespace", p.namespace_name},
          {"name", p.pod_name},
          {"skipped", p.skipped},
          {"skipReason", p.skip_reason}};
}

template <class Plan>
void add_findings(Table& table, const Plan& p) {
  if (p.skipped) {
    table.add_note("    skipped: " + p.skip_reason);
  }
  for (const auto& f : p.findings.errors) {
    table.add_note("    error: " + f.message + (f.context.empty() ? "" : " (" + f.context + ")"));
  }
  for (const auto& f : p.findings.warnings) {
    table.add_note("    warning: " + f.message);
  }
}

}  // namespace

nlohmann::ordered_json plan_json(const std::vector<hooks::PodBackupPlan>& plans) {
  nlohmann::ordered_json pods = nlohmann::ordered_json::array();
  for (const auto& p : plans) {
    nlohmann::ordered_json pod = pod_header(p);
    pod["pre"] = nlohmann::ordered_json::array();
    pod["post"] = nlohmann::ordered_json::array();
    for (const auto& h : p.pre) {
      pod["pre"].push_back(hook_json(h));
    }
    for (const auto& h : p.post) {
      pod["post"].push_back(hook_json(h));
    }
    // Copied between pre and post, in this order (docs/volumes.md).
    pod["volumes"] = nlohmann::ordered_json::array();
    for (const auto& v : p.volumes) {
      pod["volumes"].push_back(
          {{"name", v.name}, {"type", v.type}, {"container", v.container},
           {"mountPath", v.mount_path}});
    }
    pod["warnings"] = messages(p.findings.warnings);
    pod["errors"] = messages(p.findings.errors);
    pods.push_back(std::move(pod));
  }
  return {{"operation", "backup"}, {"pods", std::move(pods)}};
}

nlohmann::ordered_json plan_json(const std::vector<hooks::PodRestorePlan>& plans) {
  nlohmann::ordered_json pods = nlohmann::ordered_json::array();
  for (const auto& p : plans) {
    nlohmann::ordered_json pod = pod_header(p);
    // The containers are the user's objects: keep them verbatim (their key order is the
    // decoder's, sorted).
    pod["initContainers"] = nlohmann::ordered_json::parse(p.init_containers.dump());
    pod["exec"] = nlohmann::ordered_json::array();
    for (const auto& h : p.exec) {
      pod["exec"].push_back(hook_json(h));
    }
    pod["warnings"] = messages(p.findings.warnings);
    pod["errors"] = messages(p.findings.errors);
    pods.push_back(std::move(pod));
  }
  return {{"operation", "restore"}, {"pods", std::move(pods)}};
}

std::string plan_table(const std::vector<hooks::PodBackupPlan>& plans) {
  Table table({"POD", "PHASE", "HOOK", "SOURCE", "CONTAINER", "ON-ERROR", "TIMEOUT", "COMMAND"});
  for (const auto& p : plans) {
    const std::string pod = p.namespace_name + "/" + p.pod_name;
    bool first = true;
    for (const auto* list : {&p.pre, &p.post}) {
      const char* phase = list == &p.pre ? "pre" : "post";
      if (list == &p.post) {
        // The volumes' data is copied between the two phases.
        for (const auto& v : p.volumes) {
          table.add_row({first ? pod : "", "volume", v.name, v.type, v.container, "-", "-",
                         display_command({"tar", "-C", v.mount_path, "-cf", "-", "."})});
          first = false;
        }
      }
      for (const auto& h : *list) {
        table.add_row({first ? pod : "", phase, h.name + "[" + std::to_string(h.index) + "]",
                       hooks::to_string(h.source), h.container, hooks::to_string(h.on_error),
                       format_go_duration(h.timeout), display_command(h.command)});
        first = false;
      }
    }
    if (first) {
      table.add_row({pod, "-", "(no hooks)"});
    }
    add_findings(table, p);
  }
  return table.render();
}

std::string plan_table(const std::vector<hooks::PodRestorePlan>& plans) {
  Table table({"POD", "STEP", "HOOK", "SOURCE", "CONTAINER", "ON-ERROR", "EXEC-TIMEOUT",
               "WAIT", "COMMAND"});
  for (const auto& p : plans) {
    const std::string pod = p.namespace_name + "/" + p.pod_name;
    bool first = true;
    for (const auto& c : p.init_containers) {
      std::vector<std::string> command;
      if (c.contains("command") && c["command"].is_array()) {
        for (const auto& arg : c["command"]) {
          command.push_back(arg.is_string() ? arg.get<std::string>() : arg.dump());
        }
      }
      table.add_row({first ? pod : "", "init", c.value("name", ""), "", "image " + c.value("image", ""), "",
                     "", "", command.empty() ? "(image entrypoint)" : display_command(command)});
      first = false;
    }
    for (const auto& h : p.exec) {
      const std::string wait =
          format_go_duration(h.wait_timeout) + (h.wait_for_ready ? " ready" : " running");
      table.add_row({first ? pod : "", "exec", h.name + "[" + std::to_string(h.index) + "]",
                     hooks::to_string(h.source), h.container, hooks::to_string(h.on_error),
                     format_go_duration(h.exec_timeout), wait, display_command(h.command)});
      first = false;
    }
    if (first) {
      table.add_row({pod, "-", "(no hooks)"});
    }
    add_findings(table, p);
  }
  return table.render();
}

}  // namespace stillpoint::cli
