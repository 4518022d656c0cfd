#!/usr/bin/env python3
"""
Mutation testing: every soundness-critical check of por, removed one at a
time, must make a test fail (`make mutation`; .ci/run runs it after
`make check`).

The mutants live in test/mutation/*.mut.  Each is a block:

    [plonk.verify.zeta_in_h]                 unique id: layer.what.which
    why = the verifier refuses zeta in H      one line: the check it removes
    tests = plonk/test_plonk por/test_batch  unit test binaries that must kill it
    file = src/lib/plonk/plonk.c             the file the edits below apply to
    - if (gl2_is_zero(zh))                   anchor: exact text ("- " then the text,
    + if (0)                                  indentation included), then its replacement
    file = ...                               more edits, in any file (one mutant may
    - ...                                     remove a check from the prover, the
    + ...                                     verifier and the vectorized path at once)

Several "- " lines in a row form one multi-line anchor, several "+ " lines
its replacement (a lone "+" is an empty line; no "+" deletes the anchor).
Every anchor must occur exactly once in its file when its turn comes (after
the mutant's earlier edits): otherwise the run fails before testing
anything, naming the mutant, so the list cannot silently rot when the code
moves.  A mutant that does not compile also fails the run.

A check that is truly redundant (enforced elsewhere, or an event of
probability 2^-100) stays in the list with `equivalent = <one-line
argument>` instead of `tests`: it is not run, and it is the only way a
mutant may survive.  Everything else must be killed: some named test binary
exits non-zero (or crashes, or times out).

Adding a constraint or a verifier check?  Add its mutant here in the same
change (and the malicious-prover or tampered-proof test that kills it);
CONTRIBUTING.md says the same.  A check without a mutant is the visible
exception.

How it runs: the working tree is never edited (an interrupted run leaves
nothing to undo).  The library and the test objects are compiled once (no
sanitizers, -O1) into build/mutation/base, and the named tests must pass
there first; each worker owns a copy of src/lib, applies one mutant's edits
there, recompiles only the edited sources (every source for a header),
relinks the named test binaries against the other objects and runs them,
stopping a binary at its first "not ok" (a non-zero exit, a missing TAP plan
or 5 times the unmutated run time also kill), then restores its copy.
POR_MUTATION_JOBS workers (default 2) run in parallel.  Usage:
    test/mutation/run.py [-j N] [--list] [--only SUBSTRING ...] [--check-anchors]
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MUT_DIR = os.path.join(ROOT, "test", "mutation")
OUT = os.path.join(ROOT, "build", "mutation")
CC = os.environ.get("CC_LIB", "cc")
# no -Werror: a mutant may leave a variable unused
CFLAGS = ["-std=c11", "-D_DEFAULT_SOURCE", "-O1", "-w", "-pthread"]
LDLIBS = ["-lcrypto", "-lpthread", "-lm"]
TEST_TIMEOUT = 120  # seconds per test binary (at most); a hang counts as killed


class Mutant:
    def __init__(self, mid, where):
        self.id = mid
        self.where = where
        self.why = ""
        self.tests = []
        self.equivalent = None
        self.edits = []  # (file, anchor, replacement)


def die(msg):
    print("mutation: " + msg, file=sys.stderr)
    sys.exit(2)


def parse(path):
    mutants = []
    cur = None
    file = None
    minus, plus = None, None
    state = None  # "minus" / "plus" while collecting an edit

    def flush_edit(lineno):
        nonlocal minus, plus, state
        if minus is not None:
            if file is None:
                die("%s:%d: edit before any `file =`" % (path, lineno))
            cur.edits.append((file, "\n".join(minus), "\n".join(plus or [])))
        minus, plus, state = None, None, None

    with open(path) as f:
        lines = f.read().split("\n")
    for lineno, line in enumerate(lines, 1):
        if line.startswith("- ") or line == "-":
            if cur is None:
                die("%s:%d: edit outside a mutant" % (path, lineno))
            if state == "plus":
                flush_edit(lineno)
            if minus is None:
                minus = []
            minus.append(line[2:])
            state = "minus"
            continue
        if line.startswith("+ ") or line == "+":
            if state is None:
                die("%s:%d: `+` without an anchor" % (path, lineno))
            if plus is None:
                plus = []
            plus.append(line[2:])
            state = "plus"
            continue
        flush_edit(lineno)
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.fullmatch(r"\[([A-Za-z0-9_.\-]+)\]", s)
        if m:
            cur = Mutant(m.group(1), "%s:%d" % (os.path.relpath(path, ROOT), lineno))
            mutants.append(cur)
            file = None
            continue
        m = re.fullmatch(r"(why|tests|file|equivalent)\s*=\s*(.*)", s)
        if not m or cur is None:
            die("%s:%d: cannot parse: %s" % (path, lineno, line))
        key, val = m.group(1), m.group(2).strip()
        if key == "why":
            cur.why = val
        elif key == "tests":
            cur.tests += val.split()
        elif key == "equivalent":
            cur.equivalent = val
        else:
            file = val
    flush_edit(len(lines))
    return mutants


def load():
    files = sorted(os.path.join(MUT_DIR, f) for f in os.listdir(MUT_DIR) if f.endswith(".mut"))
    mutants = []
    for f in files:
        mutants += parse(f)
    seen = set()
    errors = []
    for m in mutants:
        if m.id in seen:
            errors.append("%s: duplicate id %s" % (m.where, m.id))
        seen.add(m.id)
        if not m.why:
            errors.append("%s: %s has no `why`" % (m.where, m.id))
        if not m.edits:
            errors.append("%s: %s has no edit" % (m.where, m.id))
        if m.equivalent is None and not m.tests:
            errors.append("%s: %s names no test (and is not marked equivalent)" % (m.where, m.id))
        if m.equivalent is not None and not m.equivalent:
            errors.append("%s: %s: `equivalent` needs its argument" % (m.where, m.id))
        for t in m.tests:
            if not os.path.exists(os.path.join(ROOT, "test", "unit", t + ".c")):
                errors.append("%s: %s: no test test/unit/%s.c" % (m.where, m.id, t))
        for (fn, _, _) in m.edits:
            if not fn.startswith("src/lib/") or not os.path.exists(os.path.join(ROOT, fn)):
                errors.append("%s: %s: no library source %s" % (m.where, m.id, fn))
    if errors:
        die("malformed mutant list:\n  " + "\n  ".join(errors))
    return mutants


def apply_edits(m, read):
    """The mutant's files after its edits ({path: text}), or raises ValueError naming the bad anchor."""
    texts = {}
    for (fn, anchor, repl) in m.edits:
        if fn not in texts:
            texts[fn] = read(fn)
        n = texts[fn].count(anchor)
        if n != 1:
            first = anchor.split("\n")[0].strip()
            raise ValueError("%s: %s: anchor found %d times (must be exactly once) in %s: %r"
                             % (m.where, m.id, n, fn, first))
        texts[fn] = texts[fn].replace(anchor, repl, 1)
    return texts


