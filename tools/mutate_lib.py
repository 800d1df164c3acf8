"""The pure half of tools/mutate: mutant sets as data, where each one applies,
the mechanical mutants generated from sites, and how a run is classified.
Nothing here builds or runs anything (tools/mutate does); conformance/tests/
test_mutate.py tests it.

A mutant is located by a code pattern, never by file and line: the pattern
(whitespace-insensitive literal text) must match exactly once across the
mutable sources, or exactly once inside the named function. Anything else is
"stale": the code moved on and the mutant must be rewritten, not guessed at.
"""
import glob
import os
import re
import tomllib
from dataclasses import dataclass, field

# the mutable sources: the client (library and CLI) and the Lua binding's C glue;
# tests and fuzz targets are not the code under test
SCOPE = ("client", "lua/src")
EXCLUDE = ("client/tests/", "client/fuzz/")
SUFFIXES = (".c", ".h")

# verdict ranks as conformance/runner/judge.py has them (higher is better)
RANK = {"pass": 5, "lenient": 4, "unsupported": 3, "skipped_dependency": 3, "fail": 1, "adapter_failure": 0,
        "harness_failure": -1}
FAILING = {"fail", "adapter_failure"}
CLASSES = ["killed", "weak", "survived", "did_not_build", "equivalent", "stale"]


@dataclass
class Mutant:
    id: str
    module: str
    intent: str
    requirement: str
    find: str
    replace: str
    function: str = ""
    security: bool = False
    equivalent: str = ""  # a person's reason why no client behaviour can change
    origin: str = "hand"  # "hand", or the id of the site it was generated from
    file: str = ""        # the set file it comes from
    impl: str = ""        # who runs it: "httpref-lua" for code only the binding observes; default by file


def impl_of(m, site):
    """The implementation whose catalogue run judges mutant m at site: the Lua
    binding for its own glue (and where the set says so), else the CLI."""
    return m.impl or ("httpref-lua" if site.path.startswith("lua/") else "httpref")


@dataclass
class Site:
    path: str
    start: int
    end: int
    text: str = field(default="", repr=False)  # the file's text


class Stale(Exception):
    """The mutant's pattern does not match exactly once where it must."""


class SetError(Exception):
    """A mutant set file is malformed (a harness error, not a stale mutant)."""


def _need(d, key, where):
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        raise SetError(f"{where}: '{key}' missing or empty")
    return v


def load_set(directory):
    """Every mutant of conformance/mutants/: the hand-written sets (*.toml but
    sites.toml and sample.toml) and those generated from sites.toml. Ids are unique."""
    mutants = []
    for path in sorted(glob.glob(os.path.join(directory, "*.toml"))):
        name = os.path.basename(path)
        if name in ("sample.toml",):
            continue
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        if name == "sites.toml":
            for i, s in enumerate(doc.get("site", [])):
                mutants.extend(generate(s, f"{name}: site {i + 1}", name))
            continue
        module = _need(doc, "module", name)
        for i, m in enumerate(doc.get("mutant", [])):
            where = f"{name}: mutant {m.get('id', i + 1)}"
            mutants.append(Mutant(id=_need(m, "id", where), module=m.get("module", module),
                                  intent=_need(m, "intent", where), requirement=_need(m, "requirement", where),
                                  find=_need(m, "find", where), replace=m.get("replace", ""),
                                  function=m.get("function", ""), security=bool(m.get("security", False)),
                                  equivalent=m.get("equivalent", ""), impl=m.get("impl", ""), file=name))
    seen = set()
    for m in mutants:
        if m.id in seen:
            raise SetError(f"mutant id {m.id} given twice")
        seen.add(m.id)
    return mutants


def load_sample(directory):
    """The CI sample: [(mutant id, [killing scenario ids])]."""
    with open(os.path.join(directory, "sample.toml"), "rb") as f:
        doc = tomllib.load(f)
    return [(s["id"], list(s.get("killed_by", []))) for s in doc.get("mutant", [])]


# ---- where a mutant applies ----

def scope_files(root):
    """{relative path: text} of every mutable source under root."""
    out = {}
    for top in SCOPE:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in sorted(names):
                p = os.path.join(dirpath, n)
                rel = os.path.relpath(p, root).replace(os.sep, "/")
                if n.endswith(SUFFIXES) and not rel.startswith(EXCLUDE):
                    with open(p, encoding="utf-8", errors="surrogateescape") as f:
                        out[rel] = f.read()
    return out


def pattern_regex(find):
    """Literal text, any run of whitespace standing for any run of whitespace."""
    parts = find.split()
    if not parts:
        raise SetError("empty pattern")
    return re.compile(r"\s+".join(re.escape(p) for p in parts))


