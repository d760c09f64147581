#include "hooks/annotations.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <fmt/format.h>

#include "core/text.h"
#include "hooks/command.h"
#include "hooks/timeouts.h"

namespace stillpoint::hooks {
namespace {

using core::go_quote;

std::string get(const core::Labels& annotations, const std::string& key) {
  const auto it = annotations.find(key);
  return it == annotations.end() ? std::string() : it->second;
}

bool has(const core::Labels& annotations, const std::string& key) {
  return annotations.find(key) != annotations.end();
}

std::vector<std::string> parse_command_annotation(const std::string& key,
                                                  const std::string& value,
                                                  Findings& findings) {
  ParsedCommand parsed = parse_command(value);
  if (parsed.json_error) {
    findings.warn(key + " " + go_quote(value) + " starts with '[' but is not a JSON list of " +
                  "strings (" + *parsed.json_error + "); it runs as one argument, as Velero does");
  } else if (looks_like_unsplit_command(parsed.argv)) {
    findings.warn(key + " " + go_quote(value) +
                  " runs as ONE executable name with spaces in it (commands are not split and "
                  "not run in a shell); write a JSON list such as [\"/bin/sh\",\"-c\",\"...\"]");
  }
  return parsed.argv;
}

std::optional<OnError> parse_on_error(const std::string& key,
                                      const std::string& value,
                                      OnError fallback,
                                      Findings& findings) {
  if (value == "Fail") {
    return OnError::Fail;
  }
  if (value == "Continue") {
    return OnError::Continue;
  }
  if (!value.empty()) {
    findings.warn(key + " " + go_quote(value) + " is not Continue or Fail (case matters); " +
                  "the default " + to_string(fallback) + " applies");
  }
  return std::nullopt;
}

std::optional<Duration> parse_duration_annotation(const core::Labels& annotations,
                                                  const std::string& key,
                                                  const std::string& default_text,
                                                  Findings& findings,
                                                  DurationBound bound = DurationBound::CappedAt4h) {
  const auto it = annotations.find(key);
  if (it == annotations.end() || it->second.empty()) {
    return std::nullopt;
  }
  ParsedDuration parsed = parse_hook_duration(key, it->second, default_text, bound);
  if (!parsed.problem.empty()) {
    findings.warn(parsed.problem);
  }
  return parsed.value;
}

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(const std::string& s) {
  static constexpr std::array kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::array kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(kTrue.begin(), kTrue.end(), s) != kTrue.end()) {
    return true;
  }
  if (std::find(kFalse.begin(), kFalse.end(), s) != kFalse.end()) {
    return false;
  }
  return std::nullopt;
}

const std::string kDefaultTimeoutText = "the default 30s";

}  // namespace

std::optional<ExecHook> backup_annotation_hook(const core::Labels& annotations,
                                               HookPhase phase,
                                               Findings& findings) {
  std::string prefix =
      phase == HookPhase::Pre ? annotation::kBackupPrePrefix : annotation::kBackupPostPrefix;
  if (phase == HookPhase::Pre && get(annotations, prefix + "command").empty()) {
    const std::string legacy = annotation::kBackupLegacyPrefix;
    if (!get(annotations, legacy + "command").empty()) {
      for (const char* field : {"container", "on-error", "timeout"}) {
        if (has(annotations, prefix + field)) {
          findings.warn(prefix + field + " is ignored: the hook comes from the legacy " + legacy +
                        "command, and the two key sets are never mixed");
        }
      }
      prefix = legacy;
    }
  } else if (phase == HookPhase::Pre) {
    const std::string legacy = annotation::kBackupLegacyPrefix;
    if (has(annotations, legacy + "command")) {
      findings.warn(legacy + "command is ignored: " + prefix + "command takes precedence");
    }
  }
  const std::string command_key = prefix + "command";
  const std::string command = get(annotations, command_key);
  if (command.empty()) {
    for (const char* field : {"container", "on-error", "timeout"}) {
      if (has(annotations, prefix + field)) {
        findings.warn(prefix + field + " is set but " + command_key +
                      " is absent or empty: no annotation hook for this phase");
      }
    }
    return std::nullopt;
  }
  ExecHook hook;
  hook.container = get(annotations, prefix + "container");
  hook.command = parse_command_annotation(command_key, command, findings);
  hook.on_error =
      parse_on_error(prefix + "on-error", get(annotations, prefix + "on-error"), OnError::Fail,
                     findings);
  hook.timeout =
      parse_duration_annotation(annotations, prefix + "timeout", kDefaultTimeoutText, findings);
  return hook;
}

