#include "adapters/git.hpp"

#include <git2.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace stackctl::git {

namespace {

namespace stdfs = std::filesystem;

struct Lib {
  Lib() { git_libgit2_init(); }
  ~Lib() { git_libgit2_shutdown(); }
};
void init() {
  static Lib lib;
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Repo = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Obj = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Entry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using Status = std::unique_ptr<git_status_list, Deleter<git_status_list, git_status_list_free>>;

Failure failure(const std::string& what) {
  const git_error* e = git_error_last();
  return {what + ": " + (e != nullptr && e->message != nullptr ? e->message : "unknown error")};
}

std::string short_id(const git_oid* id) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof buf, id);
  return std::string(buf).substr(0, 7);
}

// The nearest folder of `p` that exists (a deleted rendered folder still has a repository above).
stdfs::path existing_ancestor(stdfs::path p) {
  std::error_code ec;
  p = stdfs::absolute(p, ec);
  while (!p.empty() && !stdfs::exists(p, ec) && p != p.root_path()) p = p.parent_path();
  return p;
}

struct WalkState {
  git_repository* repo;
  std::map<std::string, std::string>* files;
  std::string error;
};

int collect(const char* root, const git_tree_entry* entry, void* payload) {
  auto* st = static_cast<WalkState*>(payload);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return 0;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, st->repo, git_tree_entry_id(entry)) != 0) {
    st->error = failure(std::string("cannot read ") + root + git_tree_entry_name(entry)).message;
    return -1;
  }
  Blob blob(raw);
  const auto* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  (*st->files)[std::string(root) + git_tree_entry_name(entry)] =
      std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob.get())));
  return 0;
}

std::expected<void, Failure> read_committed(git_repository* repo, git_tree* tree,
                                            const std::string& prefix, TreeRead& out) {
  Tree owned;
  git_tree* sub = tree;
  if (!prefix.empty()) {
    git_tree_entry* raw = nullptr;
    const int rc = git_tree_entry_bypath(&raw, tree, prefix.c_str());
    if (rc == GIT_ENOTFOUND) return {};  // nothing committed there
    if (rc != 0) return std::unexpected(failure("cannot read " + prefix));
    Entry entry(raw);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) return {};
    git_tree* t = nullptr;
    if (git_tree_lookup(&t, repo, git_tree_entry_id(entry.get())) != 0)
      return std::unexpected(failure("cannot read " + prefix));
    owned.reset(t);
    sub = t;
  }
  WalkState st{repo, &out.files, ""};
  if (git_tree_walk(sub, GIT_TREEWALK_PRE, collect, &st) != 0)
    return std::unexpected(
        Failure{st.error.empty() ? failure("cannot walk " + prefix).message : st.error});
  return {};
}

std::optional<std::string> read_disk(const stdfs::path& p) {
  std::error_code ec;
  if (!stdfs::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string note_for(unsigned flags, bool renamed_from) {
  if (renamed_from) return "renamed in the work tree";
  if (flags & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED)) return "deleted in the work tree";
  if (flags & GIT_STATUS_WT_NEW) return "untracked";
  if (flags & GIT_STATUS_INDEX_NEW) return "added, not committed";
  return "modified in the work tree";
}

// Applies `git status` under prefix to out.files: each listed path as it is on disk now.
std::expected<void, Failure> overlay_work_tree(git_repository* repo, const std::string& prefix,
                                               TreeRead& out) {
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX | GIT_STATUS_OPT_RENAMES_INDEX_TO_WORKDIR;
  std::string spec = prefix.empty() ? std::string() : prefix + "/";
  char* specs[] = {spec.data()};
  if (!prefix.empty()) opts.pathspec = {specs, 1};
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo, &opts) != 0)
    return std::unexpected(failure("cannot read the work tree's status"));
  Status list(raw);
  const std::string base = prefix.empty() ? "" : prefix + "/";
  auto relative = [&](const char* p) -> std::optional<std::string> {
    if (p == nullptr) return std::nullopt;
    std::string s = p;
    if (!s.starts_with(base)) return std::nullopt;
    return s.substr(base.size());
  };
  const std::size_t n = git_status_list_entrycount(list.get());
  for (std::size_t i = 0; i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    const unsigned flags = e->status;
    std::optional<std::string> from, to;
    for (const git_diff_delta* d : {e->head_to_index, e->index_to_workdir}) {
      if (d == nullptr) continue;
      if (!from) from = relative(d->old_file.path);
      if (auto p = relative(d->new_file.path)) to = p;
    }
    const bool renamed = from && to && *from != *to;
    for (const auto& path : {from, to}) {
      if (!path) continue;
      if (auto data = read_disk(out.top / (base + *path)))
        out.files[*path] = std::move(*data);
      else
        out.files.erase(*path);
    }
    if (renamed) {
      out.notes[*from] = "renamed to " + *to + " in the work tree";
      out.notes[*to] = "renamed from " + *from + " in the work tree";
    } else if (to) {
      out.notes[*to] = note_for(flags, false);
    }
  }
  return {};
}

}  // namespace

