// Checks that span sections: every name a stack refers to exists, and the image graph is a DAG.
#include <algorithm>
#include <map>
#include <set>

#include "core/stack/sections.hpp"

namespace stackctl::detail {

namespace {

std::vector<std::string> image_names(const model::Stack& s) {
  std::vector<std::string> out;
  for (const auto& i : s.images) out.push_back(i.name);
  return out;
}

void unknown_ref(ReadContext& ctx, const model::Stack& s, const std::string& path,
                 const std::string& what, const std::string& name,
                 const std::vector<std::string>& candidates) {
  const std::string guess = did_you_mean(name, candidates);
  std::string list;
  for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c;
  ctx.diags.error("E_UNKNOWN_REF", s.locs.at(path), path, "unknown " + what + " \"" + name + "\"",
                  !guess.empty() ? "did you mean \"" + guess + "\"?"
                  : list.empty() ? "the stack defines no " + what + "s"
                                 : "defined " + what + "s: " + list);
}

void check_image_refs(const model::Stack& s, ReadContext& ctx) {
  const auto names = image_names(s);
  auto exists = [&](const std::string& n) { return s.find_image(n) != nullptr; };
  for (std::size_t i = 0; i < s.images.size(); ++i) {
    const auto& img = s.images[i];
    const std::string base = "images[" + std::to_string(i) + "]";
    if (img.from.kind == model::ImageFrom::Kind::image && !img.from.ref.empty() &&
        !exists(img.from.ref)) {
      unknown_ref(ctx, s, base + ".from.image", "image", img.from.ref, names);
    }
    std::vector<std::string> envs;
    for (const auto& e : s.python.conda) envs.push_back(e.name);
    for (std::size_t c = 0; c < img.conda_envs.size(); ++c) {
      if (std::find(envs.begin(), envs.end(), img.conda_envs[c]) == envs.end())
        unknown_ref(ctx, s, base + ".conda[" + std::to_string(c) + "]", "conda environment",
                    img.conda_envs[c], envs);
    }
    if (!img.conda_envs.empty() && !img.python) {
      ctx.diags.error("E_VALUE", s.locs.at(base + ".conda"), base + ".conda",
                      "image \"" + img.name +
                          "\" installs conda environments but does not "
                          "declare `python: true`",
                      "add `python: true` to the image so its Python version is checked");
    }
  }
  auto service_image = [&](const std::string& path, const std::string& name, bool needs_python) {
    if (name.empty()) return;
    const model::Image* img = s.find_image(name);
    if (img == nullptr) {
      unknown_ref(ctx, s, path, "image", name, names);
    } else if (needs_python && !img->python) {
      ctx.diags.error("E_VALUE", s.locs.at(path), path,
                      "image \"" + name + "\" runs notebooks but does not declare `python: true`",
                      "add `python: true` to image \"" + name + "\"");
    }
  };
  const auto& sv = s.services;
  if (sv.connect.enabled) service_image("services.connect.image", sv.connect.image, false);
  for (std::size_t n = 0; n < sv.notebooks.size(); ++n)
    service_image("services.notebooks[" + std::to_string(n) + "].image", sv.notebooks[n].image,
                  true);
  if (sv.kyuubi.enabled) service_image("services.kyuubi.image", sv.kyuubi.image, false);
  if (sv.kyuubi.enabled && s.artifacts.kyuubi.url.empty()) {
    // Not an error: the stack renders and deploys with a Kyuubi image built elsewhere. But
    // `stackctl build` cannot build the kyuubi recipe without the distribution, so say so now.
    ctx.diags.warning("W_NO_KYUUBI_DIST", s.locs.at("services.kyuubi.image"),
                      "services.kyuubi.image",
                      "Kyuubi is enabled but artifacts.kyuubi is not set: `stackctl build` "
                      "cannot build image \"" +
                          sv.kyuubi.image + "\" (no Kyuubi distribution to install)",
                      "add artifacts.kyuubi with `url:` (an apache-kyuubi-<version>-bin.tgz) "
                      "and `sha512:` (its published .sha512), or point services.kyuubi.image "
                      "at an image built elsewhere");
  }
  if (sv.history_server.enabled)
    service_image("services.historyServer.image", sv.history_server.image, false);
  for (std::size_t a = 0; a < s.applications.size(); ++a) {
    const auto& app = s.applications[a];
    service_image("applications[" + std::to_string(a) + "].image", app.image, false);
    const model::Image* img = s.find_image(app.image);
    const bool python =
        app.main_resource.ends_with(".py") || !app.py_files.empty() || app.client.interactive;
    if (img != nullptr && python && !img->python)
      ctx.diags.error("E_VALUE", s.locs.at("applications[" + std::to_string(a) + "].image"),
                      "applications[" + std::to_string(a) + "].image",
                      "application \"" + app.name + "\" runs Python but image \"" + app.image +
                          "\" does not declare `python: true`",
                      "add `python: true` to image \"" + app.image +
                          "\", or run the application in an image that has Python");
  }
}

// Reports each cycle once, as "a -> b -> a", at the image that closes it.
void check_cycles(const model::Stack& s, ReadContext& ctx) {
  std::map<std::string, int> state;  // 0 unvisited, 1 on the stack, 2 done
  std::set<std::string> reported;
  for (std::size_t i = 0; i < s.images.size(); ++i) {
    std::vector<std::size_t> chain;
    std::size_t cur = i;
    while (true) {
      const auto& img = s.images[cur];
      if (state[img.name] == 2) break;
      if (state[img.name] == 1) {
        auto start = std::find_if(chain.begin(), chain.end(),
                                  [&](std::size_t c) { return s.images[c].name == img.name; });
        std::string text;
        std::set<std::string> members;
        for (auto it = start; it != chain.end(); ++it) {
          text += s.images[*it].name + " -> ";
          members.insert(s.images[*it].name);
        }
        text += img.name;
        if (reported.insert(*members.begin()).second) {
          const std::string path = "images[" + std::to_string(chain.back()) + "].from.image";
          ctx.diags.error("E_CYCLE", s.locs.at(path), path,
                          "image graph has a cycle (each image is built FROM the next): " + text,
                          "an image cannot be built FROM itself; make one of them FROM an "
                          "external base");
        }
        break;
      }
      state[img.name] = 1;
      chain.push_back(cur);
      if (img.from.kind != model::ImageFrom::Kind::image) break;
      const auto next = std::find_if(s.images.begin(), s.images.end(),
                                     [&](const model::Image& x) { return x.name == img.from.ref; });
      if (next == s.images.end()) break;
      cur = static_cast<std::size_t>(next - s.images.begin());
    }
    for (std::size_t c : chain) state[s.images[c].name] = 2;
  }
}

void check_env_refs(const model::Stack& s, ReadContext& ctx) {
  std::vector<std::string> sources;
  for (const auto& src : s.spark_env.sources) sources.push_back(src.name);
  for (std::size_t k = 0; k < s.spark_env.keys.size(); ++k) {
    const auto& key = s.spark_env.keys[k];
    if (key.source.empty()) continue;
    if (std::find(sources.begin(), sources.end(), key.source) == sources.end())
      unknown_ref(ctx, s, "sparkEnv.keys[" + std::to_string(k) + "].from", "spark.env source",
                  key.source, sources);
  }
}

}  // namespace

void check_references(const model::Stack& stack, ReadContext& ctx) {
  check_image_refs(stack, ctx);
  check_cycles(stack, ctx);
  check_env_refs(stack, ctx);
  check_derived_names(stack, ctx);
}

}  // namespace stackctl::detail
