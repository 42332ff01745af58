#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace switchboard {

/// What went wrong, and whether trying the same thing again may succeed.
struct Error {
  std::string message;
  bool retryable = false;
};

/// A value or an error (the shape of abseil's StatusOr). Reading the value of an error throws.
/// `E` is Error or a type derived from it that carries what callers decide on (e.g. HttpError);
/// such a Result's error converts to a plain Error where only message and retryable matter.
template <typename T, typename E = Error>
class [[nodiscard]] Result {
  static_assert(std::is_base_of_v<Error, E>, "Result's error type derives from Error");

 public:
  Result(T value) : state_(std::move(value)) {}
  Result(E error) : state_(std::move(error)) {}

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

  const E& error() const { return std::get<E>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace switchboard
