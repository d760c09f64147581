// Errors as values: every fallible operation in stillpoint returns Result<T>.
//
// tl::expected is the house choice, but Debian bookworm does not package it, so this is the
// small subset of its (and C++23 std::expected's) API that the code uses. When the toolchain
// reaches C++23, `Result` becomes an alias of std::expected and this file shrinks to the
// ErrorCode enum. It deliberately has no monadic helpers: callers branch explicitly.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "core/check.h"

namespace stillpoint::core {

enum class ErrorCode {
  InvalidArgument,
  NotFound,
  Conflict,
  Forbidden,
  Gone,
  Timeout,
  Cancelled,
  Unavailable,
  Protocol,
  Io,
  Internal,
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

// Wraps an error so that `return unexpected(...)` reads like std::expected code.
struct Unexpected {
  Error error;
};
inline Unexpected unexpected(ErrorCode code, std::string message) {
  return Unexpected{Error{code, std::move(message)}};
}
inline Unexpected unexpected(Error error) { return Unexpected{std::move(error)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    SP_CHECK(has_value(), "Result::value() on an error: " + std::get<1>(v_).message);
    return std::get<0>(v_);
  }
  const T& value() const& {
    SP_CHECK(has_value(), "Result::value() on an error: " + std::get<1>(v_).message);
    return std::get<0>(v_);
  }
  T&& value() && {
    SP_CHECK(has_value(), "Result::value() on an error: " + std::get<1>(v_).message);
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    SP_CHECK(!has_value(), "Result::error() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok() { return Ok{}; }

}  // namespace stillpoint::core
