#include "core/documents.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace stillpoint::core {
namespace {

bool is_null_scalar(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool bool_scalar(const std::string& s, bool& out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    out = false;
    return true;
  }
  return false;
}

bool int_scalar(const std::string& s, nlohmann::json& out) {
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') {
    ++begin;
  }
  if (begin == end) {
    return false;
  }
  if (*begin == '-') {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || p != end) {
      return false;
    }
    out = v;
    return true;
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || p != end) {
    return false;
  }
  if (v <= static_cast<uint64_t>(INT64_MAX)) {
    out = static_cast<int64_t>(v);
  } else {
    out = v;
  }
  return true;
}

bool float_scalar(const std::string& s, nlohmann::json& out) {
  // YAML 1.2 core: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    ++i;
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  if (i != s.size()) {
    return false;
  }
  out = std::strtod(s.c_str(), nullptr);
  return true;
}

class Converter {
 public:
  explicit Converter(std::string origin) : origin_(std::move(origin)) {}

  Result<nlohmann::json> convert(const YAML::Node& node, size_t depth) {
    if (++nodes_ > kMaxDocumentNodes) {
      return unexpected(ErrorCode::InvalidArgument,
                        origin_ + ": more than " + std::to_string(kMaxDocumentNodes) +
                            " nodes (are aliases expanding recursively?)");
    }
    if (depth > kMaxDocumentDepth) {
      return unexpected(ErrorCode::InvalidArgument,
                        origin_ + ": nested deeper than " + std::to_string(kMaxDocumentDepth) +
                            " levels");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nlohmann::json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) {
          auto value = convert(item, depth + 1);
          if (!value) {
            return value;
          }
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            return unexpected(ErrorCode::InvalidArgument,
                              origin_ + ": line " + std::to_string(kv.first.Mark().line + 1) +
                                  ": map keys must be scalars");
          }
          auto value = convert(kv.second, depth + 1);
          if (!value) {
            return value;
          }
          object[kv.first.Scalar()] = std::move(*value);
        }
        return object;
      }
    }
    return nlohmann::json(nullptr);
  }

 private:
  static nlohmann::json scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() != "?") {  // quoted ("!") or explicitly tagged: a string
      return s;
    }
    if (is_null_scalar(s)) {
      return nullptr;
    }
    bool b = false;
    if (bool_scalar(s, b)) {
      return b;
    }
    nlohmann::json number;
    if (int_scalar(s, number) || float_scalar(s, number)) {
      return number;
    }
    return s;
  }

  std::string origin_;
  size_t nodes_ = 0;
};

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
      } catch (const nlohmann::json::parse_error& e) {
        return unexpected(ErrorCode::InvalidArgument,
                          origin + ": invalid JSON: " + std::string(e.what()));
      }
      return unexpected(ErrorCode::InvalidArgument, origin + ": invalid JSON");
    }
    docs.push_back(Document{1, std::move(value)});
    return docs;
  }
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return unexpected(ErrorCode::InvalidArgument,
                      origin + ": invalid YAML: line " + std::to_string(e.mark.line + 1) +
                          ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return unexpected(ErrorCode::InvalidArgument, origin + ": invalid YAML: " + e.what());
  }
  Converter converter(origin);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].IsNull()) {
      continue;
    }
    Result<nlohmann::json> value = unexpected(ErrorCode::Internal, "unset");
    try {
      value = converter.convert(nodes[i], 0);
    } catch (const YAML::Exception& e) {
      return unexpected(ErrorCode::InvalidArgument, origin + ": document " +
                                                        std::to_string(i + 1) +
                                                        ": invalid YAML: " + e.msg);
    }
    if (!value) {
      return unexpected(value.error());
    }
    docs.push_back(Document{i + 1, std::move(*value)});
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
      nlohmann::json probe;
      bool b = false;
      const bool ambiguous = is_null_scalar(s) || bool_scalar(s, b) || int_scalar(s, probe) ||
                             float_scalar(s, probe);
      if (ambiguous) {
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
