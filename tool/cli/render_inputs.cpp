#include "cli/render_inputs.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "adapters/stack_files.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::cli {

namespace stdfs = std::filesystem;

std::vector<const model::Stack*> RenderStacks::all() const {
  std::vector<const model::Stack*> out = {&*base};
  for (const auto& s : targets) out.push_back(&s);
  return out;
}

render::Request RenderStacks::request(const catalog::Catalog* catalog) const {
  render::Request r;
  r.base = &*base;
  r.catalog = catalog;
  for (const auto& s : targets) r.targets.push_back(&s);
  return r;
}

RenderStacks load_render_stacks(const doc::Node& root, const std::string& stack_path,
                                const std::string& target, const catalog::Catalog& catalog) {
  RenderStacks s;
  s.base = build_stack(root, {stack_display_name(stack_path), "", &catalog}, s.diags);
  if (!s.base || s.diags.has_errors()) return s;
  std::vector<std::string> names;
  if (!target.empty()) {
    names.push_back(target);
  } else {
    for (const auto& t : s.base->targets) names.push_back(t.name);
  }
  for (const auto& name : names) {
    Diagnostics d;
    auto stack = build_stack(root, {stack_display_name(stack_path), name, &catalog}, d);
    for (auto item : d.items()) {
      if (item.severity == Severity::error && item.code != "E_UNKNOWN_TARGET")
        item.message += " (with target \"" + name + "\")";
      s.diags.add(std::move(item));
    }
    if (stack) s.targets.push_back(std::move(*stack));
  }
  return s;
}

std::expected<std::map<std::string, std::string>, fs::Failure> read_template_folder(
    const stdfs::path& dir, std::vector<std::string>& ignored) {
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec))
    return std::unexpected(
        fs::Failure{"cannot read template folder " + dir.string() + ": not a directory"});
  std::map<std::string, std::string> files;
  stdfs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (name.starts_with(".")) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    if (!rel.starts_with("templates/") && !rel.starts_with("images/") &&
        !rel.starts_with("terraform/modules/")) {
      ignored.push_back(rel);
      continue;
    }
    auto text = fs::read_file(it->path());
    if (!text) return std::unexpected(text.error());
    files.emplace(rel, std::move(*text));
  }
  if (ec)
    return std::unexpected(
        fs::Failure{"cannot read template folder " + dir.string() + ": " + ec.message()});
  std::sort(ignored.begin(), ignored.end());
  return files;
}

std::expected<render::Templates, int> load_templates(Context& ctx,
                                                     const std::string& templates_dir) {
  render::Templates templates = render::Templates::builtin();
  if (templates_dir.empty()) return templates;
  std::vector<std::string> ignored;
  auto files = read_template_folder(templates_dir, ignored);
  if (!files) {
    ctx.err << "stackctl: " << files.error().message << '\n';
    return std::unexpected(static_cast<int>(kInputError));
  }
  for (const auto& name : ignored)
    ctx.err << "stackctl: warning: " << templates_dir << ": ignoring " << name
            << " (templates live under templates/, images/ or terraform/modules/)\n";
  templates.override_with(*files);
  return templates;
}

std::expected<std::map<std::string, Secret>, Diagnostics> parse_values(
    std::string_view text, const std::string& file, std::map<std::string, SourceLoc>* where) {
  Diagnostics diags;
  auto root = doc::parse(text, file, diags);
  if (!root) {
    diags.add(root.error());
    return std::unexpected(std::move(diags));
  }
  std::map<std::string, Secret> values;
  if (root->is_null()) return values;  // an empty file: no values
  if (!root->is_map()) {
    diags.error("E_VALUES", root->loc, "",
                std::string("a values file must be a mapping of key: value, found a ") +
                    doc::to_string(root->kind),
                "write one `key: value` per line, e.g. aws_access_key_id: \"...\"");
    return std::unexpected(std::move(diags));
  }
  for (const auto& e : root->entries) {
    if (!e.value.is_scalar()) {
      // Name the key and the kind found, never the content.
      diags.error("E_VALUES", e.value.is_null() ? e.key_loc : e.value.loc, e.key,
                  e.value.is_null() ? "\"" + e.key + "\" has no value"
                                    : "\"" + e.key + "\" must be a string, found a " +
                                          doc::to_string(e.value.kind),
                  "quote the value: " + e.key + ": \"...\"");
      continue;
    }
    values.emplace(e.key, Secret(e.value.scalar));
    if (where != nullptr) where->emplace(e.key, e.value.loc);
  }
  if (diags.has_errors()) return std::unexpected(std::move(diags));
  return values;
}

