// Reading stacks/errors.yaml into an ErrorCatalog.
//
// The catalogue is edited by hand and its advice reaches users verbatim, so parsing is strict and
// reports every problem at once with its position, like the version catalog's.
#include "core/explain/error_catalog.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/resources.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/reader.hpp"

namespace stackctl::explain {

namespace {

const std::string kHint = "see the comments at the top of stacks/errors.yaml";

bool is_code(const std::string& s) {
  static const std::regex re("X_[A-Z0-9]+(_[A-Z0-9]+)*");
  return std::regex_match(s, re);
}

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// The {name} placeholders of a message template.
std::vector<std::string> placeholders(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    const auto close = text.find('}', open);
    if (close == std::string::npos) break;
    out.push_back(text.substr(open + 1, close - open - 1));
  }
  return out;
}

class EntryReader {
 public:
  EntryReader(ReadContext& ctx, const doc::Node* node, std::string path)
      : ctx_(ctx), r_(node, path, ctx), path_(std::move(path)), node_(node) {}

  Entry read() {
    Entry e;
    e.loc = node_->loc;
    e.code = r_.string("code", Need::required).value_or("");
    if (!e.code.empty() && !is_code(e.code))
      error("E_ERRORS_CODE", r_.child("code"),
            "code \"" + e.code + "\" is not X_ followed by upper-case words",
            "write it like X_S3A_MISSING");
    e.title = r_.string("title", Need::required).value_or("");
    const auto sev = r_.choice("severity", {"error", "warning", "info"}, Need::required);
    e.severity = sev == "warning" ? Severity::warning
                 : sev == "info"  ? Severity::info
                                  : Severity::error;
    e.message = r_.string("message").value_or("");
    for (const auto& [n, p] : r_.seq("patterns", Need::required))
      e.patterns.push_back(pattern(n, p));
    if (e.patterns.empty() && r_.node("patterns") != nullptr)
      error("E_ERRORS_PATTERN", r_.child("patterns"), "an entry needs at least one pattern", kHint);
    e.cause = r_.string("cause", Need::required).value_or("");
    e.fix = r_.string("fix", Need::required).value_or("");
    e.stack_keys = r_.string_list("stackKeys");
    e.stack_fix = r_.string("stackFix").value_or("");
    if (!e.stack_fix.empty() &&
        std::find(kStackFixes.begin(), kStackFixes.end(), e.stack_fix) == kStackFixes.end()) {
      std::vector<std::string> names(kStackFixes.begin(), kStackFixes.end());
      const std::string guess = did_you_mean(e.stack_fix, names);
      error("E_ERRORS_VALUE", r_.child("stackFix"), "unknown stackFix \"" + e.stack_fix + "\"",
            guess.empty() ? "docs/explain.md lists the stack fixes"
                          : "did you mean \"" + guess + "\"?");
    }
    e.sources = non_empty_list("source", "E_ERRORS_SOURCE",
                               "add `source:` naming the public thread or facts sheet the text "
                               "and its cause were read from");
    e.examples = non_empty_list("examples", "E_ERRORS_EXAMPLE",
                                "add `examples:` with the real error text from the source");
    check_message(e);
    r_.finish();
    return e;
  }

 private:
  void error(const char* code, const std::string& path, std::string message, std::string hint) {
    ctx_.diags.error(code, ctx_.locs.at(path), path, std::move(message), std::move(hint));
  }

  std::vector<std::string> non_empty_list(std::string_view key, const char* code,
                                          const std::string& hint) {
    const bool present = r_.node(key) != nullptr;
    auto list = r_.string_list(key);
    if (list.empty() || std::any_of(list.begin(), list.end(), [](auto& s) { return s.empty(); }))
      ctx_.diags.error(code, present ? ctx_.locs.at(r_.child(key)) : node_->loc,
                       present ? r_.child(key) : path_,
                       present ? "`" + std::string(key) + "` must list at least one non-empty text"
                               : "entry has no `" + std::string(key) + "`",
                       hint);
    return list;
  }

