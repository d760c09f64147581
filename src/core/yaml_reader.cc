#include "core/yaml_reader.h"

#include <yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>

namespace stillpoint::core {
namespace {

bool is_null_scalar(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
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

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool float_scalar(const std::string& s, nlohmann::json& out) {
  size_t i = 0;
  auto digits_at = [&](size_t& pos) {
    size_t n = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      ++pos;
      ++n;
    }
    return n;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  size_t digits = digits_at(i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    digits += digits_at(i);
  }
  if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    if (digits_at(i) == 0) {
      return false;
    }
  }
  if (i != s.size()) {
    return false;
  }
  out = std::strtod(s.c_str(), nullptr);
  return true;
}

struct Frame {
  nlohmann::json value;
  std::optional<std::string> key;  // a map's pending key
  std::string anchor;
  size_t nodes = 1;  // nodes in this subtree, for alias budgets
};

class Reader {
 public:
  Reader(std::string origin, size_t max_nodes, size_t max_depth)
      : origin_(std::move(origin)), max_nodes_(max_nodes), max_depth_(max_depth) {}

  Result<std::vector<YamlDocument>> read(std::string_view text) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
      return unexpected(ErrorCode::Internal, origin_ + ": cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    auto result = loop(parser);
    yaml_parser_delete(&parser);
    if (!result) {
      return unexpected(result.error());
    }
    return std::move(docs_);
  }

 private:
  Status loop(yaml_parser_t& parser) {
    while (true) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser, &event)) {
        std::string message = origin_ + ": invalid YAML: line " +
                              std::to_string(parser.problem_mark.line + 1) + ", column " +
                              std::to_string(parser.problem_mark.column + 1) + ": " +
                              (parser.problem ? parser.problem : "parse error");
        if (parser.context) {
          message += std::string(" ") + parser.context;
        }
        return unexpected(ErrorCode::InvalidArgument, message);
      }
      Status status = handle(event);
      const bool done = event.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&event);
      if (!status) {
        return status;
      }
      if (done) {
        return ok();
      }
    }
  }

  Unexpected fail(const yaml_event_t& event, const std::string& what) const {
    return unexpected(ErrorCode::InvalidArgument,
                      origin_ + ": document " + std::to_string(docs_.size() + 1) + ": line " +
                          std::to_string(event.start_mark.line + 1) + ": " + what);
  }

  static std::string text_of(const yaml_char_t* s) {
    return s ? std::string(reinterpret_cast<const char*>(s)) : std::string();
  }

  Status count(const yaml_event_t& event, size_t n) {
    nodes_ += n;
    if (nodes_ > max_nodes_) {
      return fail(event, "more than " + std::to_string(max_nodes_) +
                             " nodes (are aliases expanding recursively?)");
    }
    return ok();
  }

  // Places a finished node into its parent (or makes it the document).
  Status place(const yaml_event_t& event, Frame node) {
    if (!node.anchor.empty()) {
      anchors_[node.anchor] = {node.value, node.nodes};
    }
    if (stack_.empty()) {
      document_ = std::move(node.value);
      return ok();
    }
    Frame& parent = stack_.back();
    parent.nodes += node.nodes;
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(node.value));
      return ok();
    }
    if (!parent.key) {
      if (!node.value.is_string()) {
        if (node.value.is_object() || node.value.is_array()) {
          return fail(event, "map keys must be scalars");
        }
        parent.key = node.value.dump();  // 1: a, true: b — keys are strings in JSON
      } else {
        parent.key = node.value.get<std::string>();
      }
      if (parent.value.contains(*parent.key)) {
        return fail(event, "duplicate key \"" + *parent.key + "\"");
      }
      return ok();
    }
    parent.value[*parent.key] = std::move(node.value);
    parent.key.reset();
    return ok();
  }

  Status handle(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_DOCUMENT_START_EVENT:
        document_ = nullptr;
        anchors_.clear();
        return ok();
      case YAML_DOCUMENT_END_EVENT:
        docs_.push_back({docs_.size() + 1, std::move(document_)});
        return ok();
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (stack_.size() >= max_depth_) {
          return fail(event, "nested deeper than " + std::to_string(max_depth_) + " levels");
        }
        if (auto s = count(event, 1); !s) {
          return s;
        }
        Frame frame;
        const bool seq = event.type == YAML_SEQUENCE_START_EVENT;
        frame.value = seq ? nlohmann::json::array() : nlohmann::json::object();
        frame.anchor =
            text_of(seq ? event.data.sequence_start.anchor : event.data.mapping_start.anchor);
        stack_.push_back(std::move(frame));
        return ok();
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        Frame frame = std::move(stack_.back());
        stack_.pop_back();
        return place(event, std::move(frame));
      }
      case YAML_SCALAR_EVENT: {
        if (auto s = count(event, 1); !s) {
          return s;
        }
        Frame frame;
        const std::string value(reinterpret_cast<const char*>(event.data.scalar.value),
                                event.data.scalar.length);
        const std::string tag = text_of(event.data.scalar.tag);
        const bool plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (tag == "tag:yaml.org,2002:str" || (!plain && tag.empty())) {
          frame.value = value;
        } else {
          frame.value = resolve_plain_scalar(value);
        }
        frame.anchor = text_of(event.data.scalar.anchor);
        return place(event, std::move(frame));
      }
      case YAML_ALIAS_EVENT: {
        const auto it = anchors_.find(text_of(event.data.alias.anchor));
        if (it == anchors_.end()) {
          return fail(event, "unknown alias *" + text_of(event.data.alias.anchor));
        }
        if (auto s = count(event, it->second.second); !s) {
          return s;
        }
        Frame frame;
        frame.value = it->second.first;
        frame.nodes = it->second.second;
        return place(event, std::move(frame));
      }
      default:
        return ok();
    }
  }

  std::string origin_;
  size_t max_nodes_;
  size_t max_depth_;
  size_t nodes_ = 0;
  std::vector<Frame> stack_;
  nlohmann::json document_;
  std::map<std::string, std::pair<nlohmann::json, size_t>> anchors_;
  std::vector<YamlDocument> docs_;
};

}  // namespace

nlohmann::json resolve_plain_scalar(const std::string& s) {
  if (is_null_scalar(s)) {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return false;
  }
  nlohmann::json number;
  if (int_scalar(s, number) || float_scalar(s, number)) {
    return number;
  }
  return s;
}

Result<std::vector<YamlDocument>> read_yaml_documents(std::string_view text,
                                                      const std::string& origin,
                                                      size_t max_nodes,
                                                      size_t max_depth) {
  return Reader(origin, max_nodes, max_depth).read(text);
}

}  // namespace stillpoint::core