def pristine(fn):
    with open(os.path.join(ROOT, fn)) as f:
        return f.read()


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def lib_sources():
    out = []
    for layer in sorted(os.listdir(os.path.join(ROOT, "src", "lib"))):
        d = os.path.join(ROOT, "src", "lib", layer)
        if os.path.isdir(d):
            out += ["src/lib/%s/%s" % (layer, f) for f in sorted(os.listdir(d)) if f.endswith(".c")]
    return out


def obj_name(src):
    return src.replace("/", "_")[:-2] + ".o"


def tree_hash():
    """Hash of every library and unit-test source and header: the base build's key."""
    h = hashlib.sha256()
    for top in ("src/lib", "test/unit"):
        for dp, _, fs in sorted(os.walk(os.path.join(ROOT, top))):
            for f in sorted(fs):
                if f.endswith((".c", ".h")):
                    p = os.path.join(dp, f)
                    h.update(p.encode())
                    with open(p, "rb") as fh:
                        h.update(fh.read())
    h.update(" ".join([CC] + CFLAGS).encode())
    return h.hexdigest()


def compile_one(args):
    src, obj, inc = args
    r = run([CC] + CFLAGS + ["-I" + inc, "-Itest/unit", "-c", src, "-o", obj], cwd=ROOT)
    return src, r.returncode, r.stdout