  Pattern pattern(const doc::Node* node, const std::string& path) {
    Reader pr(node, path, ctx_);
    Pattern p;
    p.loc = node->loc;
    p.contains = pr.string("contains", Need::required).value_or("");
    p.regex_text = pr.string("regex").value_or("");
    p.near = pr.string("near").value_or("");
    pr.finish();
    if (p.regex_text.empty()) return p;
    auto stripped = strip_named_groups(p.regex_text);
    if (!stripped) {
      error("E_ERRORS_REGEX", pr.child("regex"), stripped.error(),
            "name groups like (?<version>\\d+); names are letters, digits and _");
      return p;
    }
    try {
      p.regex = std::regex(stripped->first, std::regex::ECMAScript | std::regex::optimize);
      p.capture_names = std::move(stripped->second);
    } catch (const std::regex_error& ex) {
      error("E_ERRORS_REGEX", pr.child("regex"),
            "the regex does not compile: " + std::string(ex.what()),
            "write an ECMAScript regex in single quotes, e.g. 'version (?<v>\\d+\\.\\d+)'");
    }
    return p;
  }

  // Every {name} in the message must be a capture (or a value derived from one, see match.hpp)
  // of at least one pattern, so that a match can always fill it or fall back to the title.
  void check_message(const Entry& e) {
    std::set<std::string> names;
    for (const auto& p : e.patterns)
      for (const auto& n : p.capture_names)
        if (!n.empty()) {
          names.insert(n);
          if (n.size() > 5 && n.ends_with("Class"))
            names.insert(n.substr(0, n.size() - 5) + "Java");
        }
    for (const auto& name : placeholders(e.message))
      if (!names.contains(name))
        error("E_ERRORS_MESSAGE", r_.child("message"),
              "the message uses {" + name + "} but no pattern captures it",
              "name a regex group (?<" + name + ">...) or remove the placeholder");
  }

  ReadContext& ctx_;
  Reader r_;
  std::string path_;
  const doc::Node* node_;
};

}  // namespace

std::expected<std::pair<std::string, std::vector<std::string>>, std::string> strip_named_groups(
    std::string_view pattern) {
  std::string out;
  std::vector<std::string> names;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += c;
      out += pattern[++i];
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      out += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c != '(') {
      out += c;
      continue;
    }
    const bool special = i + 1 < pattern.size() && pattern[i + 1] == '?';
    if (!special) {
      names.emplace_back();  // an unnamed capturing group
      out += c;
      continue;
    }
    const bool named = i + 2 < pattern.size() && pattern[i + 2] == '<' && i + 3 < pattern.size() &&
                       pattern[i + 3] != '=' && pattern[i + 3] != '!';
    if (!named) {  // (?: (?= (?! : not capturing
      out += c;
      continue;
    }
    const auto close = pattern.find('>', i + 3);
    if (close == std::string_view::npos) return std::unexpected("unterminated group name");
    const std::string name(pattern.substr(i + 3, close - i - 3));
    if (name.empty() || !is_name_start(name[0]) ||
        !std::all_of(name.begin(), name.end(), is_name_char))
      return std::unexpected("\"" + name + "\" is not a group name");
    if (std::find(names.begin(), names.end(), name) != names.end())
      return std::unexpected("the group name \"" + name + "\" is used twice");
    names.push_back(name);
    out += '(';
    i = close;
  }
  return std::pair{out, names};
}

const Entry* ErrorCatalog::find(std::string_view code) const {
  for (const auto& e : entries)
    if (e.code == code) return &e;
  return nullptr;
}

std::expected<ErrorCatalog, Diagnostics> parse_error_catalog(std::string_view yaml_text,
                                                             const std::string& file) {
  Diagnostics diags;
  model::Locations locs;
  locs.set_file(file);
  auto root = doc::parse(yaml_text, file, diags);
  if (!root) {
    diags.add(root.error());
    return std::unexpected(diags);
  }
  ReadContext ctx{diags, locs};
  Reader top(&*root, "", ctx);
  if (!root->is_map()) {
    return std::unexpected(diags);
  }
  const auto version = top.integer("errorsVersion", Need::required, 1, 1);
  ErrorCatalog out;
  std::set<std::string> codes;
  for (const auto& [node, path] : top.seq("entries", Need::required)) {
    Entry e = EntryReader(ctx, node, path).read();
    if (!e.code.empty() && !codes.insert(e.code).second)
      diags.error("E_ERRORS_DUPLICATE", locs.at(path + ".code"), path + ".code",
                  "code " + e.code + " is used by an earlier entry", "codes are unique");
    out.entries.push_back(std::move(e));
  }
  top.finish();
  (void)version;
  if (diags.has_errors()) return std::unexpected(diags);
  return out;
}

const ErrorCatalog& builtin_error_catalog() {
  static const ErrorCatalog catalog =
      resources::parse_builtin("stacks/errors.yaml", "error catalogue", parse_error_catalog);
  return catalog;
}

}  // namespace stackctl::explain
