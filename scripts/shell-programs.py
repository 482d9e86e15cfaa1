#!/usr/bin/env python3
"""The programs the runbooks' and checks' shell steps call, one per line (scripts/image-check).

Reads every shell step (a list: argv), takes its program, and for `bash -c`/`sh -c` scripts the
words in a command position, outside single quotes, (start of a line, after | ; && || $( ( then do else, or as xargs'
program) that name a program on this machine's PATH: shell keywords, builtins, functions and
variables drop out. Named commands come from the environment, not the runbook: not listed.
"""
import glob
import re
import shutil
import sys

import yaml

BUILTINS = {"echo", "printf", "read", "test", "true", "false", "set", "exit", "return", "local", "export", "cd",
            "command", "shift", "trap", "wait", "exec", "eval", "type", "unset", "declare", "break", "continue",
            "if", "fi", "for", "while", "until", "done", "case", "esac", "in", "then", "do", "else", "elif",
            "function", "kill", "let", "source", "shopt", "getopts", "ulimit", "umask", "[", "[["}
POSITION = re.compile(r"(?:^|[|;&(`]|\$\(|\bthen\b|\bdo\b|\belse\b|\bxargs(?:\s+-\S+)*)\s*([A-Za-z_][A-Za-z0-9_.+-]*)", re.M)


def steps(node):
    """Every mapping with a `shell:` key, anywhere in the document."""
    if isinstance(node, dict):
        if "shell" in node:
            yield node
        for value in node.values():
            yield from steps(value)
    elif isinstance(node, list):
        for value in node:
            yield from steps(value)


programs = set()
for path in sorted(glob.glob("runbooks/*.yaml") + glob.glob("checks/*.yaml")):
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    for step in steps(document):
        argv = step["shell"]
        if not isinstance(argv, list) or not argv:
            continue
        programs.add(str(argv[0]))
        if str(argv[0]) in ("bash", "sh") and len(argv) > 2 and argv[1] == "-c":
            # Single-quoted text is data (awk and sed programs), not commands.
            script = re.sub(r"'[^']*'", "''", str(argv[2]))
            for match in POSITION.finditer(script):
                programs.add(match.group(1))
for program in sorted(programs):
    if program not in BUILTINS and "/" not in program and "$" not in program and shutil.which(program):
        print(program)
