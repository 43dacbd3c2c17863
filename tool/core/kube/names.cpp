// Kubernetes name rules (see names.hpp). The checks follow apimachinery's validation.go rule for
// rule and give its reasons; each rule is a few character classes, checked directly rather than
// by std::regex so that a failure can say which part of the rule it breaks.
#include "core/kube/names.hpp"

#include <algorithm>

namespace stackctl::kube {

namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool all_of(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}

std::string too_long(std::size_t max) {
  return "must be no more than " + std::to_string(max) + " characters";
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])? (any length)
bool dns1123_label_chars(std::string_view s) {
  return !s.empty() && lower_alnum(s.front()) && lower_alnum(s.back()) &&
         all_of(s, [](char c) { return lower_alnum(c) || c == '-'; });
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] (any length)
bool qualified_chars(std::string_view s) {
  return !s.empty() && alnum(s.front()) && alnum(s.back()) &&
         all_of(s, [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// Each check reports a value of the wrong form before one that is only too long.
std::string dns1123_label(std::string_view s) {
  if (!dns1123_label_chars(s))
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
           "'-', and must start and end with an alphanumeric character";
  return s.size() > 63 ? too_long(63) : std::string();
}

std::string dns1123_subdomain(std::string_view s) {
  bool ok = !s.empty();
  for (std::size_t start = 0; ok && start <= s.size();) {
    const auto dot = s.find('.', start);
    const auto end = dot == std::string_view::npos ? s.size() : dot;
    ok = dns1123_label_chars(s.substr(start, end - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!ok)
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
           "'-' or '.', and must start and end with an alphanumeric character";
  return s.size() > 253 ? too_long(253) : std::string();
}

std::string dns1035_label(std::string_view s) {
  if (!dns1123_label_chars(s) || s.front() < 'a' || s.front() > 'z')
    return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
           "with an alphabetic character, and end with an alphanumeric character";
  return s.size() > 63 ? too_long(63) : std::string();
}

std::string label_value(std::string_view s) {
  if (!s.empty() && !qualified_chars(s))
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', "
           "'_' or '.', and must start and end with an alphanumeric character";
  return s.size() > 63 ? too_long(63) : std::string();
}

std::string qualified_name(std::string_view s) {
  const auto slash = s.find('/');
  std::string_view name = s;
  if (slash != std::string_view::npos) {
    const std::string_view prefix = s.substr(0, slash);
    name = s.substr(slash + 1);
    if (prefix.empty()) return "prefix part must be non-empty";
    if (auto why = dns1123_subdomain(prefix); !why.empty()) return "prefix part " + why;
  }
  if (!qualified_chars(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character";
  return name.size() > 63 ? "name part " + too_long(63) : std::string();
}

std::string port_name(std::string_view s) {
  if (s.empty() || !all_of(s, [](char c) { return lower_alnum(c) || c == '-'; }))
    return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  if (std::none_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return "must contain at least one letter (a-z)";
  if (s.find("--") != std::string_view::npos) return "must not contain consecutive hyphens";
  if (s.front() == '-' || s.back() == '-') return "must not begin or end with a hyphen";
  return s.size() > 15 ? too_long(15) : std::string();
}

std::string chdir_prefix(std::string_view s) {
  if (s == ".") return "must not be '.'";
  if (s == "..") return "must not be '..'";
  if (s.starts_with("..")) return "must not start with '..'";
  return {};
}

std::string config_map_key(std::string_view s) {
  if (s.empty() || !all_of(s, [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; }))
    return "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
  if (auto why = chdir_prefix(s); !why.empty()) return why;
  return s.size() > 253 ? too_long(253) : std::string();
}

std::string env_var_name(std::string_view s) {
  const auto ok = [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; };
  if (s.empty() || (s.front() >= '0' && s.front() <= '9') || !all_of(s, ok))
    return "a valid environment variable name must consist of alphabetic characters, digits, "
           "'_', '-', or '.', and must not start with a digit";
  return chdir_prefix(s);
}

std::string path_segment(std::string_view s) {
  if (s == "." || s == "..") return "may not be '" + std::string(s) + "'";
  if (s.find('/') != std::string_view::npos) return "may not contain '/'";
  if (s.find('%') != std::string_view::npos) return "may not contain '%'";
  if (s.empty()) return "must be non-empty";
  return {};
}

}  // namespace

bool is_too_long(std::string_view reason) {
  return reason.starts_with("must be no more than ") ||
         reason.starts_with("name part must be no more than ");
}

std::string_view rule_name(NameRule rule) {
  switch (rule) {
    case NameRule::dns1123_label:
      return "a DNS-1123 label";
    case NameRule::dns1123_subdomain:
      return "a DNS-1123 subdomain";
    case NameRule::dns1035_label:
      return "a DNS-1035 label";
    case NameRule::label_value:
      return "a label value";
    case NameRule::qualified_name:
      return "a qualified name (label or annotation key)";
    case NameRule::port_name:
      return "a port name (IANA_SVC_NAME)";
    case NameRule::config_map_key:
      return "a valid ConfigMap/Secret key";
    case NameRule::env_var_name:
      return "an environment variable name";
    case NameRule::path_segment:
      return "a path segment name";
  }
  return "a name";
}

std::string_view rule_summary(NameRule rule) {
  switch (rule) {
    case NameRule::dns1123_label:
      return "lower-case letters, digits and '-', at most 63 characters, starting and ending with "
             "a letter or digit";
    case NameRule::dns1123_subdomain:
      return "lower-case letters, digits, '-' and '.', at most 253 characters, starting and "
             "ending with a letter or digit";
    case NameRule::dns1035_label:
      return "lower-case letters, digits and '-', at most 63 characters, starting with a letter "
             "and ending with a letter or digit";
    case NameRule::label_value:
      return "letters, digits, '-', '_' and '.', at most 63 characters, starting and ending with "
             "a letter or digit";
    case NameRule::qualified_name:
      return "an optional DNS-1123 subdomain and '/', then letters, digits, '-', '_' and '.', at "
             "most 63 characters";
    case NameRule::port_name:
      return "lower-case letters, digits and single '-' between them, at least one letter, at "
             "most 15 characters";
    case NameRule::config_map_key:
      return "letters, digits, '-', '_' and '.', at most 253 characters, not '.' or '..' and not "
             "starting with '..'";
    case NameRule::env_var_name:
      return "letters, digits, '_', '-' and '.', not starting with a digit";
    case NameRule::path_segment:
      return "any text but '.' and '..', without '/' or '%'";
  }
  return "";
}

std::size_t max_length(NameRule rule) {
  switch (rule) {
    case NameRule::dns1123_label:
    case NameRule::dns1035_label:
    case NameRule::label_value:
      return 63;
    case NameRule::dns1123_subdomain:
    case NameRule::config_map_key:
      return 253;
    case NameRule::qualified_name:
      return 253 + 1 + 63;
    case NameRule::port_name:
      return 15;
    case NameRule::env_var_name:
    case NameRule::path_segment:
      return 0;
  }
  return 0;
}

std::string why_invalid(NameRule rule, std::string_view value) {
  switch (rule) {
    case NameRule::dns1123_label:
      return dns1123_label(value);
    case NameRule::dns1123_subdomain:
      return dns1123_subdomain(value);
    case NameRule::dns1035_label:
      return dns1035_label(value);
    case NameRule::label_value:
      return label_value(value);
    case NameRule::qualified_name:
      return qualified_name(value);
    case NameRule::port_name:
      return port_name(value);
    case NameRule::config_map_key:
      return config_map_key(value);
    case NameRule::env_var_name:
      return env_var_name(value);
    case NameRule::path_segment:
      return path_segment(value);
  }
  return "unknown rule";
}

NameRule object_name_rule(std::string_view kind) {
  if (kind == "Service") return NameRule::dns1035_label;
  if (kind == "Namespace") return NameRule::dns1123_label;
  if (kind == "Role" || kind == "RoleBinding" || kind == "ClusterRole" ||
      kind == "ClusterRoleBinding")
    return NameRule::path_segment;
  return NameRule::dns1123_subdomain;
}

}  // namespace stackctl::kube
