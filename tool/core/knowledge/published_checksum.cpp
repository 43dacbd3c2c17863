#include "core/knowledge/published_checksum.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace stackctl::published_checksum {

namespace {

struct Entry {
  std::string name;  // as written (may be empty, a path, or "*name")
  std::string hex;   // digits only, any case
  int line = 0;
};

bool is_hex_digit(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_hex(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, is_hex_digit);
}

// Hex groups separated by blanks ("E61D9330 125746A2"); may be empty.
bool hex_groups(std::string_view s) {
  return std::ranges::all_of(s, [](char c) { return is_hex_digit(c) || c == ' ' || c == '\t'; });
}

std::string without_blanks(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!is_space(c)) out += c;
  return out;
}

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A short, printable excerpt of untrusted text for an error message.
std::string excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60))
    out += (std::isprint(static_cast<unsigned char>(c)) != 0) ? c : '?';
  if (s.size() > 60) out += "...";
  return "\"" + out + "\"";
}

std::string base_name(std::string_view name) {
  if (!name.empty() && name.front() == '*') name.remove_prefix(1);  // sha512sum binary mode
  const auto slash = name.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

// "SHA512 (file) = hex" (shasum --tag) or "SHA512(file)= hex" (openssl dgst) -> entry.
std::optional<Entry> bsd_entry(std::string_view line, int number) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
  const auto algo = trim(line.substr(0, open));
  if (algo.empty() || !std::ranges::all_of(algo, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
      }))
    return {};
  auto rest = trim(line.substr(close + 1));
  if (!rest.starts_with('=')) return {};
  const auto hex = trim(rest.substr(1));
  if (!all_hex(hex)) return {};
  return Entry{std::string(line.substr(open + 1, close - open - 1)), std::string(hex), number};
}

struct Parsed {
  std::vector<Entry> entries;
  std::string error;
};

Parsed entries_of(std::string_view text) {
  Parsed p;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  bool in_gpg_entry = false;  // the last entry may continue on indented lines
  int number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (in_gpg_entry && is_space(raw.front()) && hex_groups(line)) {
      p.entries.back().hex += without_blanks(line);
      continue;
    }
    in_gpg_entry = false;
    if (auto e = bsd_entry(line, number)) {
      p.entries.push_back(std::move(*e));
      continue;
    }
    const auto first_end = std::min(line.find_first_of(" \t"), line.size());
    if (all_hex(line.substr(0, first_end))) {  // "hex" or "hex  name" or "hex *name"
      p.entries.push_back({std::string(trim(line.substr(first_end))),
                           std::string(line.substr(0, first_end)), number});
      continue;
    }
    const auto colon = line.rfind(':');
    if (colon != std::string_view::npos && colon > 0 && hex_groups(line.substr(colon + 1))) {
      // gpg --print-md: "name: XXXXXXXX XXXXXXXX", continued on the following indented lines.
      p.entries.push_back({std::string(trim(line.substr(0, colon))),
                           without_blanks(line.substr(colon + 1)), number});
      in_gpg_entry = true;
      continue;
    }
    p.error = "line " + std::to_string(number) + " is not a checksum: " + excerpt(line) +
              (line.front() == '<' ? " (an HTML page, not a checksum file: check the URL)" : "");
    return p;
  }
  return p;
}

}  // namespace

std::size_t hex_length(model::HashAlgorithm algorithm) {
  switch (algorithm) {
    case model::HashAlgorithm::sha1:
      return 40;
    case model::HashAlgorithm::sha256:
      return 64;
    case model::HashAlgorithm::sha512:
      return 128;
  }
  return 0;
}

std::optional<model::HashAlgorithm> algorithm_of(std::string_view name) {
  if (const auto q = name.find_first_of("?#"); q != std::string_view::npos)
    name = name.substr(0, q);
  const std::string n = lower(std::string(name));
  if (n.ends_with(".sha1")) return model::HashAlgorithm::sha1;
  if (n.ends_with(".sha256")) return model::HashAlgorithm::sha256;
  if (n.ends_with(".sha512")) return model::HashAlgorithm::sha512;
  return std::nullopt;
}

std::expected<std::string, std::string> parse(std::string_view text, model::HashAlgorithm algorithm,
                                              std::string_view file_name) {
  const std::string algo = model::to_string(algorithm);
  Parsed p = entries_of(text);
  if (!p.error.empty()) return std::unexpected("not a " + algo + " checksum file: " + p.error);
  if (p.entries.empty()) return std::unexpected("the " + algo + " checksum file is empty");

  const Entry* chosen = nullptr;
  if (p.entries.size() == 1) {
    chosen = &p.entries.front();
  } else {
    for (const auto& e : p.entries)
      if (!file_name.empty() && base_name(e.name) == file_name) chosen = &e;
    if (chosen == nullptr)
      return std::unexpected(
          "the " + algo + " checksum file lists " + std::to_string(p.entries.size()) +
          " files and none is " +
          (file_name.empty() ? std::string("named") : "\"" + std::string(file_name) + "\""));
  }
  if (chosen->hex.size() != hex_length(algorithm) || !all_hex(chosen->hex))
    return std::unexpected("a " + algo + " checksum has " + std::to_string(hex_length(algorithm)) +
                           " hexadecimal digits; line " + std::to_string(chosen->line) + " has " +
                           std::to_string(chosen->hex.size()));
  return lower(chosen->hex);
}

std::expected<model::Checksum, std::string> parse_tagged(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return std::unexpected(
        "a checksum is written \"<algorithm>:<hex>\", e.g. \"sha512:...\"; got " + excerpt(text));
  const auto algo = algorithm_of("." + lower(std::string(text.substr(0, colon))));
  if (!algo)
    return std::unexpected("unknown checksum algorithm " + excerpt(text.substr(0, colon)) +
                           " (sha1, sha256 or sha512)");
  const std::string_view hex = text.substr(colon + 1);
  if (hex.size() != hex_length(*algo) || !all_hex(hex))
    return std::unexpected(std::string("a ") + model::to_string(*algo) + " checksum has " +
                           std::to_string(hex_length(*algo)) + " hexadecimal digits; got " +
                           excerpt(hex));
  return model::Checksum{*algo, lower(std::string(hex))};
}

}  // namespace stackctl::published_checksum
