// PLACEHOLDER: build contexts are not rendered yet (in progress). Nothing is produced.
#include "core/render/parts.hpp"

namespace stackctl::render::detail {
void render_images(const Request&, Output&) {}
}  // namespace stackctl::render::detail
