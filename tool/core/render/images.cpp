// Build contexts: images/<image>/ for every image of the base stack, from its recipe's templates
// (docs/images.md). Files ending in .mustache are expanded (the suffix dropped), others copied;
// conda/<env>.yml is added for each conda environment the image installs, files/<path> for each
// file of the stack's folder the image's `files` copies in.
#include "core/render/images.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace stackctl::render::detail {

namespace {

constexpr std::string_view kSuffix = ".mustache";
constexpr std::string_view kPartialDir = "images/_partials/";
// Shared pieces every recipe may include as {{> partial_NAME}} (NAME with '_' for '-').
constexpr std::array<std::string_view, 6> kPartials = {"header",      "labels",     "runtime",
                                                       "conda-stage", "conda-envs", "files"};

std::string dockerfile_template(const std::string& recipe) {
  return "images/" + recipe + "/Dockerfile.mustache";
}

// The roles an image plays in the stack's services, as recipe names.
std::vector<std::string> roles_of(const model::Stack& stack, const model::Image& image) {
  const auto& s = stack.services;
  std::vector<std::string> roles;
  if (s.connect.enabled && s.connect.image == image.name) roles.emplace_back("spark-connect");
  for (const auto& nb : s.notebooks)
    if (nb.image == image.name) {
      roles.emplace_back("notebook");
      break;
    }
  if (s.kyuubi.enabled && s.kyuubi.image == image.name) roles.emplace_back("kyuubi");
  if (s.history_server.enabled && s.history_server.image == image.name)
    roles.emplace_back("history-server");
  return roles;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// Partials go into the view as strings: kainjow expands a string found under the partial's name.
bool add_partials(const Templates& templates, Data& view, Output& out) {
  bool ok = true;
  for (const auto name : kPartials) {
    const std::string path = std::string(kPartialDir) + std::string(name) + ".mustache";
    const std::string* text = templates.find(path);
    if (text == nullptr) {
      out.diags.error("E_TEMPLATE", {path, 0, 0}, "", "template " + path + " does not exist",
                      "restore it in your template folder, or remove the override folder");
      ok = false;
      continue;
    }
    std::string key = "partial_" + std::string(name);
    for (char& c : key)
      if (c == '-') c = '_';
    // The tag sits on its own line, which supplies the newline (kainjow keeps standalone partial
    // lines, unlike sections).
    view.set(key, text->ends_with('\n') ? text->substr(0, text->size() - 1) : *text);
  }
  return ok;
}

// At most one blank line in a row: partials and sections that render nothing leave empty lines.
std::string tidy_blank_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  int newlines = 0;
  for (const char c : text) {
    newlines = c == '\n' ? newlines + 1 : 0;
    if (newlines <= 2) out += c;
  }
  while (out.ends_with("\n\n")) out.pop_back();
  return out;
}

void add_conda_files(const Request& request, const model::Image& image,
                     const std::string& python_version, std::vector<File>& files, Output& out) {
  const model::Stack& stack = *request.base;
  for (const auto& name : image.conda_envs) {
    for (std::size_t i = 0; i < stack.python.conda.size(); ++i) {
      const model::CondaEnv& env = stack.python.conda[i];
      if (env.name != name) continue;
      auto text = conda_env_text(request, env, python_version);
      if (!text) {
        const std::string path = "python.conda[" + std::to_string(i) + "].file";
        out.diags.error("E_FILE", stack.locs.at(path), path,
                        "conda environment file " + env.file + " was not read",
                        "the file is read relative to the stack file; check that it exists");
        continue;
      }
      files.push_back({"conda/" + name + ".yml", std::move(*text)});
    }
  }
}

// images[].files: each file the stack names, from the request (the CLI read it, confined to the
// stack's folder), at files/<from>; a file two entries copy is in the context once.
void add_image_files(const Request& request, std::size_t index, std::vector<File>& files,
                     Output& out) {
  const model::Stack& stack = *request.base;
  const model::Image& image = stack.images[index];
  std::set<std::string> added;
  for (std::size_t j = 0; j < image.files.size(); ++j) {
    const model::ImageFile& f = image.files[j];
    if (!added.insert(f.from).second) continue;
    const auto it = request.stack_files.find(f.from);
    if (it == request.stack_files.end()) {
      const std::string path =
          "images[" + std::to_string(index) + "].files[" + std::to_string(j) + "].from";
      out.diags.error("E_FILE", stack.locs.at(path), path, "the file " + f.from + " was not read",
                      "the file is read relative to the stack file; check that it exists");
      continue;
    }
    files.push_back({context_file_path(f), it->second});
  }
}

// A recipe that does not copy the image's files (a user's Dockerfile template without
// {{> partial_files}}) would build an image without them, silently: E_TEMPLATE instead.
void check_files_copied(const model::Stack& stack, std::size_t index, const std::string& recipe,
                        const std::vector<File>& files, Output& out) {
  const model::Image& image = stack.images[index];
  const auto dockerfile = std::find_if(files.begin(), files.end(),
                                       [](const File& f) { return f.path == "Dockerfile"; });
  if (dockerfile == files.end()) return;
  for (std::size_t j = 0; j < image.files.size(); ++j) {
    if (dockerfile->data.find(copy_arguments(image.files[j])) != std::string::npos) continue;
    const std::string path =
        "images[" + std::to_string(index) + "].files[" + std::to_string(j) + "]";
    out.diags.error("E_TEMPLATE", stack.locs.at(path), path,
                    "the Dockerfile of image \"" + image.name + "\" (" +
                        dockerfile_template(recipe) + ") does not COPY " +
                        copy_arguments(image.files[j]),
                    "add {{> partial_files}} to the template where the image's files belong "
                    "(docs/images.md)");
  }
}

// One image's context, paths relative to it; problems go to out.diags.
ImageContext render_image(const Request& request, std::size_t index, Output& out) {
  const model::Stack& stack = *request.base;
  const model::Image& image = stack.images[index];
  ImageContext context{image.name, {}, {}, {}, {}, {}, {}};
  std::string why;
  const auto recipe = resolve_recipe(stack, image, *request.templates, why);
  if (!recipe) {
    const std::string path = "images[" + std::to_string(index) + "].recipe";
    out.diags.error("E_RECIPE", stack.locs.at(path), path, why,
                    "set `recipe` to one of spark-base, spark-connect, notebook, kyuubi, "
                    "history-server, or add images/<recipe>/ to your template folder");
    return context;
  }
  Data view = image_view(request, image, *recipe);
  context.ref = view.get("ref")->string_value();
  context.from = view.get("from")->string_value();
  context.parent = view.get("parent")->string_value();
  context.labels = image_labels(stack, image, context_tag(request, image),
                                request.image_tags.contains(image.name));
  // artifacts.txt says which artifacts the context needs: the view it is rendered with records
  // each artifact whose path it writes, so the build gets them as data, not by reading it back.
  ArtifactUses uses;
  Data listing_view = image_view(request, image, *recipe, &uses);
  if (!add_partials(*request.templates, view, out) ||
      !add_partials(*request.templates, listing_view, out))
    return context;
  const std::string prefix = "images/" + *recipe + "/";
  for (const auto& name : request.templates->names_under(prefix)) {
    std::string rel = name.substr(prefix.size());
    File file;
    if (rel.ends_with(kSuffix)) {
      rel.resize(rel.size() - kSuffix.size());
      const Data& v = rel == "artifacts.txt" ? listing_view : view;
      file.data = tidy_blank_lines(expand(*request.templates, name, v, out));
      note_written(out, "images/" + image.name + "/" + rel, "tidy_blank_lines");
    } else {
      file.data = *request.templates->find(name);
    }
    file.path = rel;
    file.executable = rel.ends_with(".sh");
    context.files.push_back(std::move(file));
  }
  add_conda_files(request, image, view.get("python_version")->string_value(), context.files, out);
  check_files_copied(stack, index, *recipe, context.files, out);
  add_image_files(request, index, context.files, out);
  context.artifacts = std::move(uses.used);
  return context;
}

// Every image's context; nothing when the stack's Spark URL names no file.
std::vector<ImageContext> render_image_contexts(const Request& request, Output& out) {
  std::vector<ImageContext> contexts;
  if (request.base == nullptr || request.templates == nullptr) return contexts;
  const model::Stack& stack = *request.base;
  if (!stack.images.empty() && spark_artifact(stack).file.empty()) {
    out.diags.error(
        "E_VALUE", stack.locs.at("artifacts.spark.url"), "artifacts.spark.url",
        "the Spark distribution URL \"" + stack.artifacts.spark.url + "\" names no file",
        "give the tarball's URL, e.g. .../spark-4.0.1-bin-hadoop3.tgz");
    return contexts;
  }
  for (std::size_t i = 0; i < stack.images.size(); ++i)
    contexts.push_back(render_image(request, i, out));
  return contexts;
}

}  // namespace

