#include "core/stack/hygiene.hpp"

#include <string>

namespace stackctl {

namespace {

// The code point at s[i] and its length; 0 when the bytes there are not UTF-8. doc::parse refuses
// such files, but yaml-cpp writes the escapes "\N" and "\_" of a double-quoted string as the
// single bytes 0x85 and 0xA0, so a scalar can still hold one.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  cp = b;
  if (b < 0x80) return 1;
  const std::size_t len = b >= 0xC2 && b <= 0xDF   ? 2
                          : b >= 0xE0 && b <= 0xEF ? 3
                          : b >= 0xF0 && b <= 0xF4 ? 4
                                                   : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

const char* control_name(char32_t c) {
  switch (c) {
    case 0x00:
      return "NUL";
    case 0x09:
      return "tab";
    case 0x0A:
      return "line feed";
    case 0x0D:
      return "carriage return";
    case 0x1B:
      return "escape";
    case 0x7F:
      return "delete";
    case 0x85:
      return "next line";
    case 0x2028:
      return "line separator";
    case 0x2029:
      return "paragraph separator";
    default:
      return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ? "bidirectional override"
                                                                          : "control character";
  }
}

bool is_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

std::string code_point(char32_t c) {
  constexpr char digits[] = "0123456789ABCDEF";
  std::string hex;
  for (int shift = 12; shift >= 0; shift -= 4) hex += digits[(c >> shift) & 0xF];
  return "U+" + hex;
}

std::string shown_path(const std::string& path) {
  return path.empty() ? "(root)" : path;
}

struct Walker {
  Diagnostics& diags;
  bool within_bounds = true;

  void text(const std::string& s, const SourceLoc& loc, const std::string& path, bool key) {
    const std::size_t limit = key ? limits::kMaxKeyBytes : limits::kMaxValueBytes;
    if (s.size() > limit) {
      within_bounds = false;
      diags.error("E_LIMIT", loc, shown_path(path),
                  std::string(key ? "a key" : "a value") + " of " + std::to_string(s.size()) +
                      " bytes; the limit is " + std::to_string(limit),
                  key ? "keys of a stack file are short names" : "shorten it");
      return;
    }
    if (const ControlChar c = first_control_char(s); !c.name.empty())
      diags.error("E_CONTROL_CHAR", loc, shown_path(path),
                  std::string(key ? "the key" : "the value") + " contains " + c.name +
                      " at character " + std::to_string(c.index),
                  "stack values are one line of text: remove it (it has no safe form in the "
                  "Dockerfiles, spark.env and properties files rendered from the stack)");
  }

  void walk(const doc::Node& n, const std::string& path) {
    switch (n.kind) {
      case doc::Kind::null:
        return;
      case doc::Kind::scalar:
        text(n.scalar, n.loc, path, false);
        return;
      case doc::Kind::seq:
        for (std::size_t i = 0; i < n.items.size(); ++i)
          walk(n.items[i], path + "[" + std::to_string(i) + "]");
        return;
      case doc::Kind::map:
        for (const auto& e : n.entries) {
          const bool key_ok = e.key.size() <= limits::kMaxKeyBytes;
          text(e.key, e.key_loc, path, true);
          // A key too long to show in a path is named by its parent's path alone.
          walk(e.value, key_ok ? (path.empty() ? e.key : path + "." + e.key) : path);
        }
        return;
    }
  }
};

}  // namespace

ControlChar first_control_char(std::string_view s) {
  std::size_t index = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = decode(s, i, cp);
    ++index;
    if (len == 0) {
      constexpr char digits[] = "0123456789ABCDEF";
      const auto b = static_cast<unsigned char>(s[i]);
      return {std::string("the byte 0x") + digits[b >> 4] + digits[b & 0xF] +
                  ", which is not UTF-8 (YAML's \\N and \\_ escapes make one)",
              index};
    }
    if (is_control(cp)) return {code_point(cp) + " (" + control_name(cp) + ")", index};
    i += len;
  }
  return {};
}

bool check_values(const doc::Node& root, Diagnostics& diags) {
  Walker w{diags};
  w.walk(root, "");
  if (const doc::Node* images = root.find("images");
      images && images->is_seq() && images->items.size() > limits::kMaxImages) {
    w.within_bounds = false;
    diags.error("E_LIMIT", root.key_loc("images"), "images",
                std::to_string(images->items.size()) + " images; the limit is " +
                    std::to_string(limits::kMaxImages),
                "a stack builds a handful of images; split it into several stacks");
  }
  return w.within_bounds;
}

}  // namespace stackctl
