// runtime/base/result.h -- error model of the core: no exceptions, [[nodiscard]] Result<T> carrying Error{offset, message}.
// Layer: base (depends on nothing but the standard library).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace myrt {

// An error in input (binary offset, or text position encoded by the producer) with the spec's wording as message.
struct Error {
  static constexpr size_t kNoOffset = SIZE_MAX;
  size_t offset = kNoOffset;  // byte offset into the module binary (or the text), kNoOffset if not applicable
  std::string message;        // spec wording first, e.g. "unexpected end", "type mismatch"; details may follow
  Error() = default;
  Error(size_t off, std::string msg) : offset(off), message(std::move(msg)) {}
  explicit Error(std::string msg) : message(std::move(msg)) {}
  // "offset 0x1a: unexpected end" (or just the message without an offset)
  std::string toString() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error err) : v_(std::in_place_index<1>, std::move(err)) {}   // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error err) : err_(std::move(err)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return err_; }
  Error&& error() && { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status okStatus() { return {}; }

}  // namespace myrt

#define MYRT_CONCAT_(a, b) a##b
#define MYRT_CONCAT(a, b) MYRT_CONCAT_(a, b)

// Propagate an error: MYRT_TRY(status_or_result_expression);
#define MYRT_TRY(expr)                                          \
  do {                                                          \
    auto&& MYRT_CONCAT(myrt_try_, __LINE__) = (expr);           \
    if (!MYRT_CONCAT(myrt_try_, __LINE__).ok())                 \
      return std::move(MYRT_CONCAT(myrt_try_, __LINE__)).error(); \
  } while (0)

// Declare-and-assign or assign: MYRT_ASSIGN(auto x, readU32()); MYRT_ASSIGN(y, readU8());
#define MYRT_ASSIGN(lhs, expr)                                             \
  auto MYRT_CONCAT(myrt_res_, __LINE__) = (expr);                          \
  if (!MYRT_CONCAT(myrt_res_, __LINE__).ok())                              \
    return std::move(MYRT_CONCAT(myrt_res_, __LINE__)).error();            \
  lhs = std::move(MYRT_CONCAT(myrt_res_, __LINE__)).value()
