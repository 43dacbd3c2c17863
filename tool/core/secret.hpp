// A secret value that cannot be printed by accident: streaming or formatting it shows
// "<redacted>". Only `reveal()` gives the bytes, and only code that must write them calls it.
#pragma once

#include <ostream>
#include <string>

namespace stackctl {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }

 private:
  std::string value_;
};

}  // namespace stackctl
