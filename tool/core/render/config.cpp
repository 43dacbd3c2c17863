// PLACEHOLDER: spark-defaults.conf and spark.env are not rendered yet (in progress).
#include "core/render/parts.hpp"

namespace stackctl::render::detail {
void render_config(const Request&, const model::Stack&, Output&) {}
}  // namespace stackctl::render::detail