namespace {

// A file the stack names could not be read: E_FILE at the key that names it.
void unreadable_at(Diagnostics& out, const model::Stack& stack, const std::string& key,
                   const std::string& message, const std::string& hint) {
  out.error("E_FILE", stack.locs.at(key), key, message, hint);
}

// Reads and parses one values file into `out` (only `keys` when given). Returns the reason when
// the file exists but cannot be read.
// `inside`: the file is one the stack names, read only from within `inside` (its folder).
std::optional<std::string> read_values_file(const stdfs::path& path, const std::string& shown,
                                            const std::set<std::string>* keys, ValuesRead& out,
                                            const stdfs::path* inside = nullptr) {
  auto text = inside != nullptr ? fs::read_inside(*inside, path, kMaxReferencedFile)
                                : fs::read_regular_file(path, kMaxReferencedFile);
  if (!text) return text.error().message;
  std::map<std::string, SourceLoc> where;
  auto parsed = parse_values(*text, shown, &where);
  if (!parsed) {
    out.diags.append(parsed.error());
    return std::nullopt;
  }
  for (auto& [k, v] : *parsed) {
    if (keys != nullptr && !keys->contains(k)) continue;
    if (!out.values.emplace(k, std::move(v)).second) continue;
    const SourceLoc& at = where[k];
    out.origins.emplace(k,
                        at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column));
  }
  return std::nullopt;
}

struct FileSource {
  const model::Stack* stack;
  std::string key;  // sparkEnv.sources[i].file
  std::set<std::string> keys;
};

}  // namespace

ValuesRead read_env_values(const std::string& values_file, const stdfs::path& stack_dir,
                           const std::vector<const model::Stack*>& stacks) {
  ValuesRead out;
  if (!values_file.empty()) {
    if (auto why = read_values_file(values_file, values_file, nullptr, out))
      out.unreadable.error("E_FILE", {}, "", *why, "--values names a YAML file of key: value");
    return out;
  }
  // Each file source once (targets may repeat them), with the keys that name it.
  std::map<std::string, FileSource> by_file;
  for (const model::Stack* stack : stacks) {
    const auto& sources = stack->spark_env.sources;
    for (const auto& k : stack->spark_env.keys)
      for (std::size_t i = 0; i < sources.size(); ++i)
        if (sources[i].name == k.source && sources[i].type == model::SecretSourceType::file &&
            !sources[i].path.empty()) {
          auto& src = by_file[sources[i].path];
          if (src.stack == nullptr)
            src = {stack, "sparkEnv.sources[" + std::to_string(i) + "].file", {}};
          src.keys.insert(k.key);
        }
  }
  for (const auto& [file, src] : by_file) {
    const stdfs::path path = stack_dir / file;
    std::error_code ec;
    if (!stdfs::exists(path, ec) && !stdfs::is_symlink(path, ec)) continue;
    const std::string shown = (stack_dir.empty() ? stdfs::path(file) : path).string();
    if (auto why = read_values_file(file, shown, &src.keys, out, &stack_dir)) {
      unreadable_at(out.unreadable, *src.stack, src.key, *why,
                    "name a YAML file of key: value, relative to the stack file");
      return out;
    }
  }
  return out;
}

std::expected<std::map<std::string, std::string>, Diagnostics> read_stack_files(
    const stdfs::path& stack_dir, const std::vector<const model::Stack*>& stacks) {
  std::map<std::string, std::string> files;
  Diagnostics problems;
  for (const model::Stack* stack : stacks) {
    for (std::size_t i = 0; i < stack->python.conda.size(); ++i) {
      const auto& env = stack->python.conda[i];
      if (env.file.empty() || files.contains(env.file)) continue;
      auto text = fs::read_inside(stack_dir, env.file, kMaxReferencedFile);
      if (!text) {
        unreadable_at(problems, *stack, "python.conda[" + std::to_string(i) + "].file",
                      text.error().message,
                      "name a conda environment file (environment.yml), relative to the stack "
                      "file");
        return std::unexpected(std::move(problems));
      }
      files.emplace(env.file, std::move(*text));
    }
    for (std::size_t i = 0; i < stack->images.size(); ++i) {
      const auto& image = stack->images[i];
      for (std::size_t j = 0; j < image.files.size(); ++j) {
        const auto& from = image.files[j].from;
        if (from.empty() || files.contains(from)) continue;
        auto data = fs::read_inside(stack_dir, from, kMaxReferencedFile);
        if (!data) {
          unreadable_at(
              problems, *stack,
              "images[" + std::to_string(i) + "].files[" + std::to_string(j) + "].from",
              data.error().message,
              "name a regular file inside the stack's folder, relative to the stack file");
          return std::unexpected(std::move(problems));
        }
        files.emplace(from, std::move(*data));
      }
    }
  }
  return files;
}

std::expected<std::map<std::string, std::string>, int> read_stack_files(
    Context& ctx, const model::Stack& stack, const std::string& stack_path) {
  auto files = read_stack_files(stdfs::path(stack_path).parent_path(), {&stack});
  if (!files) {
    for (const auto& d : files.error().items()) print_diagnostic(ctx, ctx.err, d);
    return std::unexpected(static_cast<int>(kInputError));
  }
  return std::move(*files);
}

fs::OutputFile output_file(const render::File& f) {
  return {f.path, f.data, std::filesystem::perms(f.secret ? 0600 : f.executable ? 0755 : 0644)};
}

}  // namespace stackctl::cli
