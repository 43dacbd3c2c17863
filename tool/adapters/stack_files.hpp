// Reading the files a stack names, confined to the stack's folder.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>

#include "adapters/fs.hpp"

namespace stackctl::fs {

// read_regular_file() of `relative` (a path the stack names) under `dir` (the stack's folder), when
// it resolves, symbolic links followed, to a file inside `dir`. A path that leads elsewhere is a
// Failure saying so ("cannot read envs/app.yml: it leads outside the stack's folder, to
// /proc/self/environ"), so a stack cannot make stackctl copy /proc/self/environ or ~/.ssh into a
// rendered file. The check runs on the resolved path just before it is opened (a link swapped in
// between is not caught: the folder is the user's own checkout).
std::expected<std::string, Failure> read_inside(const std::filesystem::path& dir,
                                                const std::filesystem::path& relative,
                                                std::size_t max_bytes);

}  // namespace stackctl::fs
