// Dotted version numbers ("3.5.1", "17", "2.13", "1.12.262") and comparisons between them.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stackctl {

class Version {
 public:
  // Accepts one or more dot-separated non-negative integers, optionally followed by a suffix that
  // starts with '-' or '+' ("3.5.1", "17", "4.0.0-preview2"). Returns nullopt for anything else.
  static std::optional<Version> parse(std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<int>& parts() const { return parts_; }
  int major() const { return part(0); }
  int minor() const { return part(1); }
  int patch() const { return part(2); }
  int part(std::size_t i) const { return i < parts_.size() ? parts_[i] : 0; }
  std::size_t size() const { return parts_.size(); }
  const std::string& suffix() const { return suffix_; }

  // "major.minor" ("3.5" for 3.5.1).
  std::string line() const;
  // True when the first `n` parts are equal (missing parts count as 0).
  bool same_prefix(const Version& other, std::size_t n) const;
  // True when this version starts with every part of `prefix` ("3.5.1" starts with "3.5").
  bool starts_with(const Version& prefix) const;

  // Numeric comparison part by part; missing parts are 0; a suffix sorts before no suffix.
  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

 private:
  std::string text_;
  std::vector<int> parts_;
  std::string suffix_;
};

}  // namespace stackctl
