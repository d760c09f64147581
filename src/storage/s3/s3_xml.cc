#include "storage/s3/s3_xml.h"

#include <charconv>
#include <pugixml.hpp>
#include <string>
#include <system_error>

#include "core/check.h"

namespace stillpoint::storage::s3 {
namespace {

using core::ErrorCode;

constexpr std::string_view kNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr size_t kMaxDeleteKeys = 1000;  // DeleteObjects' documented per-request limit

// Element names without a namespace prefix: S3 uses a default namespace (no prefix), but a
// server writing <s3:Key xmlns:s3="..."> means the same document.
std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
    if (node.type() == pugi::node_element && local_name(node) == name) {
      return node;
    }
  }
  return {};
}

// All character data directly inside `node` (text and CDATA pieces split by comments are
// joined); child elements are ignored.
std::string text_of(const pugi::xml_node& node) {
  std::string out;
  for (pugi::xml_node piece = node.first_child(); piece; piece = piece.next_sibling()) {
    if (piece.type() == pugi::node_pcdata || piece.type() == pugi::node_cdata) {
      out += piece.value();
    }
  }
  return out;
}

std::string child_text(const pugi::xml_node& parent, std::string_view name) {
  return text_of(child(parent, name));
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

core::Unexpected protocol(std::string message) {
  return core::unexpected(ErrorCode::Protocol, "S3 response: " + std::move(message));
}

// Parses `body` and checks its root element. pugixml neither fetches external entities nor
// expands custom ones (no DOCTYPE processing), so hostile bodies cost memory linear in size.
core::Status load(pugi::xml_document& doc, std::string_view body, std::string_view root) {
  // parse_ws_pcdata keeps whitespace-only text: " " is a valid S3 key.
  const pugi::xml_parse_result parsed = doc.load_buffer(
      body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!parsed) {
    return protocol("malformed XML (" + std::string(parsed.description()) + " at byte " +
                    std::to_string(parsed.offset) + ")");
  }
  const pugi::xml_node top = doc.document_element();
  if (!top) {
    return protocol("no root element");
  }
  if (local_name(top) != root) {
    std::string message =
        "expected <" + std::string(root) + ">, got <" + std::string(local_name(top)) + ">";
    // A 200 can carry an <Error>: say which, it is what the user needs to read.
    if (local_name(top) == "Error") {
      message += ": " + child_text(top, "Code") + ": " + child_text(top, "Message");
    }
    return protocol(std::move(message));
  }
  return core::ok();
}

core::Result<bool> parse_bool(const pugi::xml_node& parent, std::string_view name) {
  const pugi::xml_node node = child(parent, name);
  if (!node) {
    return false;
  }
  const std::string raw = text_of(node);
  const std::string_view value = trim(raw);
  if (value == "true") {
    return true;
  }
  if (value == "false") {
    return false;
  }
  // Guessing would either drop pages (false) or loop (true).
  return protocol("<" + std::string(name) + "> is neither true nor false: '" + raw + "'");
}

core::Result<uint64_t> parse_size(const pugi::xml_node& parent) {
  const pugi::xml_node node = child(parent, "Size");
  if (!node) {
    return protocol("<Contents> without <Size>");
  }
  const std::string raw = text_of(node);
  const std::string_view digits = trim(raw);
  uint64_t size = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return protocol("<Size> is not a byte count: '" + raw + "'");
  }
  return size;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// encoding-type=url answers: %XX escapes, and '+' for a space (AWS writes spaces as '+' and
// a literal '+' as %2B; radosgw writes %20), so both decode the same way.
core::Result<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return protocol("bad %-escape in url-encoded name '" + std::string(text) + "'");
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

// Names in listings are url-encoded when the request asked for encoding-type=url, and the
// answer then says so in <EncodingType>.
struct NameDecoder {
  bool url_encoded = false;
  core::Result<std::string> operator()(std::string text) const {
    if (!url_encoded) {
      return text;
    }
    return url_decode(text);
  }
};

NameDecoder decoder_for(const pugi::xml_node& root) {
  return NameDecoder{trim(child_text(root, "EncodingType")) == "url"};
}

// Text content and attribute values alike: the five XML specials, CR kept as a character
// reference (parsers normalise a literal CR to LF), other C0 controls as character references
// too (XML 1.0 cannot carry them, so a server will reject them: see delete_objects_body).
void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && ch != '\t' && ch != '\n') {
          out += "&#x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0x0F]);
          out.push_back(';');
        } else {
          out.push_back(ch);
        }
    }
  }
}

std::string prologue(std::string_view root) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + std::string(root) + " xmlns=\"" +
         std::string(kNamespace) + "\">";
}

}  // namespace

std::optional<S3Error> parse_error(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body, "Error")) {
    return std::nullopt;
  }
  const pugi::xml_node root = doc.document_element();
  return S3Error{
      .code = std::string(trim(child_text(root, "Code"))),
      .message = child_text(root, "Message"),
      .resource = child_text(root, "Resource"),
      .request_id = std::string(trim(child_text(root, "RequestId"))),
  };
}