def build_base(tests, jobs):
    base = os.path.join(OUT, "base")
    stamp = os.path.join(base, "stamp")
    key = tree_hash()
    work = [(s, os.path.join(base, obj_name(s)), "src/lib") for s in lib_sources()]
    if not (os.path.exists(stamp) and open(stamp).read() == key):
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
    else:
        work = []  # the library is built; only test objects not built yet
    work += [("test/unit/%s.c" % t, os.path.join(base, "test_" + t.replace("/", "_") + ".o"), "src/lib")
             for t in tests if not os.path.exists(os.path.join(base, "test_" + t.replace("/", "_") + ".o"))]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        for src, rc, out in ex.map(compile_one, work):
            if rc != 0:
                die("base build of %s failed:\n%s" % (src, out))
    with open(stamp, "w") as f:
        f.write(key)
    return base


def link_and_run(test, objs, test_obj, bindir, env, timeout=TEST_TIMEOUT):
    """None if the test passes; else why it failed (the first failure ends the run early)."""
    exe = os.path.join(bindir, test.replace("/", "_"))
    r = run([CC, "-pthread", test_obj] + objs + LDLIBS + ["-o", exe], cwd=ROOT)
    if r.returncode != 0:
        return "link failed: " + r.stdout[-2000:]
    # killed: a non-zero exit, a "not ok" line (the binary is stopped there),
    # or no plan (a test that died half-way); the TAP lines count even when a
    # binary exits 0
    p = subprocess.Popen([exe], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    planned, failed = False, None
    try:
        for line in p.stdout:
            line = line.rstrip("\n")
            if line.startswith("not ok"):
                failed = line
                p.kill()
                break
            planned |= re.fullmatch(r"1\.\.\d+", line) is not None
        p.wait()
    finally:
        timed_out = not timer.is_alive() and failed is None and p.returncode != 0
        timer.cancel()
        p.stdout.close()
    if failed:
        return failed
    if timed_out:
        return "timed out after %.0fs" % timeout
    if p.returncode != 0 or not planned:
        return "exit %d%s" % (p.returncode, "" if planned else ": no TAP plan")
    return None


class Worker:
    def __init__(self, idx, base, timeouts):
        self.dir = os.path.join(OUT, "w%d" % idx)
        self.base = base
        self.timeouts = timeouts
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, "src", "lib"), os.path.join(self.dir, "src", "lib"))
        os.makedirs(os.path.join(self.dir, "obj"))
        os.makedirs(os.path.join(self.dir, "bin"))
        self.env = dict(os.environ)

    def run(self, m):
        t0 = time.time()
        texts = apply_edits(m, pristine)
        changed = sorted(texts)
        try:
            for fn in changed:
                with open(os.path.join(self.dir, fn), "w") as f:
                    f.write(texts[fn])
            # a mutated header: every library source is recompiled
            srcs = [fn for fn in changed if fn.endswith(".c")]
            if any(fn.endswith(".h") for fn in changed):
                srcs = lib_sources()
            objs = {s: os.path.join(self.base, obj_name(s)) for s in lib_sources()}
            for s in srcs:
                o = os.path.join(self.dir, "obj", obj_name(s))
                r = run([CC] + CFLAGS + ["-I" + os.path.join(self.dir, "src", "lib"), "-c",
                                         os.path.join(self.dir, s), "-o", o], cwd=ROOT)
                if r.returncode != 0:
                    return ("broken", "does not compile:\n" + r.stdout[-3000:], time.time() - t0)
                objs[s] = o
            for t in m.tests:
                test_obj = os.path.join(self.base, "test_" + t.replace("/", "_") + ".o")
                res = link_and_run(t, list(objs.values()), test_obj, os.path.join(self.dir, "bin"), self.env,
                                   self.timeouts[t])
                if res is not None and res.startswith("link failed"):
                    return ("broken", res, time.time() - t0)
                if res is not None:
                    return ("killed", "%s: %s" % (t, res), time.time() - t0)
            return ("survived", "every named test passed: " + " ".join(m.tests), time.time() - t0)
        finally:
            for fn in changed:
                shutil.copyfile(os.path.join(ROOT, fn), os.path.join(self.dir, fn))