std::optional<RestoreExecHook> restore_exec_annotation_hook(const core::Labels& annotations,
                                                            Findings& findings) {
  const std::string prefix = annotation::kRestoreExecPrefix;
  const std::string command = get(annotations, prefix + "command");
  if (command.empty()) {
    for (const char* field :
         {"container", "on-error", "exec-timeout", "wait-timeout", "wait-for-ready"}) {
      if (has(annotations, prefix + field)) {
        findings.warn(prefix + field + " is set but " + prefix +
                      "command is absent or empty: no annotation exec hook");
      }
    }
    return std::nullopt;
  }
  RestoreExecHook hook;
  hook.container = get(annotations, prefix + "container");
  hook.command = parse_command_annotation(prefix + "command", command, findings);
  hook.on_error = parse_on_error(prefix + "on-error", get(annotations, prefix + "on-error"),
                                 OnError::Continue, findings);
  hook.exec_timeout = parse_duration_annotation(annotations, prefix + "exec-timeout",
                                                kDefaultTimeoutText, findings);
  hook.wait_timeout = parse_duration_annotation(
      annotations, prefix + "wait-timeout", "the restore's hook wait limit", findings,
      DurationBound::Uncapped);
  if (auto it = annotations.find(prefix + "wait-for-ready"); it != annotations.end()) {
    auto value = parse_go_bool(it->second);
    if (!value) {
      findings.warn(prefix + "wait-for-ready " + go_quote(it->second) +
                    " is not a boolean (true, false, 1, 0, t, f); false applies");
    }
    hook.wait_for_ready = value.value_or(false);
  }
  return hook;
}

namespace {

// FNV-1a: stable across runs and machines, which is all a generated name needs.
uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) {
    return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

}  // namespace

std::optional<nlohmann::json> restore_init_annotation_container(const core::Labels& annotations,
                                                                const std::string& pod_key,
                                                                Findings& findings) {
  const std::string prefix = annotation::kRestoreInitPrefix;
  const std::string image = get(annotations, prefix + "container-image");
  if (image.empty()) {
    for (const char* field : {"container-name", "command"}) {
      if (has(annotations, prefix + field)) {
        findings.warn(prefix + field + " is set but " + prefix +
                      "container-image is absent or empty: no init container is added");
      }
    }
    return std::nullopt;
  }
  std::string name = get(annotations, prefix + "container-name");
  if (name.empty()) {
    name = fmt::format("restore-init-{:08x}", fnv1a(pod_key));
  } else if (!is_dns_label(name)) {
    findings.error(prefix + "container-name " + go_quote(name) +
                   " is not a valid container name (lowercase letters, digits and '-', at most "
                   "63, starting and ending with a letter or digit): the pod would be rejected");
  }
  nlohmann::json container = {{"name", name}, {"image", image}};
  const std::string command = get(annotations, prefix + "command");
  if (!command.empty()) {
    container["command"] = parse_command_annotation(prefix + "command", command, findings);
  }
  return container;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

struct KeyFamily {
  const char* prefix;
  std::vector<std::string> fields;
};

}  // namespace

void check_hook_annotation_keys(const core::Labels& annotations,
                                Operation operation,
                                Findings& findings) {
  static const std::vector<KeyFamily> kBackup = {
      {annotation::kBackupPrePrefix, {"container", "command", "on-error", "timeout"}},
      {annotation::kBackupPostPrefix, {"container", "command", "on-error", "timeout"}},
      {annotation::kBackupLegacyPrefix, {"container", "command", "on-error", "timeout"}},
  };
  static const std::vector<KeyFamily> kRestore = {
      {annotation::kRestoreExecPrefix,
       {"container", "command", "on-error", "exec-timeout", "wait-timeout", "wait-for-ready"}},
      {annotation::kRestoreInitPrefix, {"container-image", "container-name", "command"}},
  };
  const auto& families = operation == Operation::Backup ? kBackup : kRestore;
  for (const auto& [key, value] : annotations) {
    for (const auto& family : families) {
      const std::string_view prefix = family.prefix;
      if (key.compare(0, prefix.size(), prefix) != 0) {
        continue;
      }
      const std::string field = key.substr(prefix.size());
      if (std::find(family.fields.begin(), family.fields.end(), field) != family.fields.end()) {
        continue;
      }
      if (prefix == annotation::kRestoreInitPrefix && field == "timeout") {
        findings.warn(key + " is ignored: init containers have no timeout (as in Velero)");
        continue;
      }
      std::string suggestion;
      if (prefix == annotation::kRestoreExecPrefix && field == "timeout") {
        suggestion = std::string(prefix) + "exec-timeout";
      } else {
        size_t best = 3;
        for (const auto& known : family.fields) {
          const size_t d = edit_distance(field, known);
          if (d < best) {
            best = d;
            suggestion = std::string(prefix) + known;
          }
        }
      }
      findings.warn("unknown hook annotation " + key + " is ignored" +
                    (suggestion.empty() ? std::string()
                                        : " (did you mean " + suggestion + "?)"));
    }
  }
}

}  // namespace stillpoint::hooks