std::expected<TreeRead, Failure> read_tree(const stdfs::path& dir, const std::string& ref,
                                           WorkTree work_tree) {
  init();
  const stdfs::path start = existing_ancestor(dir);
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, start.c_str(), 0, nullptr) != 0)
    return std::unexpected(failure(dir.string() + " is not in a git repository"));
  Repo repo(raw);
  const char* wd = git_repository_workdir(repo.get());
  if (wd == nullptr)
    return std::unexpected(
        Failure{"the repository of " + dir.string() + " is bare: there is no work tree"});
  TreeRead out;
  std::error_code ec;
  out.top = stdfs::weakly_canonical(stdfs::path(wd), ec);
  const stdfs::path abs = stdfs::weakly_canonical(stdfs::absolute(dir, ec), ec);
  const stdfs::path rel = abs.lexically_relative(out.top);
  if (rel.empty() || rel.native().starts_with(".."))
    return std::unexpected(Failure{dir.string() + " is outside the work tree " + out.top.string()});
  out.dir_in_repo = rel == "." ? "" : rel.generic_string();

  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo.get(), ref.c_str()) != 0)
    return std::unexpected(failure("unknown revision \"" + ref + "\""));
  Obj target(obj);
  git_object* commit = nullptr;
  if (git_object_peel(&commit, target.get(), GIT_OBJECT_COMMIT) != 0)
    return std::unexpected(failure("\"" + ref + "\" does not name a commit"));
  Obj commit_obj(commit);
  git_object* tree_obj = nullptr;
  if (git_object_peel(&tree_obj, commit_obj.get(), GIT_OBJECT_TREE) != 0)
    return std::unexpected(failure("cannot read the tree of \"" + ref + "\""));
  Obj tree(tree_obj);
  if (auto r =
          read_committed(repo.get(), reinterpret_cast<git_tree*>(tree.get()), out.dir_in_repo, out);
      !r)
    return std::unexpected(r.error());
  out.description = ref + " (" + short_id(git_object_id(commit_obj.get())) + ")";

  git_oid head{};
  const bool at_head = git_reference_name_to_id(&head, repo.get(), "HEAD") == 0 &&
                       git_oid_equal(&head, git_object_id(commit_obj.get())) != 0;
  if (work_tree == WorkTree::include && at_head) {
    if (auto r = overlay_work_tree(repo.get(), out.dir_in_repo, out); !r)
      return std::unexpected(r.error());
    out.work_tree_read = true;
    out.description += " + work tree";
  } else if (work_tree == WorkTree::include) {
    out.description += " (work tree not read: not HEAD)";
  }
  return out;
}

std::optional<stdfs::path> work_tree_top(const stdfs::path& inside) {
  init();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, existing_ancestor(inside).c_str(), 0, nullptr) != 0)
    return std::nullopt;
  Repo repo(raw);
  const char* wd = git_repository_workdir(repo.get());
  if (wd == nullptr) return std::nullopt;
  std::error_code ec;
  return stdfs::weakly_canonical(stdfs::path(wd), ec);
}

}  // namespace stackctl::git
