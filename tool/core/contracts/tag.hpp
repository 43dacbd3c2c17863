// The tag-template contract: how an image's `tag:` template expands. Validation, the build plan,
// rendering and `check --image` all expand tags through here, so they cannot disagree.
#pragma once

#include <string>
#include <string_view>

#include "core/diag.hpp"
#include "core/stack/model.hpp"

namespace stackctl {

// Expands an image's tag template ("spark-{spark}-uc-{jar.uc}-{revision}"). Unknown variables
// are reported against `loc`. Returns "" when there were errors.
// `{inputs}` is the first 12 hex digits of the image's inputs digest (see
// core/plans/build_plan.hpp): pass it as `inputs`; when it is not known yet (validation), a
// placeholder of the same length is used so the tag grammar can still be checked. `report_empty`
// false: a variable without a value is not reported (its key already was, as invalid), only unknown
// variables and bad tags are.
std::string expand_tag(const model::Stack& stack, const model::Image& image, SourceLoc loc,
                       const std::string& path, Diagnostics& diags, std::string_view inputs = {},
                       bool report_empty = true);

// True when the image's tag template contains {inputs} (content-addressed tags).
bool tag_has_inputs(const model::Image& image);

}  // namespace stackctl
