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
    out.diags.error("E_TEMPLATE", at, "", "template uses {{" + var + "}}, which is not defined",
                    "variables available to templates are listed in docs/templates.md");
  }
  return ctx.missing.empty() ? result : std::string{};
}

}  // namespace stackctl::render::detail
