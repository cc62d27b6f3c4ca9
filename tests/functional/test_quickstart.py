#!/usr/bin/env python3
"""docs/quickstart.md, word for word: its `sh` blocks run in order, so the page cannot drift.

The page is read as it is; the only changes made to its text before running it are the
ones that make the run repeatable on a shared machine, and they are all here:

- ports: every number 27600..27899 becomes P + (N - 27600) and every 28600..28899
  becomes Q + (N - 28600), for two free port blocks P and Q; the line `./scripts/run`
  gets `--base-port P` (its default is 27600, which the page's commands assume);
- the run happens in a fresh directory that looks like a source tree (`scripts/` is a
  link to this tree's scripts, `build/` a link to the build under test), with its own
  `HOME`, no `YUCHAIN_*` variable from the caller, and `YC_SKIP_DEPS=1 YC_SKIP_BUILD=1`
  (the build under test is used as it is; installing and building are what
  ./scripts/test itself did).

The blocks run in one bash (`set -euo pipefail`), so variables and functions carry from
block to block like in one terminal. A block after `<!-- quickstart: background [URL] -->`
is the "terminal of its own": it runs in the background and the page goes on once it is
ready (URL answers, or for ./scripts/run, once it says the consortium is running); at the
end every background block gets SIGTERM (like Ctrl-C) and must stop. A block after
`<!-- quickstart: skip ... -->` is not run. A line ending in `#=> TEXT` must print TEXT.
"""

import os
import re
import shlex
import subprocess
import time

import yctest
from yctest import check, log

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PAGE = os.path.join(ROOT, "docs", "quickstart.md")
READY_S = 180      # the consortium (4 sanitized nodes) or a node up
RUN_S = 600        # the whole page


def blocks(text):
    """[(line, marker or None, code)] of every ```sh block, in order."""
    out, marker, code, start = [], None, None, 0
    for i, line in enumerate(text.splitlines(), 1):
        if code is None:
            m = re.match(r"<!--\s*quickstart:\s*(.*?)\s*-->\s*$", line)
            if m:
                marker = m.group(1)
            elif line.strip() == "```sh":
                code, start = [], i + 1
            elif line.strip():
                marker = None
        elif line.strip() == "```":
            out.append((start, marker, code))
            code, marker = None, None
        else:
            code.append(line)
    check(code is None, "quickstart.md: a ```sh block is not closed")
    return out


def ports(line, p, q):
    def sub(m):
        n = int(m.group(0))
        if 27600 <= n < 27900:
            return str(p + n - 27600)
        if 28600 <= n < 28900:
            return str(q + n - 28600)
        return m.group(0)
    return re.sub(r"\b2[78][6-8]\d\d\b", sub, line)


def expect_line(n, line):
    """A `CMD  #=> TEXT` line as bash that runs CMD, shows its output and checks TEXT."""
    cmd, want = line.split("#=>", 1)
    want = want.strip()
    check(cmd.strip() and want and not cmd.rstrip().endswith("\\"),
          "quickstart.md line %d: `#=> TEXT` needs one whole command before it", n)
    return ("__out=$(%s)\nprintf '%%s\\n' \"$__out\"\n"
            "grep -qF -- %s <<<\"$__out\" || { echo \"quickstart.md line %d: expected %s "
            "in the output\" >&2; exit 1; }\n"
            % (cmd.strip(), shlex.quote(want), n, shlex.quote(want).replace('"', '\\"')))


def script(page_blocks, p, q, work):
    out = ["set -euo pipefail", "__bg=()",
           "trap 'for __p in \"${__bg[@]}\"; do kill -TERM \"$__p\" 2>/dev/null || true; "
           "done; for __p in \"${__bg[@]}\"; do wait \"$__p\" || true; done' EXIT"]
    nbg = 0
    for start, marker, code in page_blocks:
        if marker is not None and marker.startswith("skip"):
            continue
        out.append("echo '### quickstart.md line %d' >&2" % start)
        lines = [ports(x, p, q) for x in code]
        if marker is not None and marker.startswith("background"):
            check(len([x for x in lines if x.strip()]) == 1,
                  "line %d: a background block is one command", start)
            cmd = [x for x in lines if x.strip()][0].strip()
            url = ports(marker[len("background"):].strip(), p, q)
            if cmd == "./scripts/run":
                cmd += " --base-port %d" % p
            nbg += 1
            logf = os.path.join(work, "background%d.log" % nbg)
            out.append("%s >%s 2>&1 &\n__bg+=($!)" % (cmd, shlex.quote(logf)))
            if url:
                ready = ("python3 -c 'import sys,urllib.request; "
                         "urllib.request.urlopen(sys.argv[1], timeout=2)' %s 2>/dev/null"
                         % shlex.quote(url))
            else:
                ready = "grep -q 'is running' %s" % shlex.quote(logf)
            out.append("__t=0; until %s; do kill -0 \"${__bg[-1]}\" 2>/dev/null || "
                       "{ echo 'line %d: the background command stopped' >&2; cat %s >&2; "
                       "exit 1; }; sleep 0.2; __t=$((__t+1)); [ $__t -lt %d ] || "
                       "{ echo 'line %d: not ready in %d s' >&2; cat %s >&2; exit 1; }; done"
                       % (ready, start, shlex.quote(logf), READY_S * 5, start, READY_S,
                          shlex.quote(logf)))
            continue
        for i, x in enumerate(lines):
            out.append(expect_line(start + i, x) if "#=>" in x else x)
    out.append("echo '### quickstart.md: every block ran' >&2")
    return "\n".join(out) + "\n"


def leftovers(proc, work):
    """Kills what a failed page left running: its own processes and the consortium's
    nodes (scripts/localnet starts them in sessions of their own)."""
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass
    net = os.path.join(work, ".localnet", "consortium")
    for name in sorted(os.listdir(net)) if os.path.isdir(net) else []:
        try:
            with open(os.path.join(net, name, "node.pid")) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 9)
            log("killed %s's node (pid %d), left running by the page" % (name, pid))
        except ProcessLookupError:
            pass


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    with open(PAGE, encoding="utf-8") as f:
        page = blocks(f.read())
    check(len(page) >= 5, "quickstart.md has only %d sh blocks", len(page))
    work = os.path.join(t.tmp, "checkout")
    os.makedirs(work)
    os.symlink(os.path.join(ROOT, "scripts"), os.path.join(work, "scripts"))
    os.symlink(t.build_dir, os.path.join(work, "build"))
    p = t.free_base_port()
    q = t.free_base_port()
    while abs(q - p) < 400:
        q = t.free_base_port()
    text = script(page, p, q, t.tmp)
    path = os.path.join(t.tmp, "quickstart.sh")
    with open(path, "w") as f:
        f.write(text)
    env = dict(t.env, YC_SKIP_DEPS="1", YC_SKIP_BUILD="1")
    log("running the %d sh blocks of docs/quickstart.md (ports %d and %d) as %s"
        % (len(page), p, q, path))
    t0 = time.monotonic()
    proc = subprocess.Popen(["bash", path], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=RUN_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, _ = proc.communicate()
        log(out.decode(errors="replace"))
        raise yctest.TestFailure("the quickstart did not finish in %d s" % RUN_S)
    finally:
        leftovers(proc, work)
    text_out = out.decode(errors="replace")
    log(text_out)
    check(proc.returncode == 0, "the quickstart failed (exit %d); see the output above",
          proc.returncode)
    check("every block ran" in text_out, "the quickstart stopped early")
    t.number("quickstart_s", round(time.monotonic() - t0, 1))


if __name__ == "__main__":
    yctest.main(run)
