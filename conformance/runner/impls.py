"""Which implementations to score: the bundled table, or --impl name=command."""
import os
import shlex
import tomllib

from .execute import describe

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bundled():
    with open(os.path.join(HERE, "implementations.toml"), "rb") as f:
        return tomllib.load(f)


def resolve(option):
    """[(name, command list, description or None)] for --impl (None = every bundled one)."""
    table = bundled()
    chosen = []
    items = [x.strip() for x in option.split(",")] if option else list(table)
    for item in items:
        if not item:
            continue
        if "=" in item:
            name, cmd = item.split("=", 1)
            command = shlex.split(cmd)
        elif item in table:
            name, command = item, [os.path.join(HERE, c) if i == 0 and not os.path.isabs(c) else c
                                   for i, c in enumerate(table[item]["command"])]
        else:
            raise ValueError(f"unknown implementation {item!r} (bundled: {', '.join(table)}; or use name=command)")
        chosen.append((name, command, describe(command)))
    return chosen