def main():
    ap = argparse.ArgumentParser(description="por mutation testing (see the header of this file)")
    ap.add_argument("-j", type=int, default=int(os.environ.get("POR_MUTATION_JOBS", "2")))
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check-anchors", action="store_true", help="only check that every anchor matches once")
    ap.add_argument("--only", nargs="*", default=[], help="run the mutants whose id contains one of these")
    ap.add_argument("-v", action="store_true", help="print every mutant's result")
    a = ap.parse_args()
    t_start = time.time()
    mutants = load()
    bad = []
    for m in mutants:
        try:
            apply_edits(m, pristine)
        except ValueError as e:
            bad.append(str(e))
    if bad:
        die("%d anchor(s) no longer match exactly once (update the mutants with the code):\n  %s"
            % (len(bad), "\n  ".join(bad)))
    if a.list:
        for m in mutants:
            print("%-48s %s" % (m.id, ("equivalent: " + m.equivalent) if m.equivalent else " ".join(m.tests)))
        return 0
    if a.check_anchors:
        print("mutation: %d mutants, every anchor matches exactly once" % len(mutants))
        return 0
    chosen = [m for m in mutants if not a.only or any(s in m.id for s in a.only)]
    live = [m for m in chosen if m.equivalent is None]
    equivalent = [m for m in chosen if m.equivalent is not None]
    tests = sorted({t for m in live for t in m.tests})
    jobs = max(1, a.j)
    base = build_base(tests, jobs)
    t_built = time.time()
    # the named tests must pass unmutated, or a "kill" means nothing
    objs = [os.path.join(base, obj_name(s)) for s in lib_sources()]
    os.makedirs(os.path.join(base, "bin"), exist_ok=True)

    def baseline(t):
        t0 = time.time()
        r = link_and_run(t, objs, os.path.join(base, "test_" + t.replace("/", "_") + ".o"),
                         os.path.join(base, "bin"), dict(os.environ))
        return t, r, time.time() - t0
    timeouts = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        failing = []
        for t, r, secs in ex.map(baseline, tests):
            if r is not None:
                failing.append((t, r))
            # a mutant that makes a test loop (e.g. grinding that never
            # succeeds) is killed after 5 times its unmutated time
            timeouts[t] = min(TEST_TIMEOUT, max(15.0, 5 * secs))
    if failing:
        die("tests fail without any mutation:\n  " + "\n  ".join("%s: %s" % f for f in failing))
    t_base = time.time()
    workers = [Worker(i, base, timeouts) for i in range(jobs)]
    free = list(workers)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        pending = {}
        queue = list(live)
        while queue or pending:
            while queue and free:
                w = free.pop()
                m = queue.pop(0)
                pending[ex.submit(w.run, m)] = (m, w)
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                m, w = pending.pop(fut)
                free.append(w)
                status, detail, secs = fut.result()
                results[m.id] = (status, detail, secs)
                if a.v or status != "killed":
                    print("%-8s %-48s %5.1fs  %s" % (status, m.id, secs, detail.split("\n")[0]), flush=True)
    killed = [m for m in live if results[m.id][0] == "killed"]
    survived = [m for m in live if results[m.id][0] == "survived"]
    broken = [m for m in live if results[m.id][0] == "broken"]
    for m in broken:
        print("BROKEN %s (%s):\n%s" % (m.id, m.where, results[m.id][1]))
    for m in survived:
        print("SURVIVED %s (%s): %s\n  tests: %s" % (m.id, m.where, m.why, " ".join(m.tests)))
    print("mutation: %d mutants: %d killed, %d equivalent, %d survived, %d broken; "
          "%.0fs (build %.0fs, baseline tests %.0fs, mutants %.0fs, %d jobs)"
          % (len(chosen), len(killed), len(equivalent), len(survived), len(broken), time.time() - t_start,
             t_built - t_start, t_base - t_built, time.time() - t_base, jobs))
    return 1 if survived or broken else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("mutation: interrupted (the working tree was never edited)", file=sys.stderr)
        sys.exit(130)
