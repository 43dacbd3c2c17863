// stackctl_dump_views: the views render hands its mustache templates, as data, for bench/render.sh
// (a second renderer, pystache, expands the same template files from the same views). Bench-only:
// not a stackctl command, not built by default (`cmake --build B --target stackctl_dump_views`).
//
//   stackctl_dump_views STACK [--values FILE] [--templates DIR] [--repeat N] > views.json
//
// Loads and validates STACK exactly as `stackctl render STACK` does (every target; the same
// catalog, template folder, spark.env values and conda files), renders with an
// ExpansionObserver, and writes one JSON document on stdout:
//
//   {"stack": PATH,
//    "templates": {NAME: TEXT, ...},          every template text the render expanded
//    "partials": {NAME: TEXT, ...},           the recipe partials (images/_partials/X.mustache as
//                                             {{> partial_X}}, '-' as '_'), as in their files
//    "files": [                                every file render writes, in its order:
//      {"path", "mode", "template", "post", "view", "expansion"}   a template's expansion, or
//      {"path", "mode", "data"}                                      a file render copies as is
//    ],
//    "unwritten": [{"template", "view", "expansion"}]}   expansions that became no file
//
// "expansion" is kainjow's text before render's post-processing ("post": see
// render::ExpansionObserver); the written file is the post-processed text. The view of
// images/*/artifacts.txt holds a lambda for each artifact's `path` (render records which
// artifacts the listing names): in the dump it is the string the lambda returns. The dump holds
// spark.env values in clear (they are in spark.env's view): keep it out of anything shared.
//
// On stderr, timings of this process: render::render() (views, expansions, the manifests'
// objects) and, with --repeat N, the median over N rounds of expanding every dumped template
// again with kainjow from the dumped views alone (parse + expand, as render's expand() does):
// the templating-only figure to hold against pystache's.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/context.hpp"
#include "cli/env_inputs.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "cli/stack_input.hpp"
#include "core/render/render.hpp"
#include "core/stack/doc.hpp"

namespace {

using namespace stackctl;
using Data = kainjow::mustache::data;
using Object = kainjow::mustache::object;

// kainjow's data has no way to list an object's keys; the view must be dumped whole, so its
// private member is named through an explicit instantiation, where access checks do not apply
// ([temp.spec.general]/6 in C++23). Confined to this bench tool.
using ObjectMember = std::unique_ptr<Object> Data::*;
ObjectMember object_member();
template <ObjectMember M>
struct ObjectAccess {
  friend ObjectMember object_member() { return M; }
};
template struct ObjectAccess<&Data::obj_>;

nlohmann::json to_json(const Data& d) {
  if (d.is_string()) return d.string_value();
  if (d.is_true()) return true;
  if (d.is_false()) return false;
  if (d.is_list()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& item : d.list_value()) a.push_back(to_json(item));
    return a;
  }
  if (d.is_lambda()) return d.lambda_value()("");  // artifacts.txt's `path`: see above
  if (d.is_partial()) return d.partial_value()();
  if (d.is_object()) {
    nlohmann::json o = nlohmann::json::object();  // keys sorted: the same view, the same bytes
    for (const auto& [k, v] : *(d.*object_member())) o[k] = to_json(v);
    return o;
  }
  return nullptr;
}

Data from_json(const nlohmann::json& j) {
  if (j.is_string()) return Data{j.get<std::string>()};
  if (j.is_boolean()) return Data{j.get<bool>()};
  if (j.is_array()) {
    Data list{Data::type::list};
    for (const auto& item : j) list.push_back(from_json(item));
    return list;
  }
  Data o;
  if (j.is_object())
    for (const auto& [k, v] : j.items()) o.set(k, from_json(v));
  return o;
}

struct Expansion {
  std::string tmpl;
  nlohmann::json view;
  std::string text;
  std::string path;  // "" until written() names it
  std::string post;
};

class Recorder : public render::ExpansionObserver {
 public:
  void expanded(std::string_view tmpl, const Data& view, const std::string& text) override {
    list.push_back({std::string(tmpl), to_json(view), text, {}, {}});
  }
  void written(std::string_view path, std::string_view post) override {
    if (list.empty() || !list.back().path.empty()) return;
    list.back().path = path;
    list.back().post = post;
  }
  std::vector<Expansion> list;
};

