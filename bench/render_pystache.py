#!/usr/bin/python3
"""The baseline of bench/render.sh: stackctl's template files expanded by pystache (Debian's
python3-pystache 0.6.0) from the views stackctl_dump_views wrote, and written into a folder as a
careful user script would.

    render_pystache.py VIEWS.json OUT      render every file into OUT (replacing it as a whole)
    render_pystache.py VIEWS.json --check  compare each pystache expansion with stackctl's
                                           (kainjow's) expansion of the same view: byte-equal, or
                                           equal once empty lines are removed (named), or a
                                           failure (listed); write nothing
    render_pystache.py --compare A B       the tree stackctl wrote (A) against pystache's (B):
                                           the same files and modes, contents byte-equal or equal
                                           once empty lines are removed (named), else a failure
    render_pystache.py VIEWS.json --time-expand N
                                           expand every template N times over (no writing, no
                                           post-processing); print the median round in ms

What it does, per file of the dump: a file render copies as is ("data") is written as is; a
template's file is pystache's expansion of the template text with the file's view, then the same
post-processing render applies to that file ("post": tidy_blank_lines for build contexts and
Terraform, drop_empty_lines for Kubernetes manifests; bench/dump_views.cpp), written with the
file's mode (0600 spark.env, 0755 entrypoints, else 0644).

pystache is set up as stackctl's renderer is: strict (a name the view does not define is an
error, as render's StrictContext makes it), kainjow's HTML escaping for {{name}} (& < > " ' as
&amp; &lt; &gt; &quot; &apos;; Python's html.escape writes &#x27; for '), and the recipe partials
as their files are (the dump's "partials"; render hands kainjow each one in the view without its
last newline, because kainjow keeps a standalone partial tag's line where the spec drops it).

Writing: the same strategy as stackctl's fs::replace_tree (tool/adapters/fs.cpp): every file
into a sibling staging folder ".NAME.new-PID-HEX", one syncfs(2) for the staging folder's
filesystem (through ctypes: Python has no os.syncfs), then the old folder renamed aside, the
staging folder renamed to OUT, OUT's parent folder fsynced, the old folder removed. So a crash
leaves the old folder or the new one, whole. Not copied from stackctl: the removal of stale
staging folders of killed runs and the deferral of SIGINT/SIGTERM during the swap (both cost
nothing measurable when there is nothing to remove or no signal arrives).

On stderr: the time this process spent loading the JSON, expanding (pystache, all files) and
writing, in milliseconds.
"""
import ctypes
import json
import os
import re
import shutil
import sys
import time

from pystache.renderer import Renderer

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_ESCAPE_RE = re.compile(r"[&<>\"']")


def kainjow_escape(text):
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def tidy_blank_lines(text):
    # render's images.cpp/terraform.cpp: at most one blank line in a row, none at the end.
    text = re.sub(r"\n{3,}", "\n\n", text)
    while text.endswith("\n\n"):
        text = text[:-1]
    return text


_EMPTY_LINE = re.compile(r"^\n", re.M)


def drop_empty_lines(text):
    # render's manifests_view.cpp: every empty line goes.
    return _EMPTY_LINE.sub("", text)


POST = {"": lambda t: t, "tidy_blank_lines": tidy_blank_lines, "drop_empty_lines": drop_empty_lines}


_PARTIALS = {}


def expand(template, view):
    renderer = Renderer(escape=kainjow_escape, missing_tags="strict", partials=_PARTIALS)
    return renderer.render(template, view)


def rendered_files(dump):
    """(path, mode, bytes) of every file, in the dump's order."""
    templates = dump["templates"]
    for f in dump["files"]:
        if "template" in f:
            text = POST[f["post"]](expand(templates[f["template"]], f["view"]))
        else:
            text = f["data"]
        yield f["path"], f["mode"], text.encode("utf-8")


_libc = ctypes.CDLL(None, use_errno=True)


