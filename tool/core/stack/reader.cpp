#include "core/stack/reader.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

namespace stackctl {

namespace {
const char* describe(const doc::Node& n) {
  switch (n.kind) {
    case doc::Kind::null:
      return "nothing (null)";
    case doc::Kind::scalar:
      return "a scalar";
    case doc::Kind::map:
      return "a mapping";
    case doc::Kind::seq:
      return "a sequence";
  }
  return "something else";
}

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// How a YAML reader prints the float it makes of "3.10": trailing zeros of the fraction dropped.
std::string as_yaml_float(std::string s) {
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s += '0';
  return s;
}
}  // namespace

void report_type(ReadContext& ctx, const doc::Node& n, const std::string& path,
                 const char* expected) {
  std::string found = describe(n);
  if (n.is_scalar()) found += " (" + quote(n.scalar) + ")";
  ctx.diags.error("E_TYPE", n.loc, path, std::string("expected ") + expected + ", found " + found,
                  std::string("write ") + expected + " here (see docs/stack-file.md)");
}

Reader::Reader(const doc::Node* node, std::string path, ReadContext& ctx)
    : node_(node), path_(std::move(path)), ctx_(ctx) {
  if (node_ == nullptr) return;
  if (!node_->is_map()) {
    if (!node_->is_null()) report_type(ctx_, *node_, path_.empty() ? "(root)" : path_, "a mapping");
    node_ = nullptr;
    return;
  }
  ctx_.locs.set(path_, node_->loc);
}

SourceLoc Reader::loc() const {
  return node_ ? node_->loc : SourceLoc{};
}

SourceLoc Reader::loc_of(std::string_view key) const {
  return node_ ? node_->key_loc(key) : SourceLoc{};
}

std::string Reader::child(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const doc::Node* Reader::lookup(std::string_view key, Need need) {
  known_.emplace_back(key);
  if (node_ == nullptr) return nullptr;
  const doc::Node* n = node_->find(key);
  if (n == nullptr || n->is_null()) {
    if (need == Need::required) {
      ctx_.diags.error("E_REQUIRED", n ? n->loc : node_->loc, child(key),
                       "missing required key " + quote(key),
                       "add `" + std::string(key) + ":` under " +
                           (path_.empty() ? std::string("the top level") : "`" + path_ + "`"));
    }
    return nullptr;
  }
  ctx_.locs.set(child(key), n->loc);
  return n;
}

bool Reader::expect(const doc::Node& n, doc::Kind kind, const std::string& path, const char* what) {
  if (n.kind == kind) return true;
  report_type(ctx_, n, path, what);
  return false;
}

const doc::Node* Reader::node(std::string_view key, Need need) {
  return lookup(key, need);
}

std::optional<std::string> Reader::string(std::string_view key, Need need) {
  const doc::Node* n = lookup(key, need);
  if (n == nullptr || !expect(*n, doc::Kind::scalar, child(key), "a string")) return std::nullopt;
  if (n->scalar.empty() && need == Need::required) {
    ctx_.diags.error("E_REQUIRED", n->loc, child(key), quote(key) + " must not be empty");
    return std::nullopt;
  }
  return n->scalar;
}

std::optional<std::string> Reader::version(std::string_view key, Need need) {
  const doc::Node* n = lookup(key, need);
  if (n == nullptr || !expect(*n, doc::Kind::scalar, child(key), "a version string")) {
    return std::nullopt;
  }
  // YAML 1.1/1.2 readers (PyYAML, Go's yaml, Terraform's yamldecode) read 3.10 as the float 3.1.
  static const std::regex lossy(R"(^[0-9]+\.[0-9]*0$)");
  if (!n->quoted && std::regex_match(n->scalar, lossy) && as_yaml_float(n->scalar) != n->scalar) {
    ctx_.diags.warning("W_UNQUOTED_VERSION", n->loc, child(key),
                       "unquoted version " + n->scalar + " is the number " +
                           as_yaml_float(n->scalar) + " to most YAML readers",
                       "quote it: " + std::string(key) + ": \"" + n->scalar + "\"");
  }
  return n->scalar;
}

std::optional<int> Reader::integer(std::string_view key, Need need, int min, int max) {
  const doc::Node* n = lookup(key, need);
  if (n == nullptr || !expect(*n, doc::Kind::scalar, child(key), "an integer")) return std::nullopt;
  int value = 0;
  const auto* end = n->scalar.data() + n->scalar.size();
  auto [ptr, ec] = std::from_chars(n->scalar.data(), end, value);
  if (ec == std::errc{} && ptr == end && n->quoted) {
    ctx_.diags.error("E_TYPE", n->loc, child(key),
                     "expected an integer, found the quoted string \"" + n->scalar + "\"",
                     "remove the quotes: " + std::string(key) + ": " + n->scalar);
    return std::nullopt;
  }
  if (ec != std::errc{} || ptr != end) {
    report_type(ctx_, *n, child(key), "an integer");
    return std::nullopt;
  }
  if (value < min || value > max) {
    ctx_.diags.error("E_VALUE", n->loc, child(key),
                     "value " + n->scalar + " is out of range [" + std::to_string(min) + ", " +
                         std::to_string(max) + "]",
                     "use a value from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Reader::boolean(std::string_view key, Need need) {
  const doc::Node* n = lookup(key, need);
  if (n == nullptr || !expect(*n, doc::Kind::scalar, child(key), "true or false")) {
    return std::nullopt;
  }
  if (!n->quoted && (n->scalar == "true" || n->scalar == "false")) return n->scalar == "true";
  if (n->quoted && (n->scalar == "true" || n->scalar == "false")) {
    ctx_.diags.error("E_TYPE", n->loc, child(key),
                     "expected true or false, found the quoted string \"" + n->scalar + "\"",
                     "remove the quotes: " + std::string(key) + ": " + n->scalar);
    return std::nullopt;
  }
  report_type(ctx_, *n, child(key), "true or false");
  return std::nullopt;
}

std::optional<std::string> Reader::choice(std::string_view key,
                                          const std::vector<std::string>& choices, Need need) {
  auto value = string(key, need);
  if (!value) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *value) != choices.end()) return value;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  const std::string guess = did_you_mean(*value, choices);
  ctx_.diags.error("E_VALUE", node_->find(key)->loc, child(key),
                   quote(*value) + " is not one of: " + list,
                   guess.empty() ? "use one of: " + list : "did you mean " + quote(guess) + "?");
  return std::nullopt;
}

std::vector<std::string> Reader::string_list(std::string_view key, Need need) {
  std::vector<std::string> out;
  const doc::Node* n = lookup(key, need);
  if (n == nullptr || !expect(*n, doc::Kind::seq, child(key), "a list of strings")) return out;
  for (std::size_t i = 0; i < n->items.size(); ++i) {
    const auto& item = n->items[i];
    if (expect(item, doc::Kind::scalar, child(key) + "[" + std::to_string(i) + "]", "a string")) {
      out.push_back(item.scalar);
    }
  }
  return out;
}

Reader Reader::map(std::string_view key, Need need) {
  const doc::Node* n = lookup(key, need);
  return Reader(n, child(key), ctx_);
}

std::vector<std::pair<const doc::Node*, std::string>> Reader::seq(std::string_view key, Need need) {
  std::vector<std::pair<const doc::Node*, std::string>> out;
  const doc::Node* n = lookup(key, need);
  if (n == nullptr || !expect(*n, doc::Kind::seq, child(key), "a list")) return out;
  for (std::size_t i = 0; i < n->items.size(); ++i) {
    const std::string p = child(key) + "[" + std::to_string(i) + "]";
    ctx_.locs.set(p, n->items[i].loc);
    out.emplace_back(&n->items[i], p);
  }
  return out;
}

void Reader::finish() {
  if (node_ == nullptr) return;
  for (const auto& e : node_->entries) {
    if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
    const std::string guess = did_you_mean(e.key, known_);
    std::string known_list;
    for (const auto& k : known_) known_list += (known_list.empty() ? "" : ", ") + k;
    ctx_.diags.error(
        "E_UNKNOWN_KEY", e.key_loc, child(e.key), "unknown key " + quote(e.key),
        guess.empty() ? "known keys here: " + known_list : "did you mean " + quote(guess) + "?");
  }
}

}  // namespace stackctl
