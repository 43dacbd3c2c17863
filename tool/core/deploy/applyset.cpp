#include "core/deploy/applyset.hpp"

#include <array>
#include <string_view>

#include "core/codec/codec.hpp"

namespace stackctl::deploy {

namespace {

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::set<std::string> split(const std::string& text) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    if (end > start) out.insert(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string string_at(const kube::Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string tool_of(const std::string& tooling) {
  return tooling.substr(0, tooling.find('/'));
}

}  // namespace

std::string applyset_id(const std::string& name, const std::string& ns, const std::string& kind,
                        const std::string& group) {
  return "applyset-" +
         codec::base64url_nopad(codec::sha256_bytes(name + "." + ns + "." + kind + "." + group)) +
         "-v1";
}

std::string ParentRef::id() const {
  return applyset_id(name, ns, "Secret", "");
}

std::string parent_name(const std::string& stack) {
  return stack + "-applyset";
}

std::expected<Members, std::string> read_parent(const ParentRef& ref, const kube::Json& live) {
  const kube::Object o{live};
  const std::string where = "Secret " + ref.ns + "/" + ref.name;
  const std::string tooling = string_at(o.annotations(), kToolingAnnotation);
  if (!tooling.empty() && tool_of(tooling) != tool_of(ref.tooling))
    return std::unexpected(where + " is the ApplySet parent of another tool (" +
                           kToolingAnnotation + "=" + tooling +
                           "): stackctl will not apply or prune its objects; deploy into another "
                           "namespace, or remove that ApplySet with the tool that made it");
  if (string_at(o.labels(), kIdLabel) != ref.id())
    return std::unexpected(where + " exists but is not this stack's ApplySet parent (label " +
                           kIdLabel + " is not " + ref.id() +
                           "): rename or delete that Secret, stackctl will not take it over");
  return Members{split(string_at(o.annotations(), kGroupKindsAnnotation)),
                 split(string_at(o.annotations(), kNamespacesAnnotation))};
}

kube::Object parent_object(const ParentRef& ref, const Members& members) {
  kube::Json body = {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata",
       {{"name", ref.name},
        {"namespace", ref.ns},
        {"labels", {{kIdLabel, ref.id()}, {"app.kubernetes.io/managed-by", "stackctl"}}},
        {"annotations",
         {{kToolingAnnotation, ref.tooling},
          {kGroupKindsAnnotation, join(members.group_kinds)},
          {kNamespacesAnnotation, join(members.namespaces)}}}}},
      {"type", "Opaque"}};
  return kube::Object{std::move(body)};
}

Members members_of(const ParentRef& ref, const std::vector<kube::Object>& objects) {
  Members m;
  for (const auto& o : objects) {
    m.group_kinds.insert(kube::group_kind(o.gvk()));
    const std::string ns = o.namespace_name();
    if (!ns.empty() && ns != ref.ns) m.namespaces.insert(ns);
  }
  return m;
}

kube::Object with_part_of(kube::Object object, const std::string& id) {
  object.body["metadata"]["labels"][kPartOfLabel] = id;
  return object;
}

std::vector<std::string> Plan::namespaces() const {
  std::vector<std::string> out = {ns};
  out.insert(out.end(), widened.namespaces.begin(), widened.namespaces.end());
  return out;
}

Plan plan(const ParentRef& ref, const Members* old, const Members& now) {
  Plan p{ref.ns, now, now};
  if (old != nullptr) {
    p.widened.group_kinds.insert(old->group_kinds.begin(), old->group_kinds.end());
    p.widened.namespaces.insert(old->namespaces.begin(), old->namespaces.end());
  }
  return p;
}

std::vector<Live> select_prune(const std::string& id, const Members& widened,
                               const std::vector<Live>& listed,
                               const std::set<std::string>& applied_uids) {
  std::vector<Live> out;
  for (const auto& l : listed) {
    const kube::Object o{l.body};
    if (string_at(o.labels(), kPartOfLabel) != id) continue;
    if (!widened.group_kinds.contains(kube::group_kind(l.gvk))) continue;
    const auto& meta = l.body.contains("metadata") ? l.body["metadata"] : kube::Json::object();
    if (applied_uids.contains(string_at(meta, "uid"))) continue;
    out.push_back(l);
  }
  return out;
}

}  // namespace stackctl::deploy
