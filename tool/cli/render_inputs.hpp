// What rendering reads from disk besides the stack file: the user's template folder, spark.env
// values and the conda environment files the stack names. Used by `render` and `build`.
// Functions taking a Context print what went wrong on ctx.err and return an exit code as their
// error; the others return the problem as a value. No message ever contains a secret value.
#pragma once

#include <deque>
#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/fs.hpp"
#include "cli/context.hpp"
#include "core/diag.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/render/render.hpp"
#include "core/secret.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

// The stacks `render` renders: the base stack (no target's overrides) and one loaded stack per
// target, every target's or only `target`'s. A target's errors say "(with target "NAME")";
// problems every target shares appear once per target (print them deduplicated).
struct RenderStacks {
  std::optional<model::Stack> base;
  std::deque<model::Stack> targets;  // deque: pointers into it stay valid while it grows
  Diagnostics diags;

  // The base stack, then each target's (base must be set).
  std::vector<const model::Stack*> all() const;
  // A render of the base stack and every target's, with `catalog`; the other fields are unset.
  render::Request request(const catalog::Catalog* catalog) const;
};
RenderStacks load_render_stacks(const doc::Node& root, const std::string& stack_path,
                                const std::string& target, const catalog::Catalog& catalog);

// The files of a template folder laid out like the project (templates/..., images/...,
// terraform/modules/...), keyed by project-relative name with '/' separators. Files outside those
// three folders are not templates: their names go to `ignored` (dot-folders such as .git are
// skipped silently). A missing or unreadable folder is a Failure.
std::expected<std::map<std::string, std::string>, fs::Failure> read_template_folder(
    const std::filesystem::path& dir, std::vector<std::string>& ignored);

// The built-in templates, overridden by `templates_dir`'s files when it is not empty. Warns on
// ctx.err about files in the folder that cannot be templates. Error: kInputError.
std::expected<render::Templates, int> load_templates(Context& ctx,
                                                     const std::string& templates_dir);

// A spark.env values file: a YAML mapping of key -> string. Anything else (not a mapping, a value
// that is a list, a mapping or empty) is reported with file:line:column; values never appear in
// the messages. With `where`, each key's value's location too (for messages naming file:line).
std::expected<std::map<std::string, Secret>, Diagnostics> parse_values(
    std::string_view text, const std::string& file,
    std::map<std::string, SourceLoc>* where = nullptr);

// The most a file the stack names (a conda environment file, a spark.env values file, a file an
// image copies in) may hold.
// Such files are a few kilobytes; the cap keeps /dev/zero or a log file named by mistake from
// filling memory. Only regular files are read (symbolic links to them are followed).
inline constexpr std::size_t kMaxReferencedFile = 1024 * 1024;

struct ValuesRead {
  std::map<std::string, Secret> values;
  // Where each value was read: "FILE:LINE:COLUMN" of its value in the values file.
  std::map<std::string, std::string> origins;
  Diagnostics diags;  // malformed values files
  // Files that exist but cannot be read (not a regular file, too large, no permission). A file
  // source's problem is located at its `file` key (sparkEnv.sources[i].file); --values's is not.
  Diagnostics unreadable;
};

// The spark.env values: `values_file` when given (every key in it), else each `file` source's
// values file, relative to `stack_dir`, for the keys that name that source. A file source whose
// file does not exist gives no values (render then names every required key it lacks).
ValuesRead read_env_values(const std::string& values_file, const std::filesystem::path& stack_dir,
                           const std::vector<const model::Stack*>& stacks);

// Contents of the files the stacks name for build contexts (python.conda[].file and
// images[].files[].from), by the path as written, read relative to `stack_dir` with
// fs::read_inside (inside the folder, links followed, regular files, kMaxReferencedFile). A file
// that cannot be read is an E_FILE diagnostic at its key ("python.conda[0].file",
// "images[1].files[0].from"), with the stack file's line and column.
std::expected<std::map<std::string, std::string>, Diagnostics> read_stack_files(
    const std::filesystem::path& stack_dir, const std::vector<const model::Stack*>& stacks);

// The same for one stack whose file is `stack_path`. Error: kInputError, after printing why.
std::expected<std::map<std::string, std::string>, int> read_stack_files(
    Context& ctx, const model::Stack& stack, const std::string& stack_path);

// A rendered file as it is written to disk: secrets 0600, executables 0755, the rest 0644.
fs::OutputFile output_file(const render::File& f);

}  // namespace stackctl::cli