def _skip_literal(text, i):
    """Index just past a comment or a string/char literal starting at i, else i."""
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        return len(text) if j < 0 else j + 2
    if text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    if text[i] in "\"'":
        q, j = text[i], i + 1
        while j < len(text) and text[j] != q:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    return i


def _matching_brace(text, i):
    """text[i] == '{': the index just past its matching '}' (comments and literals skipped)."""
    depth = 0
    while i < len(text):
        j = _skip_literal(text, i)
        if j != i:
            i = j
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def function_bodies(files, name):
    """[(path, start, end)] of each definition of function `name` (its braces included)."""
    head = re.compile(r"^[A-Za-z_][^;{}()]*\b" + re.escape(name) + r"\s*\(", re.M)
    found = []
    for path, text in files.items():
        for m in head.finditer(text):
            depth, i = 0, m.end() - 1
            while i < len(text):  # the parameter list, then '{' (a definition) or ';' (a prototype)
                depth += text[i] == "("
                depth -= text[i] == ")"
                i += 1
                if depth == 0:
                    break
            rest = re.match(r"\s*\{", text[i:])
            if rest:
                b = i + rest.end() - 1
                found.append((path, m.start(), _matching_brace(text, b)))
    return found


def locate(files, m):
    """The one place mutant m applies, or Stale saying why not."""
    rx = pattern_regex(m.find)
    if m.function:
        bodies = function_bodies(files, m.function)
        if len(bodies) != 1:
            raise Stale(f"function {m.function} is defined {len(bodies)} times in {'/'.join(SCOPE)} (need 1)")
        regions = bodies
    else:
        regions = [(p, 0, len(t)) for p, t in files.items()]
    hits = []
    for path, a, b in regions:
        text = files[path]
        hits += [Site(path, a + x.start(), a + x.end(), text) for x in rx.finditer(text[a:b])]
    if len(hits) != 1:
        where = f"function {m.function}" if m.function else "/".join(SCOPE)
        shown = " ".join(m.find.split())[:70]
        raise Stale(f"pattern \"{shown}\" matches {len(hits)} times in {where} (need exactly 1)")
    return hits[0]


def apply(site, replace):
    """The file's text with the located span replaced."""
    return site.text[:site.start] + replace + site.text[site.end:]


def check_all(files, mutants):
    """{id: Site or Stale} for every mutant; a replacement equal to the match is a set error."""
    out = {}
    for m in mutants:
        try:
            s = locate(files, m)
            if " ".join(m.replace.split()) == " ".join(s.text[s.start:s.end].split()):
                raise SetError(f"mutant {m.id}: the replacement changes nothing")
            out[m.id] = s
        except Stale as e:
            out[m.id] = e
    return out


# ---- mechanical mutants from sites ----

# boundary shift and negation of each relational operator (ROR); '->', '<<', '>>' are not relational
_REL = re.compile(r"->|<<=?|>>=?|<=|>=|==|!=|<|>")
_FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
_INT = re.compile(r"(?<![\w.'\"\\])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])")
_IF = re.compile(r"\bif\s*\(")


def _outside_strings(text):
    """Spans of text that are code (not inside "..." or '...')."""
    spans, i, start = [], 0, 0
    while i < len(text):
        if text[i] in "\"'":
            spans.append((start, i))
            i = _skip_literal(text, i)
            start = i
        else:
            i += 1
    spans.append((start, len(text)))
    return spans


def _in_code(spans, pos):
    return any(a <= pos < b for a, b in spans)


def _paren_end(text, i):
    """text[i] == '(': index just past its ')'."""
    depth = 0
    for j in range(i, len(text)):
        depth += text[j] == "("
        depth -= text[j] == ")"
        if depth == 0:
            return j + 1
    return len(text)


