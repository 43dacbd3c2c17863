#include "core/doc.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <set>

namespace stackctl::doc {

const char* to_string(Kind k) {
  switch (k) {
    case Kind::null:
      return "null";
    case Kind::scalar:
      return "scalar";
    case Kind::map:
      return "mapping";
    case Kind::seq:
      return "sequence";
  }
  return "null";
}

const Node* Node::find(std::string_view key) const {
  if (kind != Kind::map) return nullptr;
  for (const auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  return const_cast<Node*>(std::as_const(*this).find(key));
}

SourceLoc Node::key_loc(std::string_view key) const {
  if (kind == Kind::map)
    for (const auto& e : entries)
      if (e.key == key) return e.key_loc;
  return loc;
}

namespace {

SourceLoc loc_of(const YAML::Mark& m, const std::string& file) {
  // yaml-cpp marks are 0-based; -1 when unknown.
  if (m.line < 0) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

std::string key_text(const YAML::Node& key) {
  return key.IsScalar() ? key.Scalar() : std::string{"<non-scalar key>"};
}

Node convert(const YAML::Node& y, const std::string& file, const std::string& path,
             Diagnostics& diags) {
  Node n;
  n.loc = loc_of(y.Mark(), file);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n.kind = Kind::null;
      break;
    case YAML::NodeType::Scalar:
      n.kind = Kind::scalar;
      n.scalar = y.Scalar();
      // yaml-cpp tags plain scalars "?" and quoted/block scalars "!".
      n.quoted = y.Tag() == "!";
      break;
    case YAML::NodeType::Sequence: {
      n.kind = Kind::seq;
      std::size_t i = 0;
      for (const auto& item : y) {
        n.items.push_back(convert(item, file, path + "[" + std::to_string(i) + "]", diags));
        ++i;
      }
      break;
    }
    case YAML::NodeType::Map: {
      n.kind = Kind::map;
      std::set<std::string> seen;
      for (const auto& kv : y) {
        const std::string key = key_text(kv.first);
        const std::string child = path.empty() ? key : path + "." + key;
        const SourceLoc kloc = loc_of(kv.first.Mark(), file);
        if (!kv.first.IsScalar()) {
          diags.error("E_YAML_KEY", kloc, path, "map keys must be plain strings",
                      "write the key as a string");
          continue;
        }
        if (!seen.insert(key).second) {
          diags.error("E_DUPLICATE_KEY", kloc, child, "duplicate key \"" + key + "\"",
                      "remove one of them; YAML tools disagree on which one wins");
          continue;
        }
        n.entries.push_back({key, kloc, convert(kv.second, file, child, diags)});
      }
      break;
    }
  }
  return n;
}

}  // namespace

// YAML forbids tabs in indentation; yaml-cpp reports them as a confusing "end of map not found"
// somewhere else. Find the first one ourselves.
std::optional<SourceLoc> tab_in_indentation(std::string_view text, const std::string& file) {
  int line = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    for (std::size_t i = start; i < end && (text[i] == ' ' || text[i] == '\t'); ++i)
      if (text[i] == '\t') return SourceLoc{file, line, static_cast<int>(i - start) + 1};
    start = end + 1;
    ++line;
  }
  return std::nullopt;
}

std::expected<Node, Diagnostic> parse(std::string_view text, const std::string& file,
                                      Diagnostics& diags) {
  if (auto tab = tab_in_indentation(text, file)) {
    return std::unexpected(Diagnostic{
        Severity::error, "E_YAML", *tab, "", "malformed YAML: a tab character in indentation",
        "YAML indents with spaces only; replace the tab with spaces"});
  }
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return convert(root, file, "", diags);
  } catch (const YAML::Exception& e) {
    return std::unexpected(Diagnostic{Severity::error, "E_YAML", loc_of(e.mark, file), "",
                                      "malformed YAML: " + e.msg,
                                      "fix the YAML syntax at this position"});
  }
}

std::expected<std::vector<Node>, Diagnostic> parse_all(std::string_view text,
                                                       const std::string& file,
                                                       Diagnostics& diags) {
  // No tab check as parse() has: this reads generated text, where a tab after the indentation of
  // a block scalar's line is content, and yaml-cpp locates real tab errors well enough.
  try {
    std::vector<Node> docs;
    for (const YAML::Node& root : YAML::LoadAll(std::string(text)))
      docs.push_back(convert(root, file, "", diags));
    return docs;
  } catch (const YAML::Exception& e) {
    return std::unexpected(Diagnostic{Severity::error, "E_YAML", loc_of(e.mark, file), "",
                                      "malformed YAML: " + e.msg,
                                      "fix the YAML syntax at this position"});
  }
}

Node merge(const Node& base, const Node& overlay) {
  if (!base.is_map() || !overlay.is_map()) return overlay;
  Node out = base;
  for (const auto& e : overlay.entries) {
    if (Node* existing = out.find(e.key)) {
      *existing = merge(*existing, e.value);
    } else {
      out.entries.push_back(e);
    }
  }
  return out;
}

}  // namespace stackctl::doc
