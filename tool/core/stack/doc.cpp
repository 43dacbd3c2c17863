#include "core/stack/doc.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "core/stack/limits.hpp"
#include "core/text.hpp"

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

// How deep a document may nest. Stack files nest about eight levels; the bound keeps the
// converter's recursion (and a self-referencing alias, which yaml-cpp turns into a node that
// contains itself) far from the end of the stack.
constexpr std::size_t kMaxDepth = 64;

// yaml-cpp spells the YAML 1.2 core schema's tags in full; users write them as "!!name".
std::string shown_tag(const std::string& tag) {
  constexpr std::string_view core = "tag:yaml.org,2002:";
  return tag.starts_with(core) ? "!!" + tag.substr(core.size()) : tag;
}

// Tags change what a node means to other YAML tools (!!set, !!omap, !!binary, an application's
// !custom), and stackctl would read the node as if the tag were not there: refuse them. Only the
// ones that say what stackctl reads anyway pass: !!str on a scalar (it is a string, like a quoted
// one), !!map on a mapping and !!seq on a sequence. yaml-cpp gives "?" to an untagged node and "!"
// to a quoted or block scalar (and to the non-specific tag "!", which YAML reads as a string).
bool tag_allowed(const YAML::Node& y) {
  const std::string& tag = y.Tag();
  if (tag.empty() || tag == "?" || tag == "!") return true;
  if (y.IsScalar()) return tag == "tag:yaml.org,2002:str";
  if (y.IsMap()) return tag == "tag:yaml.org,2002:map";
  if (y.IsSequence()) return tag == "tag:yaml.org,2002:seq";
  return false;
}

struct Converter {
  const std::string& file;
  Diagnostics& diags;
  std::vector<YAML::Node> open;  // the nodes being converted, outermost first
  // Nodes made so far. yaml-cpp shares an aliased node; the tree made here copies it at every
  // alias, so nine aliases of nine aliases (a "billion laughs") would be 9^9 nodes.
  std::size_t made = 0;
  bool over_budget = false;
  Diagnostic too_big = {};  // when over_budget: the error parse() returns instead of the tree

  Node convert(const YAML::Node& y, const std::string& path) {
    Node n;
    n.loc = loc_of(y.Mark(), file);
    if (++made > limits::kMaxNodes) {
      if (!over_budget)
        too_big = {Severity::error,
                   "E_YAML_SIZE",
                   n.loc,
                   path,
                   "the document has more than " + std::to_string(limits::kMaxNodes) +
                       " values once its aliases are expanded",
                   "a stack file has a few hundred values; write repeated values out instead of "
                   "aliasing aliases"};
      over_budget = true;
      return n;
    }
    // A refused tag is reported and the node read as if untagged, so that nothing else is
    // reported for it.
    if (!tag_allowed(y))
      diags.error("E_YAML_TAG", n.loc, path,
                  "the YAML tag " + shown_tag(y.Tag()) + " is not supported in a stack file",
                  "remove the tag; stackctl reads plain mappings, lists and strings");
    const bool nests = y.IsMap() || y.IsSequence();
    if (nests && !enter(y, n.loc, path)) {
      n.kind = y.IsMap() ? Kind::map : Kind::seq;  // empty: the error is reported once
      return n;
    }
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        n.kind = Kind::null;
        break;
      case YAML::NodeType::Scalar:
        n.kind = Kind::scalar;
        n.scalar = y.Scalar();
        n.quoted = y.Tag() == "!" || y.Tag() == "tag:yaml.org,2002:str";
        break;
      case YAML::NodeType::Sequence:
        n.kind = Kind::seq;
        convert_items(y, path, n);
        break;
      case YAML::NodeType::Map:
        n.kind = Kind::map;
        convert_entries(y, path, n);
        break;
    }
    if (nests) open.pop_back();
    return n;
  }

  // Refuses a node that is one of its own ancestors (an alias inside the node it names) or that
  // nests too deep; else records it as open.
  bool enter(const YAML::Node& y, const SourceLoc& loc, const std::string& path) {
    for (const auto& ancestor : open) {
      if (ancestor.is(y)) {
        diags.error("E_YAML_ALIAS", loc, path,
                    "an alias refers to a node that contains it, so the value would be infinite",
                    "write the value out, or alias a node outside the one being defined");
        return false;
      }
    }
    if (open.size() >= kMaxDepth) {
      // The path of a node this deep is mostly "[0]"s: show where it starts.
      const std::string shown = path.size() > 48 ? path.substr(0, 48) + "..." : path;
      diags.error("E_YAML_DEPTH", loc, shown,
                  "the document nests deeper than " + std::to_string(kMaxDepth) + " levels",
                  "a stack file nests a few levels; flatten this value");
      return false;
    }
    open.push_back(y);
    return true;
  }

  void convert_items(const YAML::Node& y, const std::string& path, Node& n) {
    std::size_t i = 0;
    for (const auto& item : y) {
      if (over_budget) return;
      n.items.push_back(convert(item, path + "[" + std::to_string(i) + "]"));
      ++i;
    }
  }

  void convert_entries(const YAML::Node& y, const std::string& path, Node& n) {
    std::set<std::string> seen;
    for (const auto& kv : y) {
      if (over_budget) return;
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
      n.entries.push_back({key, kloc, convert(kv.second, child)});
    }
  }
};

}  // namespace

