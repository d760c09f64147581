// The request and response shapes the API layer works on, free of Beast so that the REST
// semantics compile fast and can be tested without sockets.
#pragma once

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
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Splits "a=1&b=x%20y" into decoded pairs (`+` is a space, as Go's url.ParseQuery).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw);
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace stillpoint::kubesim