def syncfs(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _libc.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path)
    finally:
        os.close(fd)


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_tree(out, files):
    out = os.path.abspath(out)
    parent, name = os.path.split(out)
    os.makedirs(parent, exist_ok=True)
    suffix = f"{os.getpid()}-{os.urandom(6).hex()}"
    staging = os.path.join(parent, f".{name}.new-{suffix}")
    try:
        for path, mode, data in files:
            p = os.path.join(staging, path)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
            try:
                os.fchmod(fd, mode)  # whatever the umask
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        syncfs(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = os.path.join(parent, f".{name}.old-{suffix}")
    had_old = os.path.exists(out)
    if had_old:
        os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        if had_old:
            os.rename(old, out)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_dir(parent)
    if had_old:
        shutil.rmtree(old, ignore_errors=True)


def without_empty_lines(text):
    return drop_empty_lines(text)


def check(dump):
    """Every expansion (files and unwritten ones) against stackctl's. Returns (count, equal,
    blank_only, differ): byte-equal ones; ones equal once empty lines are removed from both (the
    known difference in standalone tags, see KNOWN below); and the rest, which should not exist."""
    templates = dump["templates"]
    items = [f for f in dump["files"] if "template" in f] + dump["unwritten"]
    equal, blank_only, differ = [], [], []
    for item in items:
        mine = expand(templates[item["template"]], item["view"])
        entry = (item.get("path", "(no file)"), item["template"], mine, item["expansion"])
        if mine == item["expansion"]:
            equal.append(entry)
        elif without_empty_lines(mine) == without_empty_lines(item["expansion"]):
            blank_only.append(entry)
        else:
            differ.append(entry)
    return len(items), equal, blank_only, differ


KNOWN = ("kainjow 4.1 (stackctl) keeps the line of a standalone tag when its section is skipped "
         "and of a standalone comment as an empty line; pystache removes standalone tag lines as "
         "the Mustache spec says")


def first_difference(mine, theirs):
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if a != b:
            return (f"  first difference at character {i}: pystache {mine[max(0, i - 40):i + 40]!r}"
                    f" stackctl {theirs[max(0, i - 40):i + 40]!r}")
    return f"  one is a prefix of the other ({len(mine)} and {len(theirs)} characters)"


def compare_trees(a, b):
    """The tree stackctl wrote (a) against pystache's (b): same files, same modes, and contents
    byte-equal or equal once empty lines are removed. Prints the second kind by name."""
    def files(root):
        out = {}
        for d, _, names in os.walk(root):
            for n in names:
                p = os.path.join(d, n)
                out[os.path.relpath(p, root)] = (os.stat(p).st_mode & 0o7777, open(p, "rb").read())
        return out
    fa, fb = files(a), files(b)
    bad = 0
    for p in sorted(set(fa) ^ set(fb)):
        print(f"only in {'stackctl' if p in fa else 'pystache'}'s tree: {p}", file=sys.stderr)
        bad += 1
    equal, blank_only = 0, []
    for p in sorted(set(fa) & set(fb)):
        (ma, da), (mb, db) = fa[p], fb[p]
        if ma != mb:
            print(f"mode differs: {p}: stackctl {ma:o}, pystache {mb:o}", file=sys.stderr)
            bad += 1
        if da == db:
            equal += 1
        elif without_empty_lines(da.decode()) == without_empty_lines(db.decode()):
            blank_only.append(p)
        else:
            print(f"differs: {p}", file=sys.stderr)
            print(first_difference(db.decode(), da.decode()), file=sys.stderr)
            bad += 1
    print(f"{equal} of {len(fa)} written files byte-equal, {len(blank_only)} equal once empty lines "
          f"are removed ({', '.join(blank_only) or 'none'}), modes equal" if not bad else
          f"{bad} differences besides empty lines", file=sys.stderr)
    return 1 if bad else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--compare":
        return compare_trees(argv[2], argv[3])
    if len(argv) == 4 and argv[2] == "--time-expand":
        with open(argv[1], encoding="utf-8") as f:
            dump = json.load(f)
        _PARTIALS.update(dump["partials"])
        templates = dump["templates"]
        items = [f for f in dump["files"] if "template" in f] + dump["unwritten"]
        rounds = []
        for _ in range(int(argv[3])):
            t = time.perf_counter()
            for item in items:
                expand(templates[item["template"]], item["view"])
            rounds.append(1000 * (time.perf_counter() - t))
        rounds.sort()
        print(f"pystache expansions of the dumped views: median {rounds[len(rounds) // 2]:.2f} ms "
              f"over {len(rounds)} rounds ({len(items)} expansions)", file=sys.stderr)
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    with open(argv[1], encoding="utf-8") as f:
        dump = json.load(f)
    _PARTIALS.update(dump["partials"])
    t1 = time.perf_counter()
    if argv[2] == "--check":
        count, equal, blank_only, differ = check(dump)
        for path, tmpl, mine, theirs in differ:
            print(f"differs: {path} (from {tmpl})", file=sys.stderr)
            print(first_difference(mine, theirs), file=sys.stderr)
        print(f"{len(equal)} of {count} expansions byte-equal, {len(blank_only)} equal once empty "
              f"lines are removed ({KNOWN}): "
              f"{', '.join(sorted(set(t for _, t, _, _ in blank_only))) or 'none'}; "
              f"{len(differ)} differ otherwise", file=sys.stderr)
        return 1 if differ else 0
    files = list(rendered_files(dump))
    t2 = time.perf_counter()
    replace_tree(argv[2], files)
    t3 = time.perf_counter()
    print(f"pystache: {len(files)} files; load JSON {1000 * (t1 - t0):.2f} ms, expand "
          f"{1000 * (t2 - t1):.2f} ms, write {1000 * (t3 - t2):.2f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
