"""Which implementations to score: the bundled table, or --impl name=command.

A bundled implementation is required unless implementations.toml marks it
`optional = true` (a peer whose package is one of tools/setup's extras, or
whose toolchain may be absent): a required one that cannot answer --describe
stops the run; an optional one that is not installed (exit 4) is scored
skipped_dependency, naming the package its adapter named. One marked
`opt_in = true` runs only when --impl names it: a browser costs minutes a
default run on a 2-core machine cannot spend."""
import os
import shlex
import tomllib
from concurrent.futures import ThreadPoolExecutor

from .execute import describe_status

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bundled():
    with open(os.path.join(HERE, "implementations.toml"), "rb") as f:
        return tomllib.load(f)


def resolve(option):
    """[(name, command list, description or None, problem or None, optional)] for --impl
    (None = every bundled one); a command given as name=command is required."""
    table = bundled()
    todo = []
    items = [x.strip() for x in option.split(",")] if option else [n for n in table if not table[n].get("opt_in")]
    for item in items:
        if not item:
            continue
        optional = False
        if "=" in item:
            name, cmd = item.split("=", 1)
            command = shlex.split(cmd)
        elif item in table:
            optional = bool(table[item].get("optional"))
            name, command = item, [os.path.join(HERE, c) if i == 0 and not os.path.isabs(c) else c
                                   for i, c in enumerate(table[item]["command"])]
        else:
            raise ValueError(f"unknown implementation {item!r} (bundled: {', '.join(table)}; or use name=command)")
        todo.append((name, command, optional))
    with ThreadPoolExecutor(max_workers=8) as ex:  # an interpreter's start each: side by side
        answers = list(ex.map(lambda t: describe_status(t[1]), todo))
    return [(name, command, desc, problem, optional) for (name, command, optional), (desc, problem) in zip(todo, answers)]
