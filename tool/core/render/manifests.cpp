// PLACEHOLDER: Kubernetes manifests are not rendered yet (in progress). Nothing is produced.
#include "core/render/parts.hpp"

namespace stackctl::render::detail {
void render_manifests(const Request&, const model::Stack&, Output&) {}
}  // namespace stackctl::render::detail
