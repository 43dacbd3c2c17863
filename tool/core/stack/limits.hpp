// The bounds on what stackctl reads from a stack file (docs/validate.md, "Limits"). A stack file is
// a few KiB with a few hundred values, eight levels deep, with a handful of images; these are far
// above that and far below what would exhaust time, memory or the stack.
#pragma once

#include <cstddef>

namespace stackctl::limits {

// A YAML file doc::parse() reads (E_YAML_SIZE); the CLI reads no larger stack file.
inline constexpr std::size_t kMaxDocumentBytes = 4 * 1024 * 1024;
// Values in the tree once aliases are expanded (each alias is a copy of what it names).
inline constexpr std::size_t kMaxNodes = 100000;
// One scalar value of a stack file (E_LIMIT). std::regex recurses once per character, so no
// check may see a much longer string (a 30,000-letter env name crashed validate).
inline constexpr std::size_t kMaxValueBytes = 4096;
// One mapping key of a stack file (E_LIMIT).
inline constexpr std::size_t kMaxKeyBytes = 256;
// Entries of `images` (E_LIMIT).
inline constexpr std::size_t kMaxImages = 256;

}  // namespace stackctl::limits
