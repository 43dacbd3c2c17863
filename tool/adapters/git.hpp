// Reading committed files through libgit2, without a checkout: the tree of a ref, plus the work
// tree's uncommitted changes. For `stackctl drift`'s files check (core/drift/files.hpp).
//
// Contract:
// - `dir` may be anywhere inside a git work tree (it need not exist any more: a deleted rendered
//   folder is a drift, not an error); the repository is found from it upwards like git does.
// - The files are those of `ref`'s tree under `dir`, by path relative to `dir`, read from the
//   object database (nothing is checked out, the index is not touched).
// - WorkTree::include, when `ref` is the commit HEAD points to: every path under `dir` that
//   `git status` lists (staged or not, untracked but not ignored, deleted, renamed) is taken as
//   it is on disk now (a path gone from disk is removed), with a note saying what the work tree
//   did to it. For any other ref the work tree is not read (it is not a change to that ref), and
//   `description` says so.
// - Failures (not a repository, an unknown ref, a path outside the work tree, a corrupt object)
//   carry libgit2's message and what was asked.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace stackctl::git {

struct Failure {
  std::string message;
};

enum class WorkTree { include, exclude };

struct TreeRead {
  std::map<std::string, std::string> files;  // path relative to dir -> contents
  std::map<std::string, std::string> notes;  // path -> "modified in the work tree", ...
  std::string description;                   // "HEAD (1a2b3c4) + work tree"
  std::string dir_in_repo;                   // dir from the top of the work tree: "rendered/demo"
  std::filesystem::path top;                 // the work tree's top, absolute
  bool work_tree_read = false;
};

std::expected<TreeRead, Failure> read_tree(const std::filesystem::path& dir, const std::string& ref,
                                           WorkTree work_tree);

// The top of the work tree `inside` is in (absolute), nullopt when it is in none.
std::optional<std::filesystem::path> work_tree_top(const std::filesystem::path& inside);

}  // namespace stackctl::git
