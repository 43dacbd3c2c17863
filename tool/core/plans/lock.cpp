#include "core/plans/lock.hpp"

#include <nlohmann/json.hpp>

namespace stackctl::lock {

using nlohmann::json;

const Artifact* Lock::find_artifact(const std::string& name) const {
  for (const auto& a : artifacts)
    if (a.name == name) return &a;
  return nullptr;
}

const Image* Lock::find_image(const std::string& name) const {
  for (const auto& i : images)
    if (i.name == name) return &i;
  return nullptr;
}

std::string checksum_text(const model::Checksum& c) {
  return std::string(model::to_string(c.algorithm)) + ":" + c.hex;
}

std::string serialize(const Lock& lock) {
  json j;
  j["lockVersion"] = kLockVersion;
  j["stack"] = lock.stack;
  json versions = json::object();
  for (const auto& [k, v] : lock.versions) versions[k] = v;
  j["versions"] = versions;
  json artifacts = json::array();
  for (const auto& a : lock.artifacts)
    artifacts.push_back(
        {{"name", a.name}, {"url", a.url}, {"checksum", a.checksum}, {"origin", a.origin}});
  j["artifacts"] = artifacts;
  json images = json::array();
  for (const auto& i : lock.images)
    images.push_back({{"name", i.name},
                      {"ref", i.ref},
                      {"inputsDigest", i.inputs_digest},
                      {"digest", i.digest}});
  j["images"] = images;
  return j.dump(2) + "\n";
}

std::expected<Lock, Diagnostic> parse(std::string_view text, const std::string& file) {
  auto fail = [&](const std::string& msg) {
    return std::unexpected(Diagnostic{Severity::error,
                                      "E_LOCK",
                                      {file, 0, 0},
                                      "",
                                      msg,
                                      "delete the lock file and run `stackctl lock` again"});
  };
  try {
    const json j = json::parse(text);
    if (j.value("lockVersion", 0) != kLockVersion)
      return fail("unsupported lockVersion " + j.value("lockVersion", json()).dump());
    Lock lock;
    lock.stack = j.at("stack").get<std::string>();
    for (const auto& [k, v] : j.at("versions").items())
      lock.versions.emplace_back(k, v.get<std::string>());
    for (const auto& a : j.at("artifacts"))
      lock.artifacts.push_back({a.at("name"), a.at("url"), a.at("checksum"), a.at("origin")});
    for (const auto& i : j.at("images"))
      lock.images.push_back({i.at("name"), i.at("ref"), i.at("inputsDigest"), i.at("digest")});
    return lock;
  } catch (const json::exception& e) {
    return fail(std::string("malformed lock file: ") + e.what());
  }
}

Lock from_stack(const model::Stack& stack, const Lock* previous) {
  Lock lock;
  lock.stack = stack.metadata.name;
  const auto& v = stack.versions;
  // Sorted by name, as the JSON object is: from_stack(...) == parse(serialize(...)).
  lock.versions = {{"awsSdk", v.aws_sdk},  {"hadoop", v.hadoop}, {"java", v.java},
                   {"pyspark", v.pyspark}, {"python", v.python}, {"scala", v.scala},
                   {"spark", v.spark}};
  auto add = [&](const std::string& name, const std::string& url,
                 const std::optional<model::Checksum>& pinned) {
    Artifact a{name, url, "", "stack"};
    if (pinned) {
      a.checksum = checksum_text(*pinned);
    } else if (const Artifact* old = previous ? previous->find_artifact(name) : nullptr;
               old && old->url == url) {
      a.checksum = old->checksum;
      a.origin = old->origin;
    } else {
      a.origin = "resolved";
    }
    lock.artifacts.push_back(a);
  };
  add("spark", stack.artifacts.spark.url, stack.artifacts.spark.checksum);
  if (!stack.artifacts.kyuubi.url.empty())
    add("kyuubi", stack.artifacts.kyuubi.url, stack.artifacts.kyuubi.checksum);
  for (const auto& jar : stack.artifacts.jars) {
    const std::string url =
        jar.url.empty() ? stack.artifacts.mirror + "/" + jar.coordinate.repository_path() : jar.url;
    add(jar.coordinate.text(), url, jar.checksum);
  }
  if (previous) lock.images = previous->images;
  return lock;
}

std::vector<std::string> differences(const Lock& before, const Lock& after) {
  std::vector<std::string> out;
  auto show = [](const std::string& s) { return s.empty() ? std::string("(none)") : s; };
  if (before.stack != after.stack) out.push_back("stack: " + before.stack + " -> " + after.stack);
  for (const auto& [k, v] : after.versions) {
    std::string old;
    for (const auto& [bk, bv] : before.versions)
      if (bk == k) old = bv;
    if (old != v) out.push_back("version " + k + ": " + show(old) + " -> " + show(v));
  }
  for (const auto& a : after.artifacts) {
    const Artifact* b = before.find_artifact(a.name);
    if (b == nullptr) {
      out.push_back("artifact " + a.name + ": added");
    } else {
      if (b->url != a.url) out.push_back("artifact " + a.name + ": url " + b->url + " -> " + a.url);
      if (b->checksum != a.checksum)
        out.push_back("artifact " + a.name + ": checksum " + show(b->checksum) + " -> " +
                      show(a.checksum));
    }
  }
  for (const auto& b : before.artifacts)
    if (!after.find_artifact(b.name)) out.push_back("artifact " + b.name + ": removed");
  for (const auto& i : after.images) {
    const Image* b = before.find_image(i.name);
    if (b == nullptr) {
      out.push_back("image " + i.name + ": added " + i.ref);
    } else {
      if (b->ref != i.ref) out.push_back("image " + i.name + ": " + b->ref + " -> " + i.ref);
      if (b->inputs_digest != i.inputs_digest)
        out.push_back("image " + i.name + ": inputs " + show(b->inputs_digest) + " -> " +
                      show(i.inputs_digest));
      if (b->digest != i.digest)
        out.push_back("image " + i.name + ": digest " + show(b->digest) + " -> " + show(i.digest));
    }
  }
  for (const auto& b : before.images)
    if (!after.find_image(b.name)) out.push_back("image " + b.name + ": removed");
  return out;
}

}  // namespace stackctl::lock
