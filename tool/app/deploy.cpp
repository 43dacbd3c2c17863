#include "app/deploy.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <span>
#include <thread>

#include "adapters/hashing.hpp"
#include "app/deploy_internal.hpp"
#include "core/deploy/applyset.hpp"
#include "core/deploy/diff.hpp"
#include "core/deploy/order.hpp"

namespace stackctl::app {

namespace {

using kube::Json;
using kube::Object;

std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& meta(const Json& j) {
  static const Json none = Json::object();
  return j.is_object() && j.contains("metadata") ? j["metadata"] : none;
}

// Field managers of a live object, in order ("stackctl", "kubectl-edit").
std::vector<std::string> managers(const Json& live) {
  std::vector<std::string> out;
  const Json& mf = meta(live).value("managedFields", Json::array());
  for (const auto& entry : mf) out.push_back(str(entry, "manager"));
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// A Secret's stringData as data: the server stores only data, so applying stringData changes
// the object on every apply (a second deploy would not be a no-op).
Object secret_as_data(Object o) {
  if (o.kind() != "Secret" || !o.body.contains("stringData")) return o;
  Json data = o.body.value("data", Json::object());
  for (const auto& [k, v] : o.body["stringData"].items())
    if (v.is_string()) data[k] = base64(v.get<std::string>());
  o.body.erase("stringData");
  o.body["data"] = std::move(data);
  return o;
}

bool managed_by_us(const Json& live) {
  for (const auto& m : managers(live))
    if (m == "stackctl") return true;
  return false;
}

DeployError api_error(const kube::Failure& f, const std::string& what, bool dry_run,
                      const DeployResult& result) {
  const auto kind = f.kind == kube::Failure::Kind::conflict && f.reason == "Conflict"
                        ? DeployError::Kind::conflict
                        : DeployError::Kind::api;
  return {kind, explain(f, what, dry_run), result};
}

// On the parent: per member, the resourceVersion the server answered to stackctl's last apply of
// it, a digest of what was applied and a digest of stackctl's managedFields entry in that answer:
// {"<key_of>": ["<resourceVersion>", "<digest>", "<fields digest>"]}. Applying the same intent
// again would change nothing, so deploy skips that PATCH, when either
// - the LIST shows that same resourceVersion: nobody wrote the member since (every write, a
//   controller's status update included, changes it); or
// - the LIST shows stackctl's managedFields entry (manager stackctl, operation Apply, the main
//   resource) exactly as the apply left it: the server records there every field stackctl owns,
//   and a write by anyone else that changes or removes one of them takes it out of that entry
//   (an Update takes ownership of what it changes; another applier changing it needs force,
//   which takes it away), so every field stackctl owns still holds the value it applied. A
//   controller's status update or another manager's own fields leave the entry alone.
// Only an optimisation: a missing, stale or damaged record costs the PATCH, never a wrong result.
// Rewritten only when members changed (below).
constexpr const char* kAppliedAnnotation = "stackctl.io/applied";
constexpr std::size_t kRecordLimit = 128 * 1024;

std::string intent_digest(const Object& body) {
  return hashing::hash_bytes(body.body.dump(), model::HashAlgorithm::sha256).substr(0, 32);
}

// Digest of stackctl's managedFields entry of an object ("" when it has none): what the server
// records that stackctl's applies own, with the time of the last apply that changed them.
std::string fields_digest(const Json& object) {
  const Json& mf = meta(object).value("managedFields", Json::array());
  for (const auto& entry : mf)
    if (str(entry, "manager") == "stackctl" && str(entry, "operation") == "Apply" &&
        str(entry, "subresource").empty())
      return hashing::hash_bytes(entry.dump(), model::HashAlgorithm::sha256).substr(0, 32);
  return {};
}

// Whether the record vouches that applying `digest` to `live` again would change nothing.
bool record_vouches(const Json& recorded, const Json& live, const std::string& digest) {
  if (!recorded.is_array() || recorded.size() < 2 || recorded[1] != digest) return false;
  if (recorded[0] == str(meta(live), "resourceVersion")) return true;
  if (recorded.size() < 3 || !recorded[2].is_string()) return false;  // a record from before
  const std::string fields = fields_digest(live);
  return !fields.empty() && recorded[2] == fields;
}

Json read_record(const Json& parent) {
  const std::string text =
      str(meta(parent).value("annotations", Json::object()), kAppliedAnnotation);
  if (text.empty()) return Json::object();
  try {
    Json j = Json::parse(text);
    return j.is_object() ? j : Json::object();
  } catch (const Json::exception&) {
    return Json::object();  // damaged: every member is applied
  }
}

// Identity of a live object for the prune and plan lookups.
std::string key_of(const std::string& group_kind, const std::string& ns, const std::string& name) {
  return group_kind + "/" + ns + "/" + name;
}

// One member's apply, in three parts so that the request can run on a worker thread: prepare
// (main thread: discovery, the intent, whether the record vouches for it), send (a worker: the
// GET for a diff and the PATCH; touches nothing but this Pending and the client), finish (main
// thread, in apply order: the action, the record, the result).
struct Pending {
  const Object* object = nullptr;
  ObjectResult out;
  enum class State { decided, waiting, sent } state = State::waiting;
  kube::Resource resource;
  Object body;
  std::string key;
  std::string digest;
  std::optional<Json> live;
  std::expected<Json, kube::Failure> answer = Json();  // the GET's or the PATCH's
};

struct Run {
  const DeployRequest& req;
  kube::Client& client;
  detail::Resources resources;
  deploy::ParentRef ref;
  DeployResult result;
  std::map<std::string, Json> listed;  // key_of -> live member
  std::vector<deploy::Live> listed_all;
  bool namespace_missing = false;
  Json old_record = Json::object();  // kAppliedAnnotation of the parent as read
  Json new_record = Json::object();  // what this deploy applied (or found unchanged)

  Run(const DeployRequest& r, kube::Client& c)
      : req(r), client(c), resources(c), ref{deploy::parent_name(r.stack), r.ns, r.tooling} {
    result.applyset_id = ref.id();
  }

  DeployError error(const kube::Failure& f, const std::string& what) const {
    return api_error(f, what, req.dry_run, result);
  }

  std::expected<void, DeployError> apply_namespace(const Object& ns);
  std::expected<std::optional<deploy::Members>, DeployError> read_parent();
  std::expected<void, DeployError> write_parent(const deploy::Members& m, const Json& record,
                                                const char* step);
  std::expected<void, DeployError> list_members(const deploy::Plan& plan,
                                                const std::vector<Object>& members);
  std::expected<Pending, DeployError> prepare(const Object& o, std::set<std::string>& uids);
  void send(Pending& p) const;
  std::expected<void, DeployError> finish(Pending& p, std::set<std::string>& uids);
  std::expected<void, DeployError> apply_wave(std::span<const Object> wave,
                                              std::set<std::string>& uids,
                                              DeployProgress& progress);
  std::expected<void, DeployError> prune(const deploy::Plan& plan,
                                         const std::set<std::string>& uids);
};

std::expected<void, DeployError> Run::apply_namespace(const Object& ns) {
  auto r = resources.get(ns.gvk());
  if (!r) return std::unexpected(r.error());
  auto live = client.get(*r, "", ns.name());
  if (!live) return std::unexpected(error(live.error(), ns.display()));
  ObjectResult out{ns.display(), kube::group_kind(ns.gvk()), Action::create, "", ""};
  if (*live && !managed_by_us(**live)) {
    // Someone else made it (Terraform's namespace module, an admin): theirs, not ours to change.
    out.action = Action::skipped;
    std::string who;
    for (const auto& m : managers(**live)) who += (who.empty() ? "" : ", ") + m;
    out.note = "exists, managed by " + (who.empty() ? std::string("another tool") : who) +
               ": left as it is";
    result.objects.push_back(std::move(out));
    return {};
  }
  if (!*live && req.dry_run) {
    namespace_missing = true;  // a dry run cannot create it, so nothing in it can be dry-run
    out.note = "does not exist yet: the objects in it are not dry-run on the server";
    result.objects.push_back(std::move(out));
    return {};
  }
  auto applied = client.apply(*r, ns, {"stackctl", req.force_conflicts, req.dry_run});
  if (!applied) return std::unexpected(error(applied.error(), ns.display()));
  if (*live)
    out.action = deploy::same_content(**live, *applied) ? Action::unchanged : Action::update;
  if (req.diff)
    out.diff =
        deploy::unified_diff(*live ? deploy::diff_yaml(deploy::strip_server_fields(**live)) : "",
                             deploy::diff_yaml(deploy::strip_server_fields(*applied)),
                             "live/" + ns.display(), "intended/" + ns.display());
  result.objects.push_back(std::move(out));
  return {};
}

std::expected<std::optional<deploy::Members>, DeployError> Run::read_parent() {
  if (namespace_missing) return std::nullopt;
  auto r = resources.get({"", "v1", "Secret"});
  if (!r) return std::unexpected(r.error());
  auto live = client.get(*r, ref.ns, ref.name);
  if (!live) return std::unexpected(error(live.error(), "Secret " + ref.ns + "/" + ref.name));
  if (!*live) return std::nullopt;
  auto m = deploy::read_parent(ref, **live);
  if (m) old_record = read_record(**live);
  if (!m) return std::unexpected(DeployError{DeployError::Kind::refused, m.error(), result});
  return *m;
}

std::expected<void, DeployError> Run::write_parent(const deploy::Members& m, const Json& record,
                                                   const char* step) {
  auto r = resources.get({"", "v1", "Secret"});
  if (!r) return std::unexpected(r.error());
  Object parent = deploy::parent_object(ref, m);
  // An object's annotations may total 256 KiB (apimachinery validation/objectmeta.go,
  // totalAnnotationSizeLimitB): a record past half of that (some 1000 members, at about 120 bytes
  // each) is left out, and every member is then applied each time.
  if (const std::string text = record.dump(); !record.empty() && text.size() <= kRecordLimit)
    parent.body["metadata"]["annotations"][kAppliedAnnotation] = text;
  auto applied = client.apply(*r, parent, {"stackctl", true, false});
  if (!applied)
    return std::unexpected(error(applied.error(), parent.display() + " (" + step + ")"));
  return {};
}

std::expected<void, DeployError> Run::list_members(const deploy::Plan& plan,
                                                   const std::vector<Object>& members) {
  if (namespace_missing) return {};
  std::map<std::string, std::string> versions;  // group-kind -> version applied now
  for (const auto& o : members) versions[kube::group_kind(o.gvk())] = o.gvk().version;
  for (const auto& gk : plan.widened.group_kinds) {
    const auto dot = gk.find('.');
    // The version of an object applied now; for a kind only the parent lists (no longer
    // rendered), an empty version asks discovery for the group's preferred one.
    kube::GroupVersionKind gvk{gk.substr(dot + 1), "", gk.substr(0, dot)};
    if (const auto v = versions.find(gk); v != versions.end()) gvk.version = v->second;
    auto r = resources.get(gvk);
    if (!r) return std::unexpected(r.error());
    std::vector<std::string> namespaces =
        r->namespaced ? plan.namespaces() : std::vector<std::string>{""};
    for (const auto& ns : namespaces) {
      auto list = client.list(*r, ns, {std::string(deploy::kPartOfLabel) + "=" + ref.id(), ""});
      if (!list) return std::unexpected(error(list.error(), "the " + r->name + " in " + ns));
      for (auto item : list->value("items", Json::array())) {
        // A LIST's items carry no apiVersion and kind (the List has them): put them back, so a
        // listed member compares equal to the server's answer to an apply of it.
        item["apiVersion"] = r->group.empty() ? r->version : r->group + "/" + r->version;
        item["kind"] = r->kind;
        listed[key_of(gk, str(meta(item), "namespace"), str(meta(item), "name"))] = item;
        listed_all.push_back({{r->group, r->version, r->kind}, item});
      }
    }
  }
  return {};
}

std::expected<Pending, DeployError> Run::prepare(const Object& o, std::set<std::string>& uids) {
  Pending p;
  p.object = &o;
  const std::string gk = kube::group_kind(o.gvk());
  p.out = ObjectResult{o.display(), gk, Action::create, "", ""};
  p.key = key_of(gk, o.namespace_name(), o.name());
  if (const auto it = listed.find(p.key); it != listed.end()) p.live = it->second;
  if (namespace_missing) {
    p.out.note = "namespace " + req.ns + " does not exist yet";
    p.state = Pending::State::decided;
    return p;
  }
  auto r = resources.get(o.gvk());
  if (!r) return std::unexpected(r.error());
  p.resource = *r;
  p.body = deploy::with_part_of(secret_as_data(o), ref.id());
  p.digest = intent_digest(p.body);
  if (p.live && !req.dry_run && !req.diff && !req.force_conflicts) {
    if (const Json recorded = old_record.value(p.key, Json());
        record_vouches(recorded, *p.live, p.digest)) {
      // Nobody changed what stackctl applied of this same intent since: nothing to send.
      new_record[p.key] = recorded;
      uids.insert(str(meta(*p.live), "uid"));
      p.out.action = Action::unchanged;
      p.state = Pending::State::decided;
    }
  }
  return p;
}

void Run::send(Pending& p) const {
  p.state = Pending::State::sent;
  if (!p.live && req.diff) {
    // Not ours yet, but it may exist: the diff shows what applying would change.
    auto got = client.get(p.resource, p.object->namespace_name(), p.object->name());
    if (!got) {
      p.answer = std::unexpected(got.error());
      return;
    }
    p.live = *got;
  }
  p.answer = client.apply(p.resource, p.body, {"stackctl", req.force_conflicts, req.dry_run});
}

std::expected<void, DeployError> Run::finish(Pending& p, std::set<std::string>& uids) {
  ObjectResult& out = p.out;
  if (p.state == Pending::State::decided) {
    result.objects.push_back(std::move(out));
    return {};
  }
  if (!p.answer) return std::unexpected(error(p.answer.error(), p.object->display()));
  const Json& applied = *p.answer;
  const std::optional<Json>& live = p.live;
  uids.insert(str(meta(applied), "uid"));
  if (!req.dry_run)
    new_record[p.key] =
        Json::array({str(meta(applied), "resourceVersion"), p.digest, fields_digest(applied)});
  if (live) {
    out.action = deploy::same_content(*live, applied) ? Action::unchanged : Action::update;
  } else {
    // Not listed as a member: new, unless the server's answer shows earlier managers (an object
    // made by hand or by kubectl, now adopted).
    for (const auto& m : managers(applied))
      if (m != "stackctl") out.action = Action::update;
    if (out.action == Action::update) out.note = "adopted into the ApplySet";
  }
  if (req.diff) {
    Json before = live ? deploy::strip_server_fields(*live) : Json();
    Json after = deploy::strip_server_fields(applied);
    deploy::mask_secret_data(before, after);
    out.diff =
        deploy::unified_diff(live ? deploy::diff_yaml(before) : "", deploy::diff_yaml(after),
                             "live/" + p.object->display(), "intended/" + p.object->display());
  }
  result.objects.push_back(std::move(out));
  return {};
}

// The members of one wave (one group-kind, consecutive in apply order: nothing in it refers to
// another of it), at most req.parallel requests in flight. Once a request fails no new one is
// started; those in flight finish. Then, in apply order, each sent member's answer goes into the
// result, so the result and the progress lines read as a sequential deploy would; the error is
// the first failed member's, with the others' appended.
std::expected<void, DeployError> Run::apply_wave(std::span<const Object> wave,
                                                 std::set<std::string>& uids,
                                                 DeployProgress& progress) {
  std::vector<Pending> pending;
  pending.reserve(wave.size());
  for (const auto& o : wave) {
    auto p = prepare(o, uids);
    if (!p) return std::unexpected(p.error());
    pending.push_back(std::move(*p));
  }
  std::vector<Pending*> to_send;
  for (auto& p : pending)
    if (p.state == Pending::State::waiting) to_send.push_back(&p);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (std::size_t i = next++; i < to_send.size() && !failed; i = next++) {
      send(*to_send[i]);
      if (!to_send[i]->answer) failed = true;
    }
  };
  const std::size_t threads =
      std::min<std::size_t>(to_send.size(), static_cast<std::size_t>(std::max(1, req.parallel)));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  }  // the jthreads join here

