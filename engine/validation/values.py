"""The values a failed business rule compared, read in the document.

A schematron assert reports where it fired (`location`, an XPath to the rule's
context node) and what it tested (`test`, the XPath 2.0 expression). The values
are read by following that test: every path it names (`cbc:PayableAmount`,
`../cbc:TaxableAmount`, `@mimeCode`, `sum(//cac:InvoiceLine/xs:decimal(...))`)
is evaluated with lxml at the context node, and each element without children,
or attribute, it selects is a value; a path inside `sum(...)` gives its sum.

Why the test rather than a table of rule ids and their terms: the test is the
rule itself, so the reading covers every rule of every rule set facteur runs
(EN 16931 for UBL and CII, the Factur-X profiles, BR-FR) and follows a new
edition without a table to keep in step; and it is exact by construction. A
path is evaluated only as the rule wrote it (an XPath 2.0 cast step like
`/xs:decimal(x)` becomes `/x`, a union step `(a|b)` becomes `*[self::a or
self::b]`, neither of which changes what is selected); one that XPath 1.0
cannot evaluate as written (a `$variable` in a predicate, a function step) is
left out rather than approximated, so a value shown is always one the rule
read. The business term of a value is named by where its node is in the
document (`engine/terms.py`), not by how the test spells the path.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from itertools import islice

from lxml import etree

from facteur.engine import terms
from facteur.engine.model import Value

MAX_VALUES = 8  # per finding: a rule over many lines names its first ones
MAX_VALUE_CHARS = 120  # of one value's text: a report line stays readable, whatever a document holds
_NAME = r"[A-Za-z_][\w.-]*"
_QNAME = re.compile(rf"({_NAME}):({_NAME})")
_ATTRIBUTE = re.compile(rf"@(?:{_NAME}:)?{_NAME}")
_CASTS = {"xs:decimal", "xs:string", "xs:double", "xs:integer", "xs:date", "string", "number", "normalize-space",
          "data"}
# One step of a schematron location: `/*:Name[namespace-uri()='urn:…'][n]`, or `/@*[local-name()='name' …]`.
_LOCATION = re.compile(r"(/(?:\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]\[(\d+)\]"
                       r"|@\*\[local-name\(\)='([\w.-]+)'[^\]]*\]))")
_BINDING = re.compile(rf"(?:every|some|for)\s+\$({_NAME})\s+in\s+(\S+?)\s+(?:satisfies|return)\b")
_POSITION = re.compile(r"\[\d+\]")


class Reader:
    """Reads the values of one document's failed asserts. A rule that fails
    on every line of a large invoice fires thousands of times: the positions
    of siblings are counted once per parent, and locations are followed step
    by step, so that reading stays linear in the findings."""

    def __init__(self, root: etree._Element, namespaces: dict[str, str]):
        self.root = root
        self.namespaces = namespaces
        self._positions: dict = {}  # element -> (its position among same-named siblings, how many they are)

    def context(self, location: str):
        """The node at a schematron location (`/*:Invoice[namespace-uri()='…'][1]/…`),
        followed step by step, or None."""
        steps = _LOCATION.findall(location)
        if not steps or "".join(step[0] for step in steps) != location:
            return None
        (_, local, namespace, index, _), *rest = steps
        root = etree.QName(self.root)
        if (root.localname, root.namespace or "", index) != (local, namespace, "1"):
            return None
        node = self.root
        for _, local, namespace, index, attribute in rest:
            if attribute:
                return next((a for a in node.xpath("@*") if etree.QName(a.attrname).localname == attribute), None)
            tag = f"{{{namespace}}}{local}" if namespace else local
            node = next(islice(node.iterchildren(tag), int(index) - 1, None), None)
            if node is None:
                return None
        return node

    def read(self, context, test: str) -> tuple[Value, ...]:
        """The values the test read at its context node, in the order it names
        them, at most MAX_VALUES."""
        found: list[Value] = []
        seen: set = set()
        variables = self._variables(context, test)
        for path, summed in _paths(test):
            for value in self._evaluate(context, path, summed, seen, variables):
                found.append(value)
                if len(found) == MAX_VALUES:
                    return tuple(found)
        return tuple(found)

    def where(self, node) -> str:
        """The node's path as a person reads it (`/Invoice/cac:InvoiceLine[2]/cbc:ID`):
        prefixed names, a position only where siblings share the name, an
        attribute after its element."""
        if getattr(node, "is_attribute", False):
            return f"{self.where(node.getparent())}/@{node.attrname}"
        steps = []
        while node is not None:
            name = f"{node.prefix}:{etree.QName(node).localname}" if node.prefix else etree.QName(node).localname
            position, count = self._position(node)
            steps.append(f"{name}[{position}]" if count > 1 else name)
            node = node.getparent()
        return "/" + "/".join(reversed(steps))

    def _position(self, node) -> tuple[int, int]:
        parent = node.getparent()
        if parent is None:
            return 1, 1
        if node not in self._positions:
            counts = Counter(child.tag for child in parent)
            seen: Counter = Counter()
            for child in parent:
                seen[child.tag] += 1
                self._positions[child] = (seen[child.tag], counts[child.tag])
        return self._positions[node]

    def _variables(self, context, test: str) -> dict[str, str]:
        """The test's variables bound to one value (`every $Currency in
        cbc:DocumentCurrencyCode satisfies …`), so that the paths that use
        them (`cbc:TaxAmount[@currencyID=$Currency]`) can be read as the rule
        read them; a variable over several nodes stays unbound, and the paths
        that use it unread."""
        bound = {}
        for name, path in _bindings(test):
            try:
                nodes = context.xpath(path, namespaces=self.namespaces)
            except (etree.XPathError, TypeError):
                continue
            if isinstance(nodes, list) and len(nodes) == 1 and _is_leaf(nodes[0]):
                bound[name] = _text(nodes[0])
        return bound

    def _evaluate(self, context, path: str, summed: bool, seen: set, variables: dict[str, str]) -> list[Value]:
        try:
            nodes = context.xpath(path, namespaces=self.namespaces, **variables)
        except (etree.XPathError, TypeError):
            return []
        if not isinstance(nodes, list):
            return []
        leaves = [node for node in nodes if _is_leaf(node)]
        if not leaves:
            return []
        if summed and len(leaves) > 1:
            total = _sum(leaves)
            if total is None:
                return []
            return [Value(terms.term_of(leaves[0]), str(total), _POSITION.sub("", self.where(leaves[0])), len(leaves))]
        values = []
        for node in leaves:
            where = self.where(node)
            if where not in seen:
                seen.add(where)
                values.append(Value(terms.term_of(node), _text(node), where))
        return values


@lru_cache(maxsize=4096)
def _bindings(test: str) -> tuple[tuple[str, str], ...]:
    """The variables a test binds to a path (`every $name in path satisfies`)."""
    found = ((name, _paths(expression)) for name, expression in _BINDING.findall(test))
    return tuple((name, paths[0][0]) for name, paths in found if len(paths) == 1)


def _is_leaf(node) -> bool:
    if getattr(node, "is_attribute", False):
        return True
    return isinstance(node, etree._Element) and isinstance(node.tag, str) and len(node) == 0


def _text(node) -> str:
    """The node's text, spaces folded, cut with an ellipsis beyond MAX_VALUE_CHARS."""
    found = " ".join((str(node) if getattr(node, "is_attribute", False) else node.text or "").split())
    return found if len(found) <= MAX_VALUE_CHARS else found[:MAX_VALUE_CHARS - 1] + "…"


def _sum(nodes) -> Decimal | None:
    try:
        return sum((Decimal(_text(node)) for node in nodes), Decimal(0))
    except ArithmeticError:  # not a number, or beyond what a Decimal holds
        return None


# The test's paths -----------------------------------------------------------


@lru_cache(maxsize=4096)
def _paths(test: str, prefix: str = "") -> tuple[tuple[str, bool], ...]:
    """The paths of an XPath expression, each as lxml can evaluate it, with
    whether it is summed; the paths inside a cast step (`p/xs:decimal(q)`)
    are read under their prefix `p/`. A rule fires once per line it fails
    on with the same test, which is read once."""
    found: list[tuple[str, bool]] = []
    i, n = 0, len(test)
    while i < n:
        c = test[i]
        if c in "'\"":
            i = _after_string(test, i)
            continue
        if c == "$":
            match = re.compile(_NAME).match(test, i + 1)
            i = match.end() if match else i + 1
            continue
        if _starts_path(test, i):
            path, end, inner = _read_path(test, i)
            if path is not None:
                found.append((prefix + path, _summed(test, i)))
            if inner is not None:  # a cast step: what it casts, under the path before it
                base, start, stop = inner
                found += [(p, s or _summed(test, i)) for p, s in _paths(test[start:stop], prefix + base)]
                end = stop + 1
            i = max(end, i + 1)
            continue
        i += 1
    return tuple(found)


def _starts_path(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    if before.isalnum() or before in "_.-:@/$":
        return False
    rest = text[i:]
    if rest.startswith(("/", "..", "@")) or rest.startswith("(") and _union(text, i) is not None:
        return True
    if rest.startswith(".") and not rest[1:2].isdigit():
        return True
    match = _QNAME.match(text, i)
    return bool(match) and not text[match.end():].lstrip().startswith("(") and match.group(1) not in ("xs",)


def _read_path(text: str, i: int) -> tuple[str | None, int, tuple[str, int, int] | None]:
    """The path starting at `i`: (the path, or None when it ends in no
    step; the index after it; for a cast step, the path before it and the
    span of its argument)."""
    out = ""
    n = len(text)
    while i < n:
        if text.startswith("//", i):
            out, i = out + "//", i + 2
        elif text.startswith("/", i):
            out, i = out + "/", i + 1
        elif out:
            break
        step = _step(text, i)
        if step is None:
            if out.endswith("/"):
                cast = _cast(text, i)
                if cast is not None:
                    return None, i, (out, cast[0], cast[1])
                return None, i, None
            break
        written, i = step
        out += written
        while i < n and text[i] == "[":
            close = _closing(text, i, "[", "]")
            if close < 0:
                return None, n, None
            out, i = out + text[i:close + 1], close + 1
        if not text.startswith("/", i):
            break
    if not out or out.endswith("/"):
        return None, i, None
    return out, i, None


def _step(text: str, i: int) -> tuple[str, int] | None:
    if text.startswith("..", i):
        return "..", i + 2
    if text.startswith(".", i) and not text[i + 1:i + 2].isdigit():
        return ".", i + 1
    if text.startswith("@", i):
        match = _ATTRIBUTE.match(text, i)
        return (match.group(0), match.end()) if match else None
    if text.startswith("*", i):
        return "*", i + 1
    if text.startswith("(", i):
        return _union(text, i)
    match = _QNAME.match(text, i)
    if match and not text[match.end():match.end() + 1] == "(":
        return match.group(0), match.end()
    return None


def _union(text: str, i: int) -> tuple[str, int] | None:
    """A step `(a|b)` as XPath 1.0 writes it: `*[self::a or self::b]`."""
    close = _closing(text, i, "(", ")")
    if close < 0:
        return None
    names = [part.strip() for part in text[i + 1:close].split("|")]
    if len(names) < 2 or not all(_QNAME.fullmatch(name) for name in names):
        return None
    return "*[" + " or ".join(f"self::{name}" for name in names) + "]", close + 1


def _cast(text: str, i: int) -> tuple[int, int] | None:
    """The span of the argument of a cast step (`xs:decimal(` … `)`) at `i`."""
    for name in _CASTS:
        if text.startswith(name + "(", i):
            start = i + len(name) + 1
            close = _closing(text, start - 1, "(", ")")
            return (start, close) if close > 0 else None
    return None


def _closing(text: str, i: int, opening: str, closing: str) -> int:
    depth = 0
    j = i
    while j < len(text):
        c = text[j]
        if c in "'\"":
            j = _after_string(text, j)
            continue
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def _after_string(text: str, i: int) -> int:
    end = text.find(text[i], i + 1)
    return len(text) if end < 0 else end + 1


def _summed(text: str, i: int) -> bool:
    return text[:i].rstrip().endswith("sum(")
