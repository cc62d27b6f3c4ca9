#!/usr/bin/env python3
"""Packaging: `cmake --install` of the build under test into a fresh prefix.

Must hold:
- the three programs land in PREFIX/bin and run from there (`--version`);
- each has a man page in PREFIX/share/man/man1, made from its own --help: one section
  per command its --help lists (so a command added without a page, or a page without
  the command, fails here), rendered by groff without a single warning;
- the systemd unit lands in PREFIX/lib/systemd/system, names PREFIX/bin/yuchaind,
  keeps the hardening it promises, and passes `systemd-analyze verify` (where installed);
- the guides land in PREFIX/share/doc/yuchain.
"""

import os
import re
import shutil
import subprocess

import yctest
from yctest import check, check_eq, log

PROGRAMS = ("yuchaind", "yuchain-wallet", "yuchain-audit")
HARDENING = ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
             "PrivateTmp=yes", "CapabilityBoundingSet=", "RestrictAddressFamilies=",
             "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
             "RestartPreventExitStatus=2 78 SIGABRT", "User=yuchain")


def listed_commands(prog, env):
    """The commands `prog --help` lists (the words before each one's arguments)."""
    out = subprocess.run([prog, "--help"], capture_output=True, text=True, env=env,
                         timeout=60).stdout
    cmds, inside = [], False
    for line in out.splitlines():
        if re.match(r"^[A-Za-z ]*[Cc]ommands:\s*$", line):
            inside = True
            continue
        if inside and not line.startswith("  "):
            if cmds:
                break
            continue
        if inside:
            words = []
            for w in re.split(r"\s{2,}", line.strip(), maxsplit=1)[0].split():
                if not re.fullmatch(r"[a-z][a-z0-9-]*", w):
                    break
                words.append(w)
            if words:
                cmds.append(" ".join(words))
    return cmds


def run(t):
    t.require(*PROGRAMS)
    cmake = shutil.which("cmake")
    if cmake is None:
        raise yctest.Skip("cmake is not installed")
    prefix = os.path.join(t.tmp, "prefix")
    env = dict(t.env, ASAN_OPTIONS="detect_leaks=0")
    r = subprocess.run([cmake, "--install", t.build_dir, "--prefix", prefix],
                       capture_output=True, text=True, env=env, timeout=300)
    check(r.returncode == 0, "cmake --install failed (%d): %s %s", r.returncode, r.stdout,
          r.stderr)

    for p in PROGRAMS:
        exe = os.path.join(prefix, "bin", p)
        check(os.access(exe, os.X_OK), "%s not installed", exe)
        v = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env,
                           timeout=60)
        check(v.returncode == 0 and re.search(r"\d+\.\d+\.\d+", v.stdout),
              "%s --version: %r", p, v)

        page = os.path.join(prefix, "share", "man", "man1", p + ".1")
        check(os.path.isfile(page), "no man page %s", page)
        with open(page, encoding="utf-8") as f:
            text = f.read()
        sections = re.findall(r"^\.SS (.+)$", text, re.M)
        cmds = listed_commands(exe, env)
        check(cmds, "%s --help lists no commands", p)
        for c in cmds:
            check(any(s == c or c.startswith(s + " ") for s in sections),
                  "%s.1 has no section for the command '%s' (sections: %r)", p, c, sections)
        check_eq(len(sections), len(cmds), "%s.1 sections vs. commands in --help" % p)
        if shutil.which("groff"):
            g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page],
                               capture_output=True, text=True, timeout=60)
            check(g.returncode == 0 and not g.stderr.strip(), "groff on %s: %s", page,
                  g.stderr)
        log("%s: installed, %d commands, man page ok" % (p, len(cmds)))

    unit = os.path.join(prefix, "lib", "systemd", "system", "yuchaind.service")
    check(os.path.isfile(unit), "no systemd unit %s", unit)
    with open(unit, encoding="utf-8") as f:
        u = f.read()
    check("ExecStart=%s start " % os.path.join(prefix, "bin", "yuchaind") in u,
          "the unit does not start the installed yuchaind:\n%s", u)
    for h in HARDENING:
        check(h in u, "the unit lost '%s'", h)
    sa = shutil.which("systemd-analyze")
    if sa:
        v = subprocess.run([sa, "verify", unit], capture_output=True, text=True, timeout=60,
                           env=dict(env, MANPATH=os.path.join(prefix, "share", "man")))
        check(v.returncode == 0, "systemd-analyze verify: %s %s", v.stdout, v.stderr)
        log("systemd-analyze verify: ok")
    else:
        log("systemd-analyze is not installed: the unit's syntax is not verified here")

    for d in ("operator.md", "quickstart.md", "formats.md", "audit.md"):
        check(os.path.isfile(os.path.join(prefix, "share", "doc", "yuchain", d)),
              "guide %s not installed", d)


if __name__ == "__main__":
    yctest.main(run)
