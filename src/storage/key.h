// Object keys as the local store maps them to files: relative, '/'-separated, no "." or ".."
// segments, no empty segments. Checked before any filesystem call so that a key can never
// name a file outside the store's root. Kept apart from local_store.cc so that a future S3
// store rejects the same keys (a backup must be portable between the two).
#pragma once

#include <string_view>

#include "core/result.h"

namespace stillpoint::storage {

// Marks a temporary file of an uncommitted put(): ".<name>.partial-XXXXXX". Keys whose last
// segment looks like this are rejected, so list() can hide temp files without hiding objects.
inline constexpr std::string_view kPartialMarker = ".partial-";

bool is_partial_name(std::string_view file_name);

// InvalidArgument naming the key when it is not a valid object key.
core::Status validate_key(std::string_view key);

// A list/remove prefix: empty, or a key prefix (may end with '/'); same segment rules.
core::Status validate_prefix(std::string_view prefix);

}  // namespace stillpoint::storage