def generate(site, where, file):
    """The mutants a site yields: 'rel' flips each relational operator, 'const'
    moves each integer literal by one each way, 'drop' makes each if-condition
    false (the check removed). Ids: SITE.rel1, SITE.const1+, SITE.const1-, SITE.drop1."""
    sid = _need(site, "id", where)
    text = _need(site, "find", where)
    ops = site.get("ops", ["rel", "const", "drop"])
    equivalent = site.get("equivalent", {})
    code = _outside_strings(text)
    made = []

    def add(suffix, replace, intent):
        made.append(Mutant(id=f"{sid}.{suffix}", module=_need(site, "module", where), intent=intent,
                           requirement=_need(site, "requirement", where), find=text, replace=replace,
                           function=site.get("function", ""), security=bool(site.get("security", False)),
                           equivalent=equivalent.get(suffix, ""), origin=sid, file=file,
                           impl=site.get("impl", "")))

    if "rel" in ops:
        k = 0
        for x in _REL.finditer(text):
            op = x.group(0)
            if op in _FLIP and _in_code(code, x.start()):
                k += 1
                add(f"rel{k}", text[:x.start()] + _FLIP[op] + text[x.end():], f"'{op}' becomes '{_FLIP[op]}'")
    if "const" in ops:
        k = 0
        for x in _INT.finditer(text):
            if not _in_code(code, x.start()):
                continue
            k += 1
            lit, suf = x.group(1), x.group(2)
            v = int(lit, 16) if lit[:2].lower() == "0x" else int(lit)
            for sign, nv in (("+", v + 1), ("-", v - 1)):
                if nv < 0:
                    continue
                new = (hex(nv) if lit[:2].lower() == "0x" else str(nv)) + suf
                add(f"const{k}{sign}", text[:x.start()] + new + text[x.end():], f"constant {lit} becomes {new}")
    if "drop" in ops:
        k = 0
        for x in _IF.finditer(text):
            if not _in_code(code, x.start()):
                continue
            k += 1
            p = x.end() - 1
            add(f"drop{k}", text[:p] + "(0)" + text[_paren_end(text, p):],
                f"check removed: if {' '.join(text[p:_paren_end(text, p)].split())} never taken")
    if not made:
        raise SetError(f"{where}: site {sid} yields no mutant for ops {ops}")
    unknown = set(equivalent) - {m.id.split(".", 1)[1] for m in made}
    if unknown:
        raise SetError(f"{where}: equivalent names mutants the site does not make: {sorted(unknown)}")
    return made


# ---- classification ----

def signature(result):
    """What the client did, coarsely: the outcome kind and error class, for each
    request of a sequence. A change here with the same verdict is still a kill."""
    if not isinstance(result, dict):
        return ("none",)
    sig = (result.get("outcome"), (result.get("error") or {}).get("class") if result.get("outcome") == "error"
           else None)
    return sig + tuple(signature(t) for t in result.get("then") or [])


def unstable_cells(*baselines):
    """Keys whose verdict or signature differs between baseline runs: timing-dependent, never a kill by class."""
    keys = set().union(*(b.keys() for b in baselines))
    return {k for k in keys
            if len({(b.get(k, {}).get("verdict"), signature(b.get(k, {}).get("result"))) for b in baselines}) > 1}


def classify(results, baseline, expected, unstable=frozenset()):
    """results, baseline: {key: result dict from results.json}; expected(key) -> verdict.
    Returns (class, strong [(key, why)], weak [(key, why)]). Strong: a failing verdict
    where the unmutated client did not fail, or, with the same passing verdict, a
    different outcome or error class (or a failed class check the unmutated run, or
    with no baseline the expectations, did not have). Weak: only a verdict worse than the
    expectations (pass -> lenient) and than the unmutated run (the expectations
    alone when there is no baseline, as in the CI sample)."""
    strong, weak = [], []
    for key in sorted(results):
        r = results[key]
        v, b = r.get("verdict"), (baseline.get(key) or {})
        bv = b.get("verdict", expected(key))
        if v == "harness_failure":
            continue
        got = (r.get("got") or r.get("reason") or "")[:160]
        if v in FAILING and bv not in FAILING:
            strong.append((key, f"{v}: {got}"))
        elif r.get("class_check") and not b.get("class_check") and v == bv:
            # a refusal still passes, with an error class the scenario does not name (judge.py's
            # class check): the class changed, which the CI sample, having no baseline, sees only here
            cc = r["class_check"]
            strong.append((key, f"{v} but error class {cc.get('got')}, not {'/'.join(cc.get('expected', []))}"))
        elif b and key not in unstable and v == bv and RANK.get(v, 0) >= RANK["lenient"] \
                and signature(r.get("result")) != signature(b.get("result")):
            strong.append((key, f"{v} but outcome changed: {got} (unmutated: {(b.get('got') or '')[:80]})"))
        elif RANK.get(v, 0) < RANK.get(bv, 5) and (not b or RANK.get(v, 0) < RANK.get(expected(key), 5)):
            weak.append((key, f"{v} (expected {expected(key)}): {r.get('reason', '')[:160]}"))
    return ("killed" if strong else "weak" if weak else "survived"), strong, weak


def summarize(rows):
    """{module: {class: count}} plus a total row, from [{'module', 'class', ...}]."""
    table = {}
    for r in rows:
        t = table.setdefault(r["module"], dict.fromkeys(CLASSES, 0))
        t[r["class"]] += 1
    total = dict.fromkeys(CLASSES, 0)
    for t in table.values():
        for c in CLASSES:
            total[c] += t[c]
    return dict(sorted(table.items())), total


def kill_rate(total):
    """Strongly killed among the mutants that built and are not equivalent (stale excluded)."""
    scored = total["killed"] + total["weak"] + total["survived"]
    return (total["killed"] / scored) if scored else 0.0
