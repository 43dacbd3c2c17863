#include "core/explain/match.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace stackctl::explain {

namespace {

std::vector<std::string_view> split_lines(std::string_view text, bool& truncated) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  // A final newline ends the last line; it does not start an empty one.
  if (text.ends_with('\n')) text.remove_suffix(1);
  while (start <= text.size() && lines.size() < kMaxLines) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxLineBytes) {
      line = line.substr(0, kMaxLineBytes);
      truncated = true;
    }
    lines.push_back(line);
    if (end == text.size()) return lines;
    start = end + 1;
  }
  if (start < text.size()) truncated = true;
  return lines;
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  std::string out(s.substr(first, last - first + 1));
  if (out.size() > kEvidenceChars) out = out.substr(0, kEvidenceChars) + "...";
  return out;
}

struct Hit {
  std::size_t line = 0;  // 0-based
  std::size_t span = 0;
  std::map<std::string, std::string> captures;
};

bool near_holds(const std::vector<std::string_view>& lines, std::size_t i, const std::string& lit) {
  if (lit.empty()) return true;
  for (std::size_t k = i; k < lines.size() && k <= i + kNearLines; ++k)
    if (lines[k].find(lit) != std::string_view::npos) return true;
  return false;
}

// <x>Class holding a class-file major version also gives <x>Java (52 -> 8, 61 -> 17).
void derive(std::map<std::string, std::string>& captures) {
  std::map<std::string, std::string> extra;
  for (const auto& [name, value] : captures) {
    if (name.size() <= 5 || !name.ends_with("Class")) continue;
    int v = 0;
    const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec == std::errc{} && p == value.data() + value.size() && v > 44)
      extra[name.substr(0, name.size() - 5) + "Java"] = std::to_string(v - 44);
  }
  captures.merge(extra);
}

std::optional<Hit> first_hit(const Pattern& p, const std::vector<std::string_view>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto at = lines[i].find(p.contains);
    if (at == std::string_view::npos) continue;
    if (!near_holds(lines, i, p.near)) continue;
    if (p.regex_text.empty()) return Hit{i, p.contains.size(), {}};
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(lines[i].begin(), lines[i].end(), m, p.regex)) continue;
    Hit hit{i, static_cast<std::size_t>(m.length(0)), {}};
    for (std::size_t g = 0; g < p.capture_names.size() && g + 1 < m.size(); ++g)
      if (!p.capture_names[g].empty() && m[g + 1].matched)
        hit.captures[p.capture_names[g]] = m[g + 1].str();
    derive(hit.captures);
    return hit;
  }
  return std::nullopt;
}

// The message with {name} replaced; the title when a placeholder has no value in this match.
std::string fill(const Entry& e, const std::map<std::string, std::string>& captures) {
  if (e.message.empty()) return e.title;
  std::string out;
  std::size_t pos = 0;
  while (pos < e.message.size()) {
    const auto open = e.message.find('{', pos);
    const auto close = open == std::string::npos ? open : e.message.find('}', open);
    if (close == std::string::npos) {
      out += e.message.substr(pos);
      break;
    }
    out += e.message.substr(pos, open - pos);
    const auto it = captures.find(e.message.substr(open + 1, close - open - 1));
    if (it == captures.end()) return e.title;
    out += it->second;
    pos = close + 1;
  }
  return out;
}

}  // namespace

MatchResult match_text(std::string_view text, const ErrorCatalog& catalog) {
  MatchResult result;
  const auto lines = split_lines(text, result.truncated);
  result.lines_scanned = lines.size();
  std::vector<std::pair<std::size_t, Match>> found;  // catalogue index, match
  for (std::size_t idx = 0; idx < catalog.entries.size(); ++idx) {
    const Entry& e = catalog.entries[idx];
    std::optional<Hit> best;
    for (const auto& p : e.patterns) {
      auto hit = first_hit(p, lines);
      if (!hit) continue;
      if (!best || hit->line < best->line || (hit->line == best->line && hit->span > best->span))
        best = std::move(hit);
    }
    if (!best) continue;
    Match m{&e, best->line + 1, trimmed(lines[best->line]), best->span, std::move(best->captures),
            {}};
    m.message = fill(e, m.captures);
    found.emplace_back(idx, std::move(m));
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.second.specificity > b.second.specificity;
  });
  for (auto& [idx, m] : found) result.matches.push_back(std::move(m));
  return result;
}

}  // namespace stackctl::explain
