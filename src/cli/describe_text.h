// Pieces of `describe`'s text that every kind of recorded operation prints alike, read from
// its velero.io/v1 object: the phase (and failure) lines, the pod volume count and the
// --details hook table. The layout of the rest is each kind's (backup_read_commands.cc,
// restore_read_commands.cc).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::cli {

// "Phase:        <status.phase>", then "Failure:      <status.failureReason>" when there is one.
std::string phase_lines(const nlohmann::json& object);

// "Pod volumes:  <completed> of <attempted> <done>" from status.<field>; empty without it.
std::string pod_volumes_line(const nlohmann::json& object,
                             const std::string& field,
                             const std::string& done);

// The --details hook section, from status.hookResults; backups show each hook's phase
// (pre/post), restores have only one.
std::string hook_results_text(const nlohmann::json& object, bool with_phase);

}  // namespace stillpoint::cli