int mode_of(const render::File& f) {
  if (f.secret) return 0600;
  if (f.executable) return 0755;
  return 0644;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int usage() {
  std::cerr << "usage: stackctl_dump_views STACK [--values FILE] [--templates DIR] [--repeat N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string stack_path, values_file, templates_dir;
  int repeat = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--values" || a == "--templates" || a == "--repeat") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--values") values_file = v;
      if (a == "--templates") templates_dir = v;
      if (a == "--repeat") repeat = std::stoi(v);
    } else if (stack_path.empty() && !a.starts_with("--")) {
      stack_path = a;
    } else {
      return usage();
    }
  }
  if (stack_path.empty()) return usage();

  cli::Context ctx{{}, std::cout, std::cerr};
  const catalog::Catalog* catalog = cli::active_catalog(ctx);
  if (catalog == nullptr) return 3;
  auto text = cli::read_stack_text(stack_path);
  if (!text) {
    std::cerr << "stackctl_dump_views: " << text.error() << '\n';
    return 3;
  }
  Diagnostics diags;
  auto root = doc::parse(*text, cli::stack_display_name(stack_path), diags);
  if (!root) {
    std::cerr << format_diagnostic(root.error()) << '\n';
    return 1;
  }
  cli::RenderStacks stacks = cli::load_render_stacks(*root, stack_path, "", *catalog);
  if (!stacks.base || stacks.diags.has_errors()) {
    for (const auto& d : stacks.diags.items()) std::cerr << format_diagnostic(d) << '\n';
    std::cerr << "stackctl_dump_views: invalid stack\n";
    return 1;
  }
  render::Request request = stacks.request(catalog);
  const std::vector<const model::Stack*> all = stacks.all();
  auto templates = cli::load_templates(ctx, templates_dir);
  if (!templates) return templates.error();
  const std::string stack_dir = std::filesystem::path(stack_path).parent_path().string();
  auto values = cli::read_spark_env_values(ctx, {values_file, stack_dir, nullptr}, all);
  if (!values) {
    for (const auto& d : values.error().diags.items()) std::cerr << format_diagnostic(d) << '\n';
    return values.error().exit_code;
  }
  auto stack_files = cli::read_stack_files(stack_dir, all);
  if (!stack_files) {
    for (const auto& d : stack_files.error().items()) std::cerr << format_diagnostic(d) << '\n';
    return 3;
  }
  request.env_values = std::move(*values);
  request.stack_files = std::move(*stack_files);
  request.templates = &*templates;
  Recorder recorder;
  request.observer = &recorder;

  const auto t0 = std::chrono::steady_clock::now();
  auto rendered = render::render(request);
  const double render_ms = ms_since(t0);
  if (!rendered) {
    for (const auto& d : rendered.error().items()) std::cerr << format_diagnostic(d) << '\n';
    std::cerr << "stackctl_dump_views: render failed\n";
    return 1;
  }

  nlohmann::json doc = {{"stack", stack_path}};
  nlohmann::json tmpl_texts = nlohmann::json::object();
  std::map<std::string, const Expansion*> by_path;
  nlohmann::json unwritten = nlohmann::json::array();
  for (const auto& e : recorder.list) {
    tmpl_texts[e.tmpl] = *templates->find(e.tmpl);
    if (e.path.empty())
      unwritten.push_back({{"template", e.tmpl}, {"view", e.view}, {"expansion", e.text}});
    else
      by_path[e.path] = &e;
  }
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : rendered->files) {
    nlohmann::json j = {{"path", f.path}, {"mode", mode_of(f)}};
    if (auto it = by_path.find(f.path); it != by_path.end()) {
      j["template"] = it->second->tmpl;
      j["post"] = it->second->post;
      j["view"] = it->second->view;
      j["expansion"] = it->second->text;
    } else {
      j["data"] = f.data;
    }
    files.push_back(std::move(j));
  }
  // render puts each partial's text into the view without its last newline (kainjow keeps the
  // line of a standalone partial tag, images.cpp); a spec renderer takes the file as it is.
  nlohmann::json partials = nlohmann::json::object();
  for (const auto& name : templates->names_under("images/_partials/")) {
    if (!name.ends_with(".mustache")) continue;
    std::string key = "partial_" + name.substr(17, name.size() - 17 - 9);
    std::replace(key.begin(), key.end(), '-', '_');
    partials[key] = *templates->find(name);
  }
  doc["templates"] = std::move(tmpl_texts);
  doc["partials"] = std::move(partials);
  doc["files"] = std::move(files);
  doc["unwritten"] = std::move(unwritten);
  std::cout << doc.dump() << '\n';

  std::fprintf(stderr, "render::render (views, %zu expansions, manifest objects): %.2f ms\n",
               recorder.list.size(), render_ms);
  if (repeat > 0) {
    // The dumped views back as kainjow data (outside the timing), then every expansion again.
    std::vector<std::pair<const std::string*, Data>> work;
    for (const auto& e : recorder.list)
      work.emplace_back(templates->find(e.tmpl), from_json(e.view));
    std::vector<double> rounds;
    std::size_t mismatches = 0;
    for (int r = 0; r < repeat; ++r) {
      const auto t1 = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < work.size(); ++i) {
        kainjow::mustache::mustache tmpl{*work[i].first};
        const std::string out = tmpl.render(work[i].second);
        if (r == 0 && out != recorder.list[i].text) ++mismatches;
      }
      rounds.push_back(ms_since(t1));
    }
    std::sort(rounds.begin(), rounds.end());
    std::fprintf(stderr,
                 "kainjow expansions of the dumped views: median %.2f ms over %d rounds "
                 "(%zu expansions; %zu differ from render's)\n",
                 rounds[rounds.size() / 2], repeat, work.size(), mismatches);
    if (mismatches != 0) return 1;
  }
  return 0;
}