  std::optional<DeployError> first;
  for (auto& p : pending) {
    if (p.state == Pending::State::waiting) continue;  // not started after a failure
    if (auto done = finish(p, uids); !done) {
      if (!first) {
        first = done.error();
      } else {
        first->message += "\n" + done.error().message;
      }
      continue;
    }
    const auto& last = result.objects.back();
    progress.step((req.dry_run ? "dry run: " : "") + to_string(last.action) + " " + last.object);
  }
  if (first) {
    first->result = result;
    return std::unexpected(*first);
  }
  return {};
}

std::expected<void, DeployError> Run::prune(const deploy::Plan& plan,
                                            const std::set<std::string>& uids) {
  for (const auto& l : deploy::select_prune(ref.id(), plan.widened, listed_all, uids)) {
    const Object o{l.body};
    ObjectResult out{o.display(), kube::group_kind(l.gvk), Action::prune, "", ""};
    if (req.diff) {
      // A pruned Secret's values are masked too ("*** (before)"): they never leave the process.
      Json before = deploy::strip_server_fields(l.body), after;
      deploy::mask_secret_data(before, after);
      out.diff = deploy::unified_diff(deploy::diff_yaml(before), "", "live/" + o.display(),
                                      "intended/" + o.display());
    }
    if (!req.dry_run) {
      auto r = resources.get(l.gvk);
      if (!r) return std::unexpected(r.error());
      if (auto d = client.remove(*r, o.namespace_name(), o.name()); !d)
        return std::unexpected(error(d.error(), o.display() + " (prune)"));
    }
    result.objects.push_back(std::move(out));
  }
  return {};
}

}  // namespace

