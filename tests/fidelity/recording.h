// A recorded answer on disk (tests/fidelity/recorded-1.20/): one text file per object, its
// first line `# KEY`, then its reduced lines in sorted order, so a re-recording reviews as an
// ordinary diff of the paths that changed. File names are the key with every character outside
// `[A-Za-z0-9.-]` made `_` (they are for people; the key inside is what counts).
#pragma once

#include <filesystem>

#include "compare.h"
#include "core/result.h"

namespace stillpoint::fidelity {

// Every `*.txt` of `dir`. Errors: the directory is missing or a file has no `# KEY` line.
core::Result<Reduced> read_recording(const std::filesystem::path& dir);

// Replaces the `*.txt` files of `dir` (created if missing) with `answer`.
core::Status write_recording(const std::filesystem::path& dir, const Reduced& answer);

std::string recording_file_name(const std::string& key);

}  // namespace stillpoint::fidelity
