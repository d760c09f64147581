#include "protobuf_body.h"

#include <vector>

#include "continue_token.h"

namespace stillpoint::kubesim {
namespace {

using core::ErrorCode;
using core::unexpected;

struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Iterates the top-level fields of one message.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  // false at the end; sets `error_` on malformed input.
  bool next(Field* f) {
    if (pos_ >= data_.size() || error_) {
      return false;
    }
    uint64_t key = 0;
    if (!varint(&key)) {
      return false;
    }
    f->number = static_cast<uint32_t>(key >> 3);
    f->wire = static_cast<uint32_t>(key & 7);
    if (f->wire == 0) {
      return varint(&f->varint);
    }
    if (f->wire == 2) {
      uint64_t len = 0;
      if (!varint(&len) || len > data_.size() - pos_) {
        error_ = true;
        return false;
      }
      f->bytes = data_.substr(pos_, len);
      pos_ += len;
      return true;
    }
    if (f->wire == 1 || f->wire == 5) {
      size_t n = f->wire == 1 ? 8 : 4;
      if (n > data_.size() - pos_) {
        error_ = true;
        return false;
      }
      pos_ += n;
      return true;
    }
    error_ = true;
    return false;
  }
  bool error() const { return error_; }

 private:
  bool varint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) {
        error_ = true;
        return false;
      }
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = v;
        return true;
      }
    }
    error_ = true;
    return false;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool error_ = false;
};

// map<string, string|bytes> entries: key = 1, value = 2.
std::pair<std::string, std::string> map_entry(std::string_view entry) {
  Reader r(entry);
  Field f;
  std::pair<std::string, std::string> kv;
  while (r.next(&f)) {
    if (f.wire == 2 && f.number == 1) kv.first = std::string(f.bytes);
    if (f.wire == 2 && f.number == 2) kv.second = std::string(f.bytes);
  }
  return kv;
}

nlohmann::json object_meta(std::string_view data) {
  nlohmann::json md = nlohmann::json::object();
  Reader r(data);
  Field f;
  while (r.next(&f)) {
    if (f.wire != 2) continue;
    switch (f.number) {
      case 1: md["name"] = std::string(f.bytes); break;
      case 2: md["generateName"] = std::string(f.bytes); break;
      case 3: md["namespace"] = std::string(f.bytes); break;
      case 11: {
        auto [k, v] = map_entry(f.bytes);
        md["labels"][k] = v;
        break;
      }
      case 12: {
        auto [k, v] = map_entry(f.bytes);
        md["annotations"][k] = v;
        break;
      }
      default: break;
    }
  }
  return md;
}

// Non-empty string fields of a message, by field number (gogo-protobuf writes empty ones too;
// JSON omits them).
nlohmann::json string_fields(std::string_view data,
                             const std::vector<std::pair<uint32_t, const char*>>& names) {
  nlohmann::json out = nlohmann::json::object();
  Reader r(data);
  Field f;
  while (r.next(&f)) {
    for (const auto& [number, name] : names) {
      if (f.wire == 2 && f.number == number && !f.bytes.empty()) {
        out[name] = std::string(f.bytes);
      }
    }
  }
  return out;
}

// authorization/v1 SelfSubjectAccessReviewSpec: resourceAttributes = 1,
// nonResourceAttributes = 2 (field and label selectors of ResourceAttributes are dropped).
nlohmann::json access_review_spec(std::string_view data) {
  nlohmann::json spec = nlohmann::json::object();
  Reader r(data);
  Field f;
  while (r.next(&f)) {
    if (f.wire == 2 && f.number == 1) {
      spec["resourceAttributes"] =
          string_fields(f.bytes, {{1, "namespace"}, {2, "verb"}, {3, "group"}, {4, "version"},
                                  {5, "resource"}, {6, "subresource"}, {7, "name"}});
    } else if (f.wire == 2 && f.number == 2) {
      spec["nonResourceAttributes"] = string_fields(f.bytes, {{1, "path"}, {2, "verb"}});
    }
  }
  return spec;
}

}  // namespace

core::Result<nlohmann::json> decode_protobuf_object(std::string_view body) {
  if (!body.starts_with(std::string_view("k8s\0", 4))) {
    return unexpected(ErrorCode::InvalidArgument, "not a Kubernetes protobuf envelope");
  }
  Reader envelope(body.substr(4));
  Field f;
  std::string api_version, kind;
  std::string_view raw;
  while (envelope.next(&f)) {
    if (f.wire == 2 && f.number == 1) {
      Reader tm(f.bytes);
      Field t;
      while (tm.next(&t)) {
        if (t.wire == 2 && t.number == 1) api_version = std::string(t.bytes);
        if (t.wire == 2 && t.number == 2) kind = std::string(t.bytes);
      }
    } else if (f.wire == 2 && f.number == 2) {
      raw = f.bytes;
    }
  }
  if (envelope.error()) {
    return unexpected(ErrorCode::InvalidArgument, "malformed protobuf envelope");
  }
  if (kind != "Namespace" && kind != "ConfigMap" && kind != "Secret" &&
      kind != "SelfSubjectAccessReview") {
    return unexpected(ErrorCode::InvalidArgument, "protobuf bodies are not supported for " + kind);
  }
  nlohmann::json obj = {{"apiVersion", api_version}, {"kind", kind}};
  Reader msg(raw);
  while (msg.next(&f)) {
    if (f.wire == 2 && f.number == 1) {
      obj["metadata"] = object_meta(f.bytes);
    } else if (kind == "SelfSubjectAccessReview" && f.wire == 2 && f.number == 2) {
      obj["spec"] = access_review_spec(f.bytes);
    } else if (kind == "ConfigMap" && f.wire == 2 && (f.number == 2 || f.number == 3)) {
      auto [k, v] = map_entry(f.bytes);
      if (f.number == 2) {
        obj["data"][k] = v;
      } else {
        obj["binaryData"][k] = base64_encode(v);
      }
    } else if (kind == "Secret" && f.wire == 2 && f.number == 2) {
      auto [k, v] = map_entry(f.bytes);
      obj["data"][k] = base64_encode(v);
    } else if (kind == "Secret" && f.wire == 2 && f.number == 3) {
      obj["type"] = std::string(f.bytes);
    } else if (kind == "Secret" && f.wire == 2 && f.number == 4) {
      auto [k, v] = map_entry(f.bytes);
      obj["data"][k] = base64_encode(v);
    }
  }
  if (msg.error()) {
    return unexpected(ErrorCode::InvalidArgument, "malformed protobuf object");
  }
  return obj;
}

}  // namespace stillpoint::kubesim
