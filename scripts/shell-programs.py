#!/usr/bin/env python3
"""The programs the runbooks' and checks' shell steps call, one per line (scripts/image-check).

Reads every shell step (a list: argv), takes its program, and for `bash -c`/`sh -c` scripts the
words in a command position, outside quotes (but inside a quoted $(...)), (start of a line, after | ; && || $( ( then do else, or as xargs'
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


def code(script):
    """The script with quoted text blanked: single-quoted text is data (awk and sed programs),
    and so is double-quoted text (a message's "(as 3 linhas..." is no command), except what a
    `$(...)` inside it runs."""
    out = []
    stack = ["code"]  # "code" (top level or inside $(...)), "'" or '"'
    i = 0
    while i < len(script):
        c, state = script[i], stack[-1]
        if state == "'":
            if c == "'":
                stack.pop()
            out.append(" ")
        elif state == '"':
            if c == "\\":
                out.append("  ")
                i += 1
            elif c == '"':
                stack.pop()
                out.append('"')
            elif script.startswith("$(", i):
                stack.append("code")
                out.append("$(")
                i += 1
            else:
                out.append(" ")
        else:
            if c == "\\":
                out.append(script[i:i + 2])
                i += 1
            elif c == "'":
                stack.append("'")
                out.append(" ")
            elif c == '"':
                stack.append('"')
                out.append('"')
            elif script.startswith("$(", i):
                stack.append("code")
                out.append("$(")
                i += 1
            elif c == "(":
                stack.append("code")
                out.append(c)
            elif c == ")" and len(stack) > 1:
                stack.pop()
                out.append(c)
            else:
                out.append(c)
        i += 1
    return "".join(out)


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
            script = code(str(argv[2]))
            for match in POSITION.finditer(script):
                programs.add(match.group(1))
for program in sorted(programs):
    if program not in BUILTINS and "/" not in program and "$" not in program and shutil.which(program):
        print(program)
