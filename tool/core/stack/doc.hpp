// A YAML document as a tree that remembers where every node and key came from.
//
// yaml-cpp parses; this tree is what the rest of the core reads. It keeps map keys in source order
// with their own positions (so "unknown key" points at the key, not the value), records whether a
// scalar was quoted (so `python: 3.10` can be flagged before a YAML tool turns it into 3.1), and
// can be deep-merged (target overrides) without losing positions.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/diag.hpp"

namespace stackctl::doc {

enum class Kind { null, scalar, map, seq };

const char* to_string(Kind k);

struct Node;

struct Entry;

struct Node {
  Kind kind = Kind::null;
  SourceLoc loc;
  std::string scalar;          // Kind::scalar: the text as written (without quotes)
  bool quoted = false;         // Kind::scalar: written in quotes, as a block scalar or tagged !!str
  std::vector<Entry> entries;  // Kind::map, source order
  std::vector<Node> items;     // Kind::seq

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_map() const { return kind == Kind::map; }
  bool is_seq() const { return kind == Kind::seq; }

  // Map lookup; nullptr when absent or when this is not a map.
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  // The location of a key in this map (the key itself), or this node's location.
  SourceLoc key_loc(std::string_view key) const;
};

struct Entry {
  std::string key;
  SourceLoc key_loc;
  Node value;
};

// Parses one YAML document. Reported in `diags`, each at its position: duplicate keys (the first
// occurrence wins), a second non-empty document (E_YAML_DOCUMENTS; only the first is returned),
// tags other than !!str, !!map and !!seq (E_YAML_TAG; the node is read as if untagged), an alias
// inside the node it names (E_YAML_ALIAS) and nesting deeper than 64 levels (E_YAML_DEPTH); for
// these two the node becomes an empty mapping or sequence. Malformed YAML is the error value,
// positioned at the parser's mark. An empty document gives a null node.
std::expected<Node, Diagnostic> parse(std::string_view text, const std::string& file,
                                      Diagnostics& diags);

// Every document of a YAML stream ("---" separated), each as parse() gives it, for generated
// text (no tab-in-indentation check; the same tag, alias and depth checks). No document (an empty
// or comment-only text) gives an empty list.
std::expected<std::vector<Node>, Diagnostic> parse_all(std::string_view text,
                                                       const std::string& file, Diagnostics& diags);

// Deep merge: maps merge key by key (overlay wins, positions of the overlay's nodes are kept);
// anything else is replaced whole by the overlay. A null overlay value removes nothing: it replaces
// the base value with null (callers treat null as "unset").
Node merge(const Node& base, const Node& overlay);

}  // namespace stackctl::doc
