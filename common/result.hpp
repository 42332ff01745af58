#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace switchboard {

/// What went wrong, and whether trying the same thing again may succeed.
struct Error {
  std::string message;
  bool retryable = false;
};

/// A value or an Error (the shape of abseil's StatusOr). Reading the value of an error throws.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    if (!ok()) throw std::logic_error("Result has no value: " + error().message);
    return std::get<T>(state_);
  }
  T& value() & {
    if (!ok()) throw std::logic_error("Result has no value: " + error().message);
    return std::get<T>(state_);
  }
  T&& value() && {
    if (!ok()) throw std::logic_error("Result has no value: " + error().message);
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace switchboard