std::optional<std::string> resolve_recipe(const model::Stack& stack, const model::Image& image,
                                          const Templates& templates, std::string& why) {
  if (templates.find(dockerfile_template(image.recipe)) != nullptr) return image.recipe;
  if (image.recipe != image.name) {
    why = "image \"" + image.name + "\" uses recipe \"" + image.recipe + "\", which does not exist";
    return std::nullopt;
  }
  const auto roles = roles_of(stack, image);
  if (roles.size() > 1) {
    why = "image \"" + image.name + "\" plays several roles (" + joined(roles) +
          ") and has no recipe named after it: say which recipe builds it";
    return std::nullopt;
  }
  if (roles.size() == 1) return roles.front();
  if (image.from.kind == model::ImageFrom::Kind::external) return std::string(kRecipeSparkBase);
  why = "no recipe is named \"" + image.name + "\" and the image runs no service that picks one";
  return std::nullopt;
}

void render_images(const Request& request, Output& out) {
  for (auto& context : render_image_contexts(request, out)) {
    for (auto& f : context.files) {
      f.path = "images/" + context.image + "/" + f.path;
      out.files.push_back(std::move(f));
    }
    context.files.clear();
    out.images.push_back(std::move(context));
  }
}

}  // namespace stackctl::render::detail

namespace stackctl::render {

std::expected<std::vector<ImageContext>, Diagnostics> render_contexts(const Request& request) {
  detail::Output out;
  auto contexts = detail::render_image_contexts(request, out);
  if (out.diags.has_errors()) return std::unexpected(std::move(out.diags));
  return contexts;
}

}  // namespace stackctl::render
