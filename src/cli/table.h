// A plain-text table for people: columns padded to the widest cell, two spaces apart.
// Debian packages no table library for C++ (reference/dependencies.md §3), and this is all
// the CLI needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stillpoint::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // A line printed as is between rows (notes under a pod), not counted in column widths.
  void add_note(std::string line) { rows_.push_back({"\x01" + std::move(line)}); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// 1536 → "1.5 KiB": byte counts for people.
std::string human_bytes(uint64_t n);

// Shell-like rendering of an argv for display: args with spaces or quotes are quoted.
std::string display_command(const std::vector<std::string>& argv);

}  // namespace stillpoint::cli