core::Result<ListPage> parse_list_objects_v2(std::string_view body) {
  pugi::xml_document doc;
  if (auto loaded = load(doc, body, "ListBucketResult"); !loaded) {
    return core::unexpected(loaded.error());
  }
  const pugi::xml_node root = doc.document_element();
  const NameDecoder decode = decoder_for(root);
  ListPage page;
  for (pugi::xml_node node = root.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    if (local_name(node) == "Contents") {
      if (!child(node, "Key")) {
        return protocol("<Contents> without <Key>");
      }
      auto key = decode(child_text(node, "Key"));
      if (!key) {
        return core::unexpected(key.error());
      }
      auto size = parse_size(node);
      if (!size) {
        return core::unexpected(size.error());
      }
      page.objects.push_back(
          ListedObject{std::move(*key), *size, std::string(trim(child_text(node, "ETag")))});
    } else if (local_name(node) == "CommonPrefixes") {
      auto prefix = decode(child_text(node, "Prefix"));
      if (!prefix) {
        return core::unexpected(prefix.error());
      }
      page.common_prefixes.push_back(std::move(*prefix));
    }
  }
  auto truncated = parse_bool(root, "IsTruncated");
  if (!truncated) {
    return core::unexpected(truncated.error());
  }
  page.truncated = *truncated;
  page.next_continuation_token = std::string(trim(child_text(root, "NextContinuationToken")));
  // Asking again without a token would restart the listing from the top, forever.
  if (page.truncated && page.next_continuation_token.empty()) {
    return protocol("truncated listing without <NextContinuationToken>");
  }
  return page;
}

core::Result<std::string> parse_upload_id(std::string_view body) {
  pugi::xml_document doc;
  if (auto loaded = load(doc, body, "InitiateMultipartUploadResult"); !loaded) {
    return core::unexpected(loaded.error());
  }
  std::string upload_id(trim(child_text(doc.document_element(), "UploadId")));
  if (upload_id.empty()) {
    return protocol("<InitiateMultipartUploadResult> without <UploadId>");
  }
  return upload_id;
}

core::Result<UploadsPage> parse_list_multipart_uploads(std::string_view body) {
  pugi::xml_document doc;
  if (auto loaded = load(doc, body, "ListMultipartUploadsResult"); !loaded) {
    return core::unexpected(loaded.error());
  }
  const pugi::xml_node root = doc.document_element();
  const NameDecoder decode = decoder_for(root);
  UploadsPage page;
  for (pugi::xml_node node = root.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element || local_name(node) != "Upload") {
      continue;
    }
    auto key = decode(child_text(node, "Key"));
    if (!key) {
      return core::unexpected(key.error());
    }
    std::string upload_id(trim(child_text(node, "UploadId")));
    // Without both there is nothing to abort.
    if (!child(node, "Key") || upload_id.empty()) {
      return protocol("<Upload> without <Key> or <UploadId>");
    }
    page.uploads.push_back(PendingUpload{std::move(*key), std::move(upload_id)});
  }
  auto truncated = parse_bool(root, "IsTruncated");
  if (!truncated) {
    return core::unexpected(truncated.error());
  }
  page.truncated = *truncated;
  auto next_key = decode(child_text(root, "NextKeyMarker"));
  if (!next_key) {
    return core::unexpected(next_key.error());
  }
  page.next_key_marker = std::move(*next_key);
  page.next_upload_id_marker = std::string(trim(child_text(root, "NextUploadIdMarker")));
  if (page.truncated && page.next_key_marker.empty()) {
    return protocol("truncated upload listing without <NextKeyMarker>");
  }
  return page;
}

std::string complete_multipart_body(const std::vector<CompletedPart>& parts) {
  std::string out = prologue("CompleteMultipartUpload");
  for (const CompletedPart& part : parts) {
    out += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>";
    append_escaped(out, part.etag);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

bool complete_failed(std::string_view body, S3Error& error) {
  if (std::optional<S3Error> parsed = parse_error(body)) {
    error = std::move(*parsed);
    return true;
  }
  pugi::xml_document doc;
  // Only a well-formed result confirms the object exists; a body cut short (AWS streams
  // whitespace while it works, and the connection can drop) leaves the outcome unknown.
  if (auto loaded = load(doc, body, "CompleteMultipartUploadResult"); !loaded) {
    error = S3Error{.code = std::string(kMalformedCompleteResult),
                    .message = loaded.error().message,
                    .resource = {},
                    .request_id = {}};
    return true;
  }
  return false;
}

std::string delete_objects_body(const std::vector<std::string>& keys) {
  SP_CHECK(keys.size() <= kMaxDeleteKeys, "DeleteObjects takes at most 1000 keys per request");
  std::string out = prologue("Delete");
  out += "<Quiet>true</Quiet>";
  for (const std::string& key : keys) {
    out += "<Object><Key>";
    append_escaped(out, key);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

core::Result<std::vector<DeleteFailure>> parse_delete_result(std::string_view body) {
  pugi::xml_document doc;
  if (auto loaded = load(doc, body, "DeleteResult"); !loaded) {
    return core::unexpected(loaded.error());
  }
  std::vector<DeleteFailure> failures;
  const pugi::xml_node root = doc.document_element();
  for (pugi::xml_node node = root.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element || local_name(node) != "Error") {
      continue;
    }
    if (!child(node, "Key")) {
      return protocol("<DeleteResult><Error> without <Key>");
    }
    failures.push_back(DeleteFailure{child_text(node, "Key"),
                                     std::string(trim(child_text(node, "Code"))),
                                     child_text(node, "Message")});
  }
  return failures;
}

}  // namespace stillpoint::storage::s3
