// JSON text as a Go API server writes it. The escaping is stillpoint's own
// (core/go_json.h: `<`, `>`, `&` as \u003c, \u003e, \u0026 and U+2028/U+2029 as
// \u2028/\u2029 inside strings, as Go's encoding/json writes them); kubesim writes every JSON
// body through go_escape, with a fast path for text that needs none, so `kubectl get -o json`
// shows what it shows against a real cluster.
//
// Also the raw-bytes helpers the ControllerRevision `data` immutability check needs (a real
// server keeps `data` as the bytes the client sent, see revision_data.cc).
//
// Not a full Go encoder: numbers are printed by nlohmann (identical for integers, which is
// all Kubernetes objects carry in practice).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

// Escapes <, >, &, U+2028, U+2029 in serialized JSON text. Those bytes only occur inside
// strings in valid JSON, so a byte-level pass is exact. Returns `text` unchanged (moved)
// when it has none of them, which is the common case.
std::string go_escape(std::string text);

// json.Marshal of the generic value: sorted keys, compact, HTML-escaped.
std::string go_dump(const nlohmann::json& value);

// The raw bytes of the value of top-level member `key` in the JSON object `text`, exactly as
// written (whitespace, escapes and key order kept); nullopt when `text` is not a JSON object
// or has no such member. Like Go's decoder, the last occurrence of a duplicated key wins.
std::optional<std::string> raw_member(std::string_view text, std::string_view key);

// `text` (compact JSON of an object, as go_dump writes it) without its top-level members
// `a` and `b`: the same bytes as go_dump of the object with those keys erased, since the other
// members are written the same either way. nullopt when `text` is not a compact JSON object.
std::optional<std::string> without_members(std::string_view text,
                                           std::string_view a,
                                           std::string_view b);

// What json.Marshal does to a Marshaler's output (RawExtension): whitespace outside strings
// removed and HTML characters escaped; key order is kept. `raw` must be valid JSON.
std::string go_compact(std::string_view raw);

// Go's %#v of a []byte: `[]uint8{0x7b, 0x22}`.
std::string go_bytes_literal(std::string_view bytes);

}  // namespace stillpoint::kubesim
