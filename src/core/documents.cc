#include "core/documents.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/yaml_reader.h"

namespace stillpoint::core {
namespace {

size_t first_non_space(std::string_view text) {
  size_t i = 0;
  // Skip a UTF-8 byte-order mark.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    i = 3;
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  return i;
}

}  // namespace

Result<std::vector<Document>> parse_documents(std::string_view text, const std::string& origin) {
  std::vector<Document> docs;
  const size_t start = first_non_space(text);
  if (start < text.size() && (text[start] == '{' || text[start] == '[')) {
    // JSON: parse it directly (faster than YAML and with JSON's own error positions).
    auto value = nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(start),
                                       text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
      // Report the position with a second, throwing parse: errors are rare, clarity wins.
      try {
        auto reparsed = nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(start),
                                              text.end());
        (void)reparsed;
      } catch (const nlohmann::json::exception& e) {
        // parse_error for syntax, out_of_range for numbers that overflow (e.g. 1e99999):
        // both are bad input, neither may escape.
        return unexpected(ErrorCode::InvalidArgument,
                          origin + ": invalid JSON: " + std::string(e.what()));
      }
      return unexpected(ErrorCode::InvalidArgument, origin + ": invalid JSON");
    }
    docs.push_back(Document{1, std::move(value)});
    return docs;
  }
  auto yaml = read_yaml_documents(text, origin, document_node_budget(text.size()),
                                  kMaxDocumentDepth);
  if (!yaml) {
    return unexpected(yaml.error());
  }
  for (auto& doc : *yaml) {
    if (!doc.value.is_null()) {
      docs.push_back(Document{doc.index, std::move(doc.value)});
    }
  }
  return docs;
}

Result<std::string> read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream out;
    out << std::cin.rdbuf();
    return out.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return unexpected(ErrorCode::NotFound, path + ": cannot open: " + std::strerror(errno));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) {
    return unexpected(ErrorCode::Io, path + ": read failed: " + std::strerror(errno));
  }
  return out.str();
}

Result<std::vector<Document>> load_documents(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return unexpected(text.error());
  }
  return parse_documents(*text, path == "-" ? "<stdin>" : path);
}

namespace {

template <class Json>
void emit(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      if (value.empty()) {
        out << YAML::Flow;  // `{}` on the key's line, not a dangling block
      }
      out << YAML::BeginMap;
      for (const auto& [k, v] : value.items()) {
        out << YAML::Key << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      if (value.empty()) {
        out << YAML::Flow;
      }
      out << YAML::BeginSeq;
      for (const auto& v : value) {
        emit(out, v);
      }
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& s = value.template get_ref<const std::string&>();
      // Quote strings a reader would take for null, a boolean or a number.
      if (!resolve_plain_scalar(s).is_string()) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      break;
    }
    case nlohmann::json::value_t::null:
      out << YAML::Null;
      break;
    case nlohmann::json::value_t::boolean:
      out << value.template get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
      out << value.template get<int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << value.template get<uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      out << value.template get<double>();
      break;
    default:
      out << YAML::Null;
  }
}

template <class Json>
std::string emit_document(const Json& value) {
  YAML::Emitter out;
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') {
    text.push_back('\n');
  }
  return text;
}

}  // namespace

std::string to_yaml(const nlohmann::json& value) { return emit_document(value); }
std::string to_yaml(const nlohmann::ordered_json& value) { return emit_document(value); }

}  // namespace stillpoint::core
