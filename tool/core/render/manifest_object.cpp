// The Kubernetes object a manifest template's expansion describes (see manifests.hpp, object_of).
//
// This is the one place that turns YAML text into a kube::Object, and it reads only text render
// has just expanded, never a file: the template is the object's source, and the File and the
// Manifest are written from the same expansion.
//
// Plain scalars are typed as both YAML 1.2's core schema and YAML 1.1 (which go-yaml v2, and so
// kubectl, follows) read them: null, true/false, decimal integers and floats. A plain scalar the
// two read differently (yes/no/on/off/y/n, 0777, 0x1F, 1_000, 1:30) is an error asking for
// quotes, so the object never depends on which YAML reader looks at the file.
#include <charconv>
#include <regex>

#include "core/kube/names.hpp"
#include "core/render/manifests.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::render::detail::k8s {

namespace {

using kube::Json;

struct Reading {
  std::string_view tmpl;
  Diagnostics& diags;
  bool ok = true;

  void fail(const SourceLoc& at, const std::string& what, const std::string& hint) {
    ok = false;
    diags.error("E_TEMPLATE", SourceLoc{std::string(tmpl), 0, 0}, "",
                "template " + std::string(tmpl) + " expands to " + what +
                    (at.known() ? " (line " + std::to_string(at.line) + ", column " +
                                      std::to_string(at.column) + " of the expansion)"
                                : ""),
                hint);
  }
};

// Plain scalars YAML 1.1 (yaml.org/type/{bool,int,float}.html) and YAML 1.2's core schema
// resolve differently, or that JSON has no number for.
bool ambiguous(const std::string& s) {
  static const std::regex differs(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"  // 1.1 booleans, 1.2 strings
      "|[-+]?0[0-9_]+"                                     // 1.1 octal, 1.2 decimal
      "|[-+]?0[xXoObB][0-9a-fA-F_]+"                       // hex, 1.2 octal, 1.1 binary
      "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?"     // 1.1 sexagesimal
      "|[-+]?[0-9][0-9_]*_[0-9_]*(\\.[0-9_]*)?"            // 1.1 digit separators
      "|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)[eE][0-9]+"     // 1.2 float, 1.1 string
      "|[-+]?[0-9]+[eE][-+][0-9]+"                         // 1.2 float, 1.1 string (no '.')
      "|[-+]?\\.(inf|Inf|INF|nan|NaN|NAN)");               // no JSON number
  return std::regex_match(s, differs);
}

Json plain_scalar(const doc::Node& n, Reading& r) {
  static const std::regex integer("[-+]?(0|[1-9][0-9]*)");
  // A '.' and a signed exponent: a float to YAML 1.1 as well.
  static const std::regex floating("[-+]?(\\.[0-9]+|[0-9]+\\.[0-9]*)([eE][-+][0-9]+)?");
  const std::string& s = n.scalar;
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, integer)) {
    std::int64_t v = 0;
    const char* begin = s.data() + (s.front() == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
    r.fail(n.loc, "the integer " + s + ", which is out of range", "quote it if it is a string");
    return s;
  }
  if (std::regex_match(s, floating)) return std::stod(s);
  if (ambiguous(s))
    r.fail(n.loc, "the plain scalar " + s + ", which YAML readers disagree about",
           "quote it (\"" + s + "\") in the template, or write true/false or a decimal number");
  return s;
}

Json json_of(const doc::Node& n, Reading& r) {
  switch (n.kind) {
    case doc::Kind::null:
      return nullptr;
    case doc::Kind::scalar:
      return n.quoted ? Json(n.scalar) : plain_scalar(n, r);
    case doc::Kind::seq: {
      Json list = Json::array();
      for (const auto& item : n.items) list.push_back(json_of(item, r));
      return list;
    }
    case doc::Kind::map: {
      Json map = Json::object();
      for (const auto& e : n.entries) map[e.key] = json_of(e.value, r);
      return map;
    }
  }
  return nullptr;
}

bool is_string_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

}  // namespace

std::optional<kube::Object> object_of(std::string_view text, std::string_view tmpl,
                                      Diagnostics& diags) {
  Reading r{tmpl, diags};
  Diagnostics yaml;  // positions are in the expansion, not in the template: reworded below
  auto docs = doc::parse_all(text, std::string(tmpl), yaml);
  if (!docs) {
    r.fail(docs.error().loc, "text that is not YAML: " + docs.error().message,
           "a template under templates/kubernetes/ must expand to one Kubernetes object");
    return std::nullopt;
  }
  for (const auto& d : yaml.items()) r.fail(d.loc, "YAML with " + d.message, d.hint);
  if (docs->size() != 1) {
    r.fail({}, std::to_string(docs->size()) + " YAML documents",
           "a template under templates/kubernetes/ must expand to exactly one Kubernetes object");
    return std::nullopt;
  }
  kube::Object object{json_of(docs->front(), r)};
  const Json& body = object.body;
  const auto metadata = body.is_object() ? body.find("metadata") : body.end();
  if (!body.is_object() || !is_string_at(body, "apiVersion") || !is_string_at(body, "kind") ||
      metadata == body.end() || !metadata->is_object() || !is_string_at(*metadata, "name")) {
    r.fail({}, "something that is not a Kubernetes object",
           "it must be one YAML mapping with apiVersion, kind and metadata.name (strings)");
    return std::nullopt;
  }
  // Names of the wrong form: the built-in templates render none for a stack that validates (the
  // test "every rendered name passes the API server's rules"); a --templates override may.
  for (const auto& p : kube::object_problems(object))
    r.fail({},
           "a " + object.kind() + " whose " + p.field + " \"" + p.value +
               "\" the API server refuses (" + p.reason + ")",
           "write only names Kubernetes accepts; docs/kubernetes.md lists where each comes from");
  if (!r.ok) return std::nullopt;
  return object;
}

}  // namespace stackctl::render::detail::k8s
