// PLACEHOLDER: Terraform root modules are not rendered yet (in progress).
#include "core/render/parts.hpp"

namespace stackctl::render::detail {
void render_terraform(const Request&, const model::Stack&, Output&) {}
void render_terraform_modules(const Request&, Output&) {}
}  // namespace stackctl::render::detail
