// The request and response shapes the API layer works on, free of Beast so that the REST
// semantics compile fast and can be tested without sockets.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace stillpoint::kubesim {

struct Request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // decoded path, no query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string content_type;
  std::string accept;
  std::string body;

  // The first value of a query parameter, or "" when absent.
  std::string param(const std::string& name) const;
  bool has(const std::string& name) const;
  std::vector<std::string> params(const std::string& name) const;
  // Go's strconv.ParseBool-like reading used for `watch`, `stdin`, …: present and not
  // "0"/"false" means true.
  bool flag(const std::string& name) const;
};

struct Response {
  // A constructor rather than aggregate initialisation, so that `Response{status, type, body,
  // {}}` does not have to name `pieces`.
  Response(int status = 200,
           std::string content_type = "application/json",
           std::string body = {},
           std::vector<std::pair<std::string, std::string>> headers = {})
      : status(status),
        content_type(std::move(content_type)),
        body(std::move(body)),
        headers(std::move(headers)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When not empty, the body is these strings in order and `body` is empty: a list is sent as
  // the cached texts of its items, shared with the store, without assembling a copy (25 MB for
  // 10,000 pods). Only Api::handle_unflattened answers so; the server writes them as they are.
  std::vector<std::shared_ptr<const std::string>> pieces;

  size_t body_size() const;
  // Moves the pieces into `body`.
  void flatten();
};

// Splits "a=1&b=x%20y" into decoded pairs (`+` is a space, as Go's url.ParseQuery).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw);
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace stillpoint::kubesim
