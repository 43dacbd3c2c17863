#include "core/deploy/diff.hpp"

#include <algorithm>
#include <cstddef>

namespace stackctl::deploy {

namespace {

using kube::Json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const auto end = nl == std::string::npos ? text.size() : nl;
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

enum class Op { same, del, add };
struct Edit {
  Op op;
  std::string line;
};

// Longest common subsequence on lines: objects are small (hundreds of lines), so O(n*m) is fine.
std::vector<Edit> edits(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Edit> out;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out.push_back({Op::same, a[i++]});
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back({Op::del, a[i++]});  // deletions first, as diff -u prints them
    } else {
      out.push_back({Op::add, b[j++]});
    }
  }
  return out;
}

std::string range(std::size_t start, std::size_t count) {
  // Unified diff: a hunk of zero lines names the line before it.
  const std::size_t first = count == 0 ? start : start + 1;
  return std::to_string(first) + (count == 1 ? "" : "," + std::to_string(count));
}

// kubectl diff's masker over one map of a Secret (`data` or `stringData`).
void mask_map(Json* before, Json* after) {
  const Json b = before != nullptr ? *before : Json();
  const Json a = after != nullptr ? *after : Json();
  if (before != nullptr && before->is_object())
    for (auto& [k, v] : before->items())
      v = a.is_object() && a.contains(k) && a[k] == v ? "***" : "*** (before)";
  if (after != nullptr && after->is_object())
    for (auto& [k, v] : after->items())
      v = b.is_object() && b.contains(k) && b[k] == v ? "***" : "*** (after)";
}

bool is_secret(const Json& j) {
  return j.is_object() && j.value("kind", "") == "Secret" && j.value("apiVersion", "") == "v1";
}

}  // namespace

Json strip_server_fields(Json object) {
  if (!object.is_object()) return object;
  object.erase("status");
  if (object.contains("metadata") && object["metadata"].is_object()) {
    auto& m = object["metadata"];
    for (const char* k :
         {"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"})
      m.erase(k);
  }
  return object;
}

bool same_content(const Json& live, const Json& applied) {
  // Key order differs between a LIST's items and an apply's answer: compare as unordered maps.
  return nlohmann::json::parse(strip_server_fields(live).dump()) ==
         nlohmann::json::parse(strip_server_fields(applied).dump());
}

std::string diff_yaml(const Json& object) {
  // nlohmann::json keeps its keys sorted; parsing its dump back keeps that order.
  return kube::to_yaml(Json::parse(nlohmann::json::parse(object.dump()).dump()));
}

void mask_secret_data(Json& before, Json& after) {
  const bool b = is_secret(before), a = is_secret(after);
  if (!b && !a) return;
  for (const char* key : {"data", "stringData"})
    mask_map(b && before.contains(key) ? &before[key] : nullptr,
             a && after.contains(key) ? &after[key] : nullptr);
}

std::string unified_diff(const std::string& a, const std::string& b, const std::string& a_label,
                         const std::string& b_label) {
  if (a == b) return "";
  const auto e = edits(lines_of(a), lines_of(b));
  constexpr std::size_t kContext = 3;
  // Lines of a and b before each edit, for the hunk headers.
  std::vector<std::size_t> before_a(e.size() + 1, 0), before_b(e.size() + 1, 0);
  std::vector<std::size_t> changes;
  for (std::size_t i = 0; i < e.size(); ++i) {
    before_a[i + 1] = before_a[i] + (e[i].op != Op::add ? 1 : 0);
    before_b[i + 1] = before_b[i] + (e[i].op != Op::del ? 1 : 0);
    if (e[i].op != Op::same) changes.push_back(i);
  }
  std::string out = "--- " + a_label + "\n+++ " + b_label + "\n";
  for (std::size_t c = 0; c < changes.size();) {
    // Changes closer than 2*kContext unchanged lines share a hunk.
    std::size_t last = c;
    while (last + 1 < changes.size() && changes[last + 1] - changes[last] <= 2 * kContext + 1)
      ++last;
    const std::size_t start = changes[c] >= kContext ? changes[c] - kContext : 0;
    const std::size_t end = std::min(e.size(), changes[last] + kContext + 1);
    std::string body;
    for (std::size_t i = start; i < end; ++i)
      body += (e[i].op == Op::same ? " " : e[i].op == Op::del ? "-" : "+") + e[i].line + "\n";
    out += "@@ -" + range(before_a[start], before_a[end] - before_a[start]) + " +" +
           range(before_b[start], before_b[end] - before_b[start]) + " @@\n" + body;
    c = last + 1;
  }
  return out;
}

}  // namespace stackctl::deploy
