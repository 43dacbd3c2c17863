// The files check: the rendered tree committed in git against what the stack renders now.
//
// The caller reads the committed side (tool/adapters/git.hpp: a ref's tree, plus the work tree's
// uncommitted changes) and renders the stack; this compares the two as text. Paths on both sides
// are relative to the rendered root (the folder `stackctl render --out` wrote, "rendered/<stack>").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/drift/result.hpp"
#include "core/render/render.hpp"
#include "core/stack/model.hpp"

namespace stackctl::drift {

struct CommittedFiles {
  std::map<std::string, std::string> files;  // path -> contents, REF's tree with work-tree edits
  // What the work tree did to a path, when it changed it: "modified in the work tree",
  // "deleted in the work tree", "renamed to X in the work tree", "untracked". For the evidence.
  std::map<std::string, std::string> notes;
  std::string root;  // the rendered root as a path from the repository's top ("rendered/demo")
  std::string ref;   // what was read: "HEAD (a1b2c3d) + work tree"
};

struct FilesRequest {
  std::vector<render::File> rendered;  // render::render_all's files (paths relative to the root)
  const CommittedFiles* committed = nullptr;
  const model::Stack* stack = nullptr;  // for the stack key of each file; may be null
  // Committed paths under these prefixes are not compared (with --target T, the other targets'
  // "targets/<other>/" folders: this run did not render them).
  std::vector<std::string> ignored_prefixes;
};

// One Result per file on either side, sorted by path: passed when equal; drifted when it differs
// (evidence: a unified diff from the committed file to the rendered one, location: the committed
// file's first changed line), when the stack renders a file the tree lacks, or when the tree holds
// a file the stack no longer renders. Secret files (spark.env, the spark.env Secret) are compared
// but no value is shown: a differing secret file's evidence is drift::masked_diff's diff (which
// keys changed), a rendered-but-not-committed one's says only that it is missing.
std::vector<Result> compare_files(const FilesRequest& request);

// The stack key a rendered path comes from: images/<image>/... -> "images[i]",
// targets/<target>/... -> "targets[i]"; "" when not known.
std::string stack_key_of(const model::Stack& stack, const std::string& path);

// The first changed line of the "a" side in a unified diff ("@@ -12,7 +12,8 @@" -> 12); 0 when
// there is none.
int first_changed_line(const std::string& unified_diff);

}  // namespace stackctl::drift
