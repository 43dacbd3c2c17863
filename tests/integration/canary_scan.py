#!/usr/bin/env python3
"""Finds canary values, and their common encodings, in files: the scanner of canary.sh.

    canary_scan.py --canaries FILE --root DIR [--root DIR ...] [--exclude DIR ...]
                   [--allow GLOB=NAME,NAME ...] [--report FILE]

--canaries: one canary a line, NAME<TAB>VALUE, where VALUE is written with Python's escapes
(a PEM key's newlines as \\n). Every file under each --root (not under an --exclude) is read as
bytes and searched for each value as:
  - the value itself;
  - base64 (standard and URL-safe alphabets) at each of the three byte alignments, so the value
    is found also inside a longer encoded blob (a Secret's data, a kubeconfig's *-data, an
    Authorization: Basic header): the groups that hold only the value's bytes;
  - percent-encoding (quote and quote_plus, nothing kept safe);
  - JSON string escaping (json.dumps, and with "/" written as "\\/");
  - for a multi-line value, each of its lines of 16 characters or more (a PEM body line).
--allow GLOB=NAMES: a file whose path matches GLOB may hold those canaries (and only those) if
its mode is 0600; a match with any other mode is a failure too.
Exit 0 when nothing leaked, 1 with one line per (file, canary, encoding) found, 2 on bad usage.
The report (stdout, and --report FILE) lists what was scanned: files, bytes, canaries, patterns.
"""
import argparse
import base64
import fnmatch
import json
import os
import stat
import sys
import urllib.parse


def b64_windows(value, alphabet_urlsafe):
    """Base64 substrings that appear whatever bytes surround the value."""
    enc = base64.urlsafe_b64encode if alphabet_urlsafe else base64.b64encode
    out = []
    for pad in range(3):
        data = b"\0" * pad + value
        text = enc(data).decode()
        # Groups of 4 characters encode 3 bytes; the first group holds pad bytes when pad > 0,
        # and the last full group may hold bytes that follow the value in a longer blob.
        start = 4 if pad else 0
        end = (len(data) // 3) * 4
        piece = text[start:end]
        if len(piece) >= 12:
            out.append(piece)
    return out


def patterns_of(value):
    raw = value.encode()
    found = {"raw": [raw]}
    found["base64"] = [p.encode() for p in b64_windows(raw, False)]
    found["base64url"] = [p.encode() for p in b64_windows(raw, True)]
    found["percent"] = [urllib.parse.quote(value, safe="").encode(),
                        urllib.parse.quote_plus(value, safe="").encode()]
    js = json.dumps(value)[1:-1]
    found["json"] = [js.encode(), js.replace("/", "\\/").encode()]
    if "\n" in value:
        found["line"] = [line.strip().encode() for line in value.splitlines()
                         if len(line.strip()) >= 16]
    return {k: sorted(set(v) - {b""}) for k, v in found.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--canaries", required=True)
    ap.add_argument("--root", action="append", default=[])
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--allow", action="append", default=[])
    ap.add_argument("--report")
    a = ap.parse_args()
    canaries = {}
    for line in open(a.canaries, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            continue
        name, _, value = line.partition("\t")
        value = value.encode().decode("unicode_escape")
        if len(value) < 12:
            print("canary %s is too short to find without false hits" % name)
            return 2
        canaries[name] = patterns_of(value)
    allows = []
    for spec in a.allow:
        glob, _, names = spec.partition("=")
        allows.append((glob, set(n for n in names.split(",") if n)))
    excludes = [os.path.realpath(e) for e in a.exclude]
    leaks, allowed_hits, files, size = [], [], 0, 0
    for root in a.root:
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs
                       if not any(os.path.realpath(os.path.join(d, x)) == e for e in excludes)]
            for n in names:
                p = os.path.join(d, n)
                st = os.lstat(p)
                if not stat.S_ISREG(st.st_mode):
                    continue
                with open(p, "rb") as f:
                    data = f.read()
                files += 1
                size += len(data)
                for name, pats in canaries.items():
                    for kind, ps in pats.items():
                        if not any(x in data for x in ps):
                            continue
                        ok = [names for glob, names in allows if fnmatch.fnmatch(p, glob)]
                        mode = stat.S_IMODE(st.st_mode)
                        if ok and name in set().union(*ok) and mode == 0o600:
                            allowed_hits.append((p, name, kind))
                        elif ok and name in set().union(*ok):
                            leaks.append("%s: holds %s (%s) and may, but its mode is %04o, not 0600"
                                         % (p, name, kind, mode))
                        else:
                            leaks.append("%s: holds %s (%s)" % (p, name, kind))
    lines = ["scanned %d files (%d bytes) under %s for %d canaries, %d patterns each at most"
             % (files, size, ", ".join(a.root), len(canaries),
                max(sum(len(v) for v in p.values()) for p in canaries.values()))]
    for p, name, kind in sorted(set(allowed_hits)):
        lines.append("allowed (mode 0600): %s holds %s (%s)" % (p, name, kind))
    for leak in leaks:
        lines.append("LEAK: " + leak)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.report:
        with open(a.report, "w") as f:
            f.write(text)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
