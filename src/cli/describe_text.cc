#include "cli/describe_text.h"

#include <vector>

#include <fmt/format.h>

#include "cli/object_fields.h"
#include "cli/table.h"

namespace stillpoint::cli {

using nlohmann::json;

std::string phase_lines(const json& object) {
  std::string out = fmt::format("Phase:        {}\n", field_text(object, "/status/phase"));
  if (const auto reason = field_text(object, "/status/failureReason"); !reason.empty()) {
    out += fmt::format("Failure:      {}\n", reason);
  }
  return out;
}

std::string pod_volumes_line(const json& object,
                             const std::string& field,
                             const std::string& done) {
  const std::string at = "/status/" + field;
  if (!object.contains(json::json_pointer(at))) {
    return "";
  }
  return fmt::format("Pod volumes:  {} of {} {}\n", field_text(object, (at + "/completed").c_str()),
                     field_text(object, (at + "/attempted").c_str()), done);
}

std::string hook_results_text(const json& object, bool with_phase) {
  std::vector<std::string> columns = {"POD",    "CONTAINER", "NAME",     "SOURCE",
                                      "RESULT", "EXIT",      "DURATION", "ERROR"};
  if (with_phase) {
    columns.insert(columns.begin() + 2, "PHASE");
  }
  Table hooks(std::move(columns));
  const json results = object.value("/status/hookResults"_json_pointer, json::array());
  for (const json& r : results) {
    std::vector<std::string> row = {r.value("namespace", "") + "/" + r.value("pod", ""),
                                    r.value("container", ""),
                                    r.value("name", ""),
                                    r.value("source", ""),
                                    r.value("result", ""),
                                    r.contains("exitCode") ? r["exitCode"].dump() : "",
                                    r.contains("durationMs") ? r["durationMs"].dump() + "ms" : "",
                                    r.value("error", "")};
    if (with_phase) {
      row.insert(row.begin() + 2, r.value("phase", ""));
    }
    hooks.add_row(std::move(row));
  }
  return "\nHooks:\n" + (results.empty() ? std::string("  <none>\n") : hooks.render());
}

}  // namespace stillpoint::cli