namespace detail {

std::expected<kube::Resource, DeployError> Resources::get(const kube::GroupVersionKind& gvk) {
  if (auto it = cache_.find(gvk); it != cache_.end()) return it->second;
  auto r = client_.resource_for(gvk);
  if (!r) {
    const std::string gv = gvk.group.empty() ? gvk.version : gvk.group + "/" + gvk.version;
    const std::string what = gvk.kind + (gv.empty() ? "" : " (" + gv + ")");
    if (r.error().kind == kube::Failure::Kind::not_found)
      return std::unexpected(DeployError{DeployError::Kind::api,
                                         client_.server() + " does not serve " + what +
                                             ": the cluster lacks that API (is it too old?)",
                                         {}});
    return std::unexpected(
        DeployError{DeployError::Kind::api, explain(r.error(), "discovery of " + what), {}});
  }
  cache_.emplace(gvk, *r);
  return *r;
}

}  // namespace detail

std::string to_string(Action a) {
  switch (a) {
    case Action::create:
      return "create";
    case Action::update:
      return "update";
    case Action::unchanged:
      return "unchanged";
    case Action::prune:
      return "prune";
    case Action::skipped:
      break;
  }
  return "skipped";
}

std::expected<DeployResult, DeployError> deploy(const DeployRequest& request, kube::Client& client,
                                                Clock& clock, DeployProgress& progress) {
  Run run(request, client);
  if (auto ok = detail::check_placeholders(request); !ok) return std::unexpected(ok.error());
  if (request.check_secrets)
    if (auto ok = detail::check_secrets(request, run.resources, client); !ok)
      return std::unexpected(ok.error());
  std::vector<Object> members;
  std::vector<Object> namespaces;
  for (auto& o : deploy::in_apply_order(request.objects))
    (o.kind() == "Namespace" && o.gvk().group.empty() ? namespaces : members).push_back(o);

  for (const auto& ns : namespaces)
    if (auto done = run.apply_namespace(ns); !done) return std::unexpected(done.error());
  auto old = run.read_parent();
  if (!old) return std::unexpected(old.error());
  const deploy::Plan plan =
      deploy::plan(run.ref, *old ? &**old : nullptr, deploy::members_of(run.ref, members));

  if (!request.dry_run && !run.namespace_missing && (!*old || plan.widened != **old)) {
    progress.step("ApplySet " + run.ref.ns + "/" + run.ref.name + ": widen to " +
                  std::to_string(plan.widened.group_kinds.size()) + " kinds");
    if (auto w = run.write_parent(plan.widened, run.old_record, "widen"); !w)
      return std::unexpected(w.error());
  }
  if (auto l = run.list_members(plan, members); !l) return std::unexpected(l.error());

  std::set<std::string> uids;
  for (std::size_t begin = 0; begin < members.size();) {
    std::size_t end = begin + 1;
    while (end < members.size() && members[end].gvk() == members[begin].gvk()) ++end;
    if (auto w = run.apply_wave(std::span<const Object>(members).subspan(begin, end - begin), uids,
                                progress);
        !w)
      return std::unexpected(w.error());
    begin = end;
  }
  if (request.prune && !run.namespace_missing) {
    if (auto p = run.prune(plan, uids); !p) return std::unexpected(p.error());
    if (!request.dry_run && plan.narrowed != plan.widened) {
      progress.step("ApplySet " + run.ref.ns + "/" + run.ref.name + ": narrow to " +
                    std::to_string(plan.narrowed.group_kinds.size()) + " kinds");
      if (auto n = run.write_parent(plan.narrowed, run.new_record, "narrow"); !n)
        return std::unexpected(n.error());
      run.old_record = run.new_record;
    }
  }
  // The record is rewritten only with a change of the members (or when it is missing): an
  // object a controller wrote since (a Deployment's status) answers its apply unchanged and
  // stays stale in the record, so it is applied again next time, and a deploy that changes
  // nothing writes nothing, the parent included.
  const bool members_changed =
      std::any_of(run.result.objects.begin(), run.result.objects.end(), [](const ObjectResult& o) {
        return o.action == Action::create || o.action == Action::update ||
               o.action == Action::prune;
      });
  if (!request.dry_run && !run.namespace_missing && run.new_record != run.old_record &&
      (members_changed ||
       (run.old_record.empty() && run.new_record.dump().size() <= kRecordLimit))) {
    // The parent as it stands (narrowed when pruning), with what was applied now.
    const auto& kinds = request.prune ? plan.narrowed : plan.widened;
    if (auto n = run.write_parent(kinds, run.new_record, "record"); !n)
      return std::unexpected(n.error());
  }
  if (request.dry_run || !request.wait) return std::move(run.result);
  if (auto w =
          detail::wait_for(request, members, run.resources, client, clock, progress, run.result);
      !w)
    return std::unexpected(w.error());
  return std::move(run.result);
}

}  // namespace stackctl::app