namespace {

// YAML 1.2's c-printable: what a YAML stream may contain (section 5.1).
bool yaml_printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string hex_byte(unsigned char c) {
  constexpr char digits[] = "0123456789ABCDEF";
  return {'0', 'x', digits[c >> 4], digits[c & 0xF]};
}

std::string code_point(char32_t c) {
  constexpr char digits[] = "0123456789ABCDEF";
  std::string hex;
  for (int shift = c > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) hex += digits[(c >> shift) & 0xF];
  return "U+" + hex;
}

// The first byte of `text` that is not UTF-8, or the first character YAML does not allow.
std::optional<Diagnostic> unreadable_text(std::string_view text, const std::string& file) {
  if (text.size() > limits::kMaxDocumentBytes)
    return Diagnostic{Severity::error,
                      "E_YAML_SIZE",
                      {file, 1, 1},
                      "",
                      "the file is " + std::to_string(text.size()) + " bytes, more than the " +
                          std::to_string(limits::kMaxDocumentBytes / (1024 * 1024)) + " MiB limit",
                      "a stack file is a few KiB; is this the right file?"};
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(text, i, cp);
    const SourceLoc at{file, line, static_cast<int>(i - line_start) + 1};
    if (len == 0)
      return Diagnostic{Severity::error,
                        "E_YAML_UTF8",
                        at,
                        "",
                        "the file is not valid UTF-8: byte " +
                            hex_byte(static_cast<unsigned char>(text[i])) + " here",
                        "save the file as UTF-8 (YAML files are Unicode text)"};
    if (!yaml_printable(cp))
      return Diagnostic{
          Severity::error,
          "E_YAML_CHAR",
          at,
          "",
          "the control character " + code_point(cp) + " is not allowed in a YAML file",
          "remove it; to put one in a value, write it as an escape in a "
          "double-quoted string (stack values refuse them too, E_CONTROL_CHAR)"};
    if (cp == '\n') {
      ++line;
      line_start = i + 1;
    }
    i += len;
  }
  return std::nullopt;
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

namespace {

// yaml-cpp 0.7's LoadAll never returns on some malformed streams ("\n,\n", or a "]" after a
// flow collection's end): the parser emits a null for a token it cannot place without consuming
// the token, so HandleNextDocument reports a new document forever and LoadAll appends a null
// each time until memory runs out. Fixed upstream in jbeder/yaml-cpp pull request 1319
// ("avoid possible infinite loop in LoadAll()", merged 2024-09); bookworm ships 0.7.0. Found by
// tests/fuzz/fuzz_yaml_doc (tests/fuzz/corpus/fuzz_yaml_doc/timeout-e30d449e...). This pass walks
// the events and stops at a document that is a lone null where the previous one was: the parser
// made no progress there. It throws what LoadAll would have thrown for a syntax error.
class ProgressCheck final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { events_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    ++events_;
    null_at_ = mark;
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events_; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    ++events_;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnMapEnd() override {}

  // After a document: true when it was a lone null at the same position as the previous one's.
  bool stuck() {
    const bool lone_null = events_ == 1 && null_at_.pos >= 0;
    const bool same = lone_null && previous_null_ && previous_null_->pos == null_at_.pos;
    previous_null_ = lone_null ? std::optional<YAML::Mark>(null_at_) : std::nullopt;
    null_at_ = YAML::Mark::null_mark();
    return same;
  }
  const YAML::Mark& previous_mark() const { return *previous_null_; }

 private:
  int events_ = 0;
  YAML::Mark null_at_ = YAML::Mark::null_mark();
  std::optional<YAML::Mark> previous_null_;
};

std::vector<YAML::Node> load_all(const std::string& text) {
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    ProgressCheck check;
    while (parser.HandleNextDocument(check))
      if (check.stuck())
        throw YAML::ParserException(check.previous_mark(),
                                    "unexpected token (nothing can start a node here)");
  }
  return YAML::LoadAll(text);
}

}  // namespace

std::expected<Node, Diagnostic> parse(std::string_view text, const std::string& file,
                                      Diagnostics& diags) {
  if (auto bad = unreadable_text(text, file)) return std::unexpected(std::move(*bad));
  if (auto tab = tab_in_indentation(text, file)) {
    return std::unexpected(Diagnostic{
        Severity::error, "E_YAML", *tab, "", "malformed YAML: a tab character in indentation",
        "YAML indents with spaces only; replace the tab with spaces"});
  }
  try {
    const std::vector<YAML::Node> docs = load_all(std::string(text));
    // A second document would be ignored by every reader of the first: refuse it rather than drop
    // it. Empty ones (a trailing "---") drop nothing and pass.
    for (std::size_t i = 1; i < docs.size(); ++i) {
      if (docs[i].IsNull()) continue;
      diags.error("E_YAML_DOCUMENTS", loc_of(docs[i].Mark(), file), "",
                  "a second YAML document starts here; a stack file is one document",
                  "remove the \"---\" line and merge this document into the first, or move it "
                  "to a file of its own");
      break;
    }
    if (docs.empty()) {
      Node empty;
      empty.loc = {file, 0, 0};
      return empty;
    }
    Converter converter{file, diags, {}};
    Node root = converter.convert(docs.front(), "");
    // What is left of the tree would only report what is missing from it.
    if (converter.over_budget) return std::unexpected(std::move(converter.too_big));
    return root;
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
    for (const YAML::Node& root : load_all(std::string(text))) {
      Converter converter{file, diags, {}};
      docs.push_back(converter.convert(root, ""));
      if (converter.over_budget) return std::unexpected(std::move(converter.too_big));
    }
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
