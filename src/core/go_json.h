// JSON text as Go's encoding/json writes it, for every body stillpoint sends to an API server
// and every item it stores in a backup.
//
// Why: an API server keeps some fields as the raw bytes the client sent (runtime.RawExtension,
// e.g. a ControllerRevision's `data`) and re-encodes them with Go's encoder on every later
// update. Go's encoder escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings (json.Marshal
// with SetEscapeHTML(true), the default; `compact` does the same to a Marshaler's output), so
// bytes written with those characters literally differ from the re-encoded ones, and
// ValidateControllerRevisionUpdate refuses every later patch with "data: ... field is
// immutable": a restored StatefulSet or DaemonSet can then never adopt its revisions or pods.
// (k8s.io/kubernetes pkg/apis/apps/validation/validation.go, ValidateControllerRevisionUpdate;
// Go src/encoding/json/encode.go, appendString and `compact` in indent.go.)
//
// In JSON text these characters can only occur inside strings (numbers, literals and structure
// are ASCII without them), so escaping them byte by byte in the serialised text is exact.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stillpoint::core {

// `json_text` with `<` `>` `&` written as \u003c \u003e \u0026 and U+2028, U+2029 (UTF-8
// E2 80 A8 / E2 80 A9) as \u2028 \u2029. Everything else is copied unchanged. `json_text`
// must be JSON text (or any text where those characters occur only inside string literals).
std::string go_escape_json_text(std::string_view json_text);

// Compact JSON as Go's json.Marshal writes it: nlohmann's compact dump with the escapes above.
// Key order is nlohmann's (sorted); Go's `compact` keeps a raw field's order, so order never
// has to match for the bytes of one write to survive the server's re-encoding.
std::string go_json_dump(const nlohmann::json& value);

}  // namespace stillpoint::core
