#include <set>

#include "core/render/parts.hpp"

namespace stackctl::render::detail {

namespace {

// kainjow's context, recording every name that resolves to nothing: views define every key, so a
// miss is a template that asks for something the view does not have.
class StrictContext : public kainjow::mustache::context<std::string> {
 public:
  explicit StrictContext(const Data* data) : context(data) {}

  const Data* get(const std::string& name) const override {
    const Data* d = context::get(name);
    if (d == nullptr && name != ".") missing.insert(name);
    return d;
  }

  mutable std::set<std::string> missing;
};

// Where a template first uses `var` ({{var}}, {{{var}}}, {{&var}}, {{#var}}, {{^var}}), as
// name:line:column; just the name when it cannot be found (a dotted name, a changed delimiter).
SourceLoc use_of(const std::string& text, const std::string& var, std::string_view name) {
  SourceLoc at{std::string(name), 0, 0};
  for (std::size_t open = text.find("{{"); open != std::string::npos;
       open = text.find("{{", open + 2)) {
    std::size_t i = open + 2;
    if (i < text.size() && (text[i] == '{' || text[i] == '&' || text[i] == '#' || text[i] == '^'))
      ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    if (text.compare(i, var.size(), var) != 0) continue;
    i += var.size();
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '}') continue;
    at.line = 1;
    std::size_t line_start = 0;
    for (std::size_t k = 0; k < open; ++k)
      if (text[k] == '\n') {
        ++at.line;
        line_start = k + 1;
      }
    at.column = static_cast<int>(open - line_start) + 1;
    return at;
  }
  return at;
}

}  // namespace

std::string expand(const Templates& templates, std::string_view name, const Data& view,
                   Output& out) {
  const std::string* text = templates.find(name);
  const SourceLoc at{std::string(name), 0, 0};
  if (text == nullptr) {
    out.diags.error("E_TEMPLATE", at, "", "template " + std::string(name) + " does not exist",
                    "restore it in your template folder, or remove the override folder");
    return {};
  }
  kainjow::mustache::mustache tmpl{*text};
  if (!tmpl.is_valid()) {
    out.diags.error("E_TEMPLATE", at, "", "template syntax error: " + tmpl.error_message(),
                    "fix the mustache syntax of " + std::string(name));
    return {};
  }
  StrictContext ctx(&view);
  std::string result = tmpl.render(ctx);
  if (!tmpl.is_valid()) {
    out.diags.error("E_TEMPLATE", at, "", "template error: " + tmpl.error_message());
    return {};
  }
  for (const auto& var : ctx.missing) {
    out.diags.error("E_TEMPLATE", use_of(*text, var, name), "",
                    "template uses {{" + var + "}}, which is not defined",
                    templates.overridden(name)
                        ? "your template folder's " + std::string(name) +
                              " may use only the variables the built-in one uses (docs/render.md)"
                        : "a built-in template asks for it: a bug in stackctl, please report it");
  }
  if (!ctx.missing.empty()) return {};
  if (out.observer != nullptr) out.observer->expanded(name, view, result);
  return result;
}

}  // namespace stackctl::render::detail
