#!/usr/bin/env python3
"""manpage.py — a man page (section 1) from a Yuchain program's own --help texts.

    python3 scripts/manpage.py PROGRAM OUT.1

Runs `PROGRAM --help`, reads the command list from it (the lines under "Commands:" /
"commands:": a command is the lowercase words before its arguments and description),
runs `PROGRAM COMMAND --help` for each, and writes them as one roff page: NAME,
SYNOPSIS, DESCRIPTION (the main help), COMMANDS (each command's help), EXIT STATUS,
SEE ALSO. The help texts are kept as they are (preformatted), so the page says exactly
what --help says and cannot drift from it. Used by the build (the `man` target).
"""

import os
import re
import subprocess
import sys

SUMMARY = {
    "yuchaind": "Yuchain ledger node (validator or observer)",
    "yuchain-wallet": "keys, transactions and questions for Yuchain's users",
    "yuchain-audit": "replay and audit a Yuchain ledger from its genesis",
}
SEE_ALSO = ["yuchaind", "yuchain-wallet", "yuchain-audit"]


def helptext(prog, args):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    r = subprocess.run([prog] + args + ["--help"], capture_output=True, text=True, env=env,
                       timeout=60, check=False)
    text = r.stdout if r.stdout.strip() else r.stderr
    if r.returncode != 0 or not text.strip():
        sys.exit("manpage: `%s %s --help` failed (exit %d): %s"
                 % (prog, " ".join(args), r.returncode, r.stderr.strip()))
    return text.rstrip("\n")


def commands(main_help):
    out, inside = [], False
    for line in main_help.splitlines():
        if re.match(r"^[A-Za-z ]*[Cc]ommands:\s*$", line):
            inside = True
            continue
        if inside:
            if not line.startswith("  "):
                if out:
                    break
                continue
            # the description starts after a run of two or more spaces; the command is the
            # lowercase words at the start of what comes before it (then its ARGS)
            words = []
            for w in re.split(r"\s{2,}", line.strip(), maxsplit=1)[0].split():
                if not re.fullmatch(r"[a-z][a-z0-9-]*", w):
                    break
                words.append(w)
            if words and words not in out:
                out.append(words)
    return out


def names(text, words):
    """Whether the first lines of a help text name the command `words`."""
    head = "\n".join(text.splitlines()[:3])
    return re.search(r"(^|\s)%s(\s|:|$)" % re.escape(" ".join(words)), head, re.M) is not None


def roff(text):
    """Preformatted text, escaped for roff."""
    lines = []
    for line in text.splitlines():
        line = line.replace("\\", "\\e")
        line = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in line)
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return ".nf\n" + "\n".join(lines) + "\n.fi\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    prog, out_path = sys.argv[1], sys.argv[2]
    name = os.path.basename(prog)
    main_help = helptext(prog, [])
    cmds = commands(main_help)
    if not cmds:
        sys.exit("manpage: no command list found in `%s --help`" % name)
    version = "yuchain"
    m = re.search(r"\b(\d+\.\d+\.\d+)\b", main_help)
    if m:
        version = "yuchain " + m.group(1)
    page = [
        '.TH %s 1 "" "%s" "Yuchain manual"' % (name.upper(), version),
        ".SH NAME",
        "%s \\- %s" % (name, SUMMARY.get(name, "part of Yuchain")),
        ".SH SYNOPSIS",
        ".B %s" % name,
        "COMMAND [OPTIONS]",
        ".SH DESCRIPTION",
        "This page is made from the program's own",
        ".B \\-\\-help",
        "texts; they are the reference.",
        ".PP",
        roff(main_help).rstrip("\n"),
        ".SH COMMANDS",
    ]
    for words in cmds:
        text = helptext(prog, words)
        # a list line whose columns touch reads too many words: the command is the longest
        # prefix that its own help names (in its first lines: "usage: PROG … WORDS …")
        while len(words) > 1 and not names(text, words):
            words = words[:-1]
            text = helptext(prog, words)
        page.append(".SS %s" % " ".join(words))
        page.append(roff(text).rstrip("\n"))
    page += [
        ".SH EXIT STATUS",
        "0 success; 1 the operation failed; 2 usage; 65 bad input data; 69 node",
        "unreachable; 74 I/O error; 77 wrong passphrase or missing credential; 78",
        "configuration error (each program's help says which it uses).",
        ".SH SEE ALSO",
        ", ".join("\\fB%s\\fR(1)" % s for s in SEE_ALSO if s != name) +
        "; the guides docs/operator.md, docs/wallet.md, docs/audit.md, docs/rpc.md.",
    ]
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main()
