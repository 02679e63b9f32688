"""ArchiMate models in the Open Exchange Format: read as an overlay, written back with figures.

:func:`read` turns an ArchiMate 3.x model exported in The Open Group's exchange format
(``.xml``, namespace ``http://www.opengroup.org/xsd/archimate/3.0/``, as Archi writes it
with *File > Export > Model to Open Exchange File*) into an :class:`~itvalue.Overlay`:

* application and technology elements become services (``business`` for application
  services, ``technical`` for the rest); business processes, functions and interactions
  become processes; products become products; outcomes and values linked to a product
  become outcomes;
* serving, realization and assignment between IT elements make the target depend on
  the source; composition and aggregation make the whole depend on its parts; an IT
  element that serves, realizes or is assigned to a business behaviour supports it
  (also through a business service that serves the process); a process that realizes a
  business service that a product aggregates enables the product;
* element properties named ``itvalue:*`` carry this library's fields
  (``itvalue:availability``, ``itvalue:annual-cost``, ...), relationship properties
  ``itvalue:group`` and ``itvalue:share`` a dependency's group and a support's share.

Ids are the model's identifiers when they are valid ids, else a lower-case slug of them
(with a short digest when two would meet), so that re-importing a changed model gives the
same ids. Every element and relationship that maps to nothing is reported, grouped by
type with counts, as a :class:`~itvalue.SourceWarning` on the overlay; entries carry the
line of their element in :attr:`~itvalue.Overlay.origins`.

The file is parsed with :mod:`defusedxml`: a DOCTYPE, entity declarations and external
references are refused, nothing in the file is fetched or expanded.

:func:`export` goes the other way, at the end of the data flow (like :mod:`itvalue.viz`):
an exchange file of a portfolio whose elements carry what the analyses say of them —
value at risk of an outage, the outcomes a service alone can stop, its required recovery —
for Archi to open beside the architecture.

Complexity: linear in the size of the model, the cycle check a topological sort; paths
through a junction cost the product of its incoming and outgoing relationships.
"""

from __future__ import annotations

import difflib
import graphlib
import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.sax.saxutils import escape, quoteattr

import attrs
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from itvalue.errors import DocumentError
from itvalue.io._overlay import Origin, Overlay, SourceWarning
from itvalue.io._parse import MAX_DEPTH, read_file
from itvalue.model._fields import ID_PATTERN

if TYPE_CHECKING:
    from itvalue.graph import ValueGraph
    from itvalue.importers import Known
    from itvalue.model import Portfolio

__all__ = [
    "APPLICATION_TYPES",
    "NAMESPACE",
    "PROCESS_TYPES",
    "TECHNOLOGY_TYPES",
    "UNOWNED",
    "export",
    "read",
]

#: The exchange format's namespace (ArchiMate 3.0 and 3.1 files both use it).
NAMESPACE = "http://www.opengroup.org/xsd/archimate/3.0/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_TYPE = f"{{{_XSI}}}type"
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SCHEMA = "http://www.opengroup.org/xsd/archimate/3.1/archimate3_Model.xsd"

#: Application-layer element types read as services (application services are ``business``).
APPLICATION_TYPES = frozenset(
    {
        "ApplicationComponent",
        "ApplicationCollaboration",
        "ApplicationInterface",
        "ApplicationFunction",
        "ApplicationInteraction",
        "ApplicationProcess",
        "ApplicationService",
    }
)
#: Technology-layer element types read as (technical) services.
TECHNOLOGY_TYPES = frozenset(
    {
        "Node",
        "Device",
        "SystemSoftware",
        "TechnologyCollaboration",
        "TechnologyInterface",
        "Path",
        "CommunicationNetwork",
        "TechnologyFunction",
        "TechnologyProcess",
        "TechnologyInteraction",
        "TechnologyService",
    }
)
#: Business behaviour read as processes.
PROCESS_TYPES = frozenset({"BusinessProcess", "BusinessFunction", "BusinessInteraction"})
_IT_TYPES = APPLICATION_TYPES | TECHNOLOGY_TYPES
_ACTOR_TYPES = frozenset({"BusinessActor", "BusinessRole"})
_OUTCOME_TYPES = frozenset({"Outcome", "Value"})
# Junction types, and whether the junction means "one of them is enough".
_JUNCTIONS = {"AndJunction": False, "OrJunction": True, "Junction": False}

#: The stakeholder that owns what the model records no owner for.
UNOWNED = "unowned"

_ID_RE = re.compile(ID_PATTERN)
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
_PREFIX = "itvalue:"
# What export writes that the analyses computed: read back without a warning, never used.
_FIGURES = frozenset(
    {
        "value-at-risk",
        "outage-hours",
        "currency",
        "single-point-of-failure-for",
        "required-recovery-hours",
        "required-recovery-set-by",
    }
)
_PERIODS = ("hour", "day", "week", "month", "quarter", "year")


# --------------------------------------------------------------------------- values


def _plain(number: float) -> float | int:
    """A whole number as an int (so dumped documents read ``4``, not ``4.0``)."""
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _number(text: str) -> Any:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return text  # the model says what is wrong with it, at the entry's line
    return _plain(value) if math.isfinite(value) else text


def _fraction(text: str) -> Any:
    if text.endswith("%"):
        try:
            return float(Decimal(text[:-1].strip()) / 100)
        except InvalidOperation:
            return text
    return _number(text)


def _money(text: str) -> Any:
    words = text.replace(",", "").replace("_", "").split()
    if len(words) == 2:
        code = next((w for w in words if re.fullmatch(r"[A-Za-z]{3}", w)), None)
        if code is not None:
            amount = _number(words[1] if words[0] is code else words[0])
            if not isinstance(amount, str):
                return {"amount": amount, "currency": code.upper()}
    return text


def _quantity(text: str) -> Any:
    match = re.fullmatch(
        r"\s*([0-9][0-9.,_eE+-]*)\s+(.+?)\s*(?:/|\bper\b|\ba\b|\ban\b)\s*([a-z]+)\s*",
        text,
    )
    if match is not None and match.group(3).lower() in _PERIODS:
        amount = _number(match.group(1))
        if not isinstance(amount, str):
            return {"amount": amount, "unit": match.group(2), "per": match.group(3).lower()}
    return text


def _groups(text: str) -> Any:
    """``"quorum=2, db=1"`` -> redundancy groups (a group's name and how many must be up)."""
    groups: list[dict[str, Any]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, count = part.partition("=")
        if not sep:
            return text
        groups.append({"name": name.strip(), "min_up": _number(count.strip())})
    return groups


def _word(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _text(text: str) -> str:
    return text.strip()


_Convert = Any
# Property name (after "itvalue:") -> (field, converter), per kind of entry.
_SERVICE_PROPERTIES: dict[str, tuple[str, _Convert]] = {
    "owner": ("owner", _text),
    "kind": ("kind", _word),
    "offering": ("offering", _word),
    "lifecycle": ("lifecycle", _word),
    "availability": ("availability", _fraction),
    "annual-cost": ("annual_cost", _money),
    "recovery-hours": ("recovery_hours", _number),
    "provided-by": ("provided_by", _text),
    "groups": ("groups", _groups),
}
_PROCESS_PROPERTIES: dict[str, tuple[str, _Convert]] = {"owner": ("owner", _text)}
_OUTCOME_PROPERTIES: dict[str, tuple[str, _Convert]] = {
    "segment": ("segment", _text),
    "volume": ("volume", _quantity),
    "unit-value": ("unit_value", _money),
    "max-outage-hours": ("max_outage_hours", _number),
}
_ACTOR_PROPERTIES: dict[str, tuple[str, _Convert]] = {
    "kind": ("kind", _word),
    "relationship-owner": ("relationship_owner", _text),
}
_RELATION_PROPERTIES: dict[str, tuple[str, _Convert]] = {
    "group": ("group", _text),
    "share": ("share", _fraction),
}


# --------------------------------------------------------------------------- parsing


@attrs.frozen(kw_only=True)
class _Element:
    """One element of the model, as read."""

    identifier: str
    type: str
    name: str
    documentation: str
    properties: dict[str, str]
    line: int | None


@attrs.frozen(kw_only=True)
class _Relation:
    """One relationship of the model, as read."""

    identifier: str
    type: str
    source: str
    target: str
    properties: dict[str, str]
    line: int | None


class _LineBuilder(TreeBuilder):
    """A tree builder that notes the line of every element with an identifier."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}
        self.parser: DefusedXMLParser | None = None
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        line = self.where()
        if self.depth > MAX_DEPTH:
            raise DocumentError(f"elements nest more than {MAX_DEPTH} deep", line=line)
        identifier = attrs.get("identifier")
        if identifier is not None and line is not None:
            self.lines.setdefault(identifier, line)
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)

    def where(self) -> int | None:
        expat = getattr(self.parser, "parser", None)
        line = getattr(expat, "CurrentLineNumber", None)
        return line if isinstance(line, int) else None


def _parse(data: bytes, source: str) -> tuple[Element, dict[str, int]]:
    """The root element and the line of each identifier, refusing anything hostile."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root: Element = parser.close()
    except DocumentError as exc:
        raise DocumentError(exc.reason, source=source, line=exc.line) from None
    except DefusedXmlException:
        # With forbid_dtd, the DOCTYPE is refused before any entity or external reference
        # it could declare is read: billion laughs and external entities end here too.
        raise DocumentError(
            "the file declares a DOCTYPE, which ArchiMate exchange files never need",
            source=source,
            line=builder.where(),
            hint="remove the <!DOCTYPE ...> declaration; entities and DTDs are not read",
        ) from None
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        message = str(exc).split(": line", 1)[0]
        raise DocumentError(
            f"not well-formed XML: {message}",
            source=source,
            line=line,
            hint="is the export complete? open it in Archi or an XML editor to see the fault",
        ) from None
    return root, builder.lines


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _children(parent: Element, tag: str) -> list[Element]:
    """The children of ``parent``'s child ``tag`` (none when it is absent)."""
    holder = parent.find(_q(tag))
    return list(holder) if holder is not None else []


def _lang_text(parent: Element, tag: str) -> str:
    """The text of a (possibly multilingual) child: English or unmarked first."""
    found = parent.findall(_q(tag))
    if not found:
        return ""
    chosen = next((c for c in found if (c.get(_LANG) or "en").lower().startswith("en")), found[0])
    return " ".join((chosen.text or "").split())


def _properties(
    node: Element, definitions: Mapping[str, str], source: str, line: int | None
) -> dict[str, str]:
    out: dict[str, str] = {}
    holder = node.find(_q("properties"))
    if holder is None:
        return out
    for prop in holder.findall(_q("property")):
        ref = prop.get("propertyDefinitionRef") or prop.get("identifierRef") or ""
        if ref not in definitions:
            raise DocumentError(
                f"a property refers to {ref!r}, which no propertyDefinition defines",
                source=source,
                line=line,
            )
        out.setdefault(definitions[ref], _lang_text(prop, "value"))
    return out


@attrs.frozen(kw_only=True)
class _Model:
    name: str | None
    documentation: str
    elements: dict[str, _Element]
    relations: list[_Relation]


def _model(path: str | os.PathLike[str]) -> _Model:
    source = os.fspath(path)
    root, lines = _parse(read_file(path, source), source)
    if root.tag != _q("model"):
        namespace, _, tag = (
            root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
        )
        raise DocumentError(
            f"not an ArchiMate 3 exchange model: the root is <{tag}> in namespace "
            f"{namespace or '(none)'!r}, not <model> in {NAMESPACE!r}",
            source=source,
            line=1,
            hint="export the model from Archi with File > Export > Model to Open Exchange File",
        )
    definitions: dict[str, str] = {}
    for definition in _children(root, "propertyDefinitions"):
        ident = definition.get("identifier", "")
        definitions[ident] = _lang_text(definition, "name") or definition.get("name", ident)
    elements: dict[str, _Element] = {}
    for node in _children(root, "elements"):
        ident = node.get("identifier", "")
        line = lines.get(ident)
        if not ident:
            raise DocumentError("an element has no identifier", source=source)
        if ident in elements:
            raise DocumentError(
                f"two elements have the identifier {ident!r}", source=source, line=line
            )
        elements[ident] = _Element(
            identifier=ident,
            type=node.get(_TYPE, ""),
            name=_lang_text(node, "name") or ident,
            documentation=_lang_text(node, "documentation"),
            properties=_properties(node, definitions, source, line),
            line=line,
        )
    relations: list[_Relation] = []
    for node in _children(root, "relationships"):
        ident = node.get("identifier", "")
        line = lines.get(ident)
        relations.append(
            _Relation(
                identifier=ident,
                type=node.get(_TYPE, ""),
                source=node.get("source", ""),
                target=node.get("target", ""),
                properties=_properties(node, definitions, source, line),
                line=line,
            )
        )
    return _Model(
        name=_lang_text(root, "name") or None,
        documentation=_lang_text(root, "documentation"),
        elements=elements,
        relations=relations,
    )


# --------------------------------------------------------------------------- mapping


def _slug(identifier: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", identifier.lower()).strip("-._")
    return slug or "element"


def _ids(elements: Iterable[_Element]) -> dict[str, str]:
    """An itvalue id for each identifier: itself when valid, else a slug (digest on a clash)."""
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    pending: list[_Element] = []
    for element in elements:
        wanted = element.properties.get(_PREFIX + "id", "").strip() or element.identifier
        if _ID_RE.fullmatch(wanted):
            chosen[element.identifier] = wanted
            taken.add(wanted)
        else:
            pending.append(element)
    for element in pending:
        slug = _slug(element.identifier)
        if slug in taken:
            digest = hashlib.sha1(element.identifier.encode("utf-8")).hexdigest()[:8]
            slug = f"{slug}-{digest}"
        chosen[element.identifier] = slug
        taken.add(slug)
    return chosen


@attrs.frozen(kw_only=True)
class _Paths:
    """Relationships with the paths through junctions added, and what each path is made of."""

    relations: list[_Relation]
    parts: dict[int, frozenset[int]]  # a path's index -> the indices of the model's relations
    via: dict[int, frozenset[str]]  # a path's index -> the junctions it passes


def _through_junctions(model: _Model) -> _Paths:
    """Each path through junctions as one relationship of its type (from the first to the last).

    A path through an *or* junction gives a dependency the junction as its redundancy group
    (unless the relationships name one), so that one of the sources is enough.
    """
    relations = list(model.relations)
    parts = {i: frozenset({i}) for i in range(len(relations))}
    via: dict[int, frozenset[str]] = {i: frozenset() for i in range(len(relations))}
    into: dict[str, list[int]] = {}
    out: dict[str, list[int]] = {}
    for i, r in enumerate(relations):
        if r.source != r.target:
            into.setdefault(r.target, []).append(i)
            out.setdefault(r.source, []).append(i)
    for junction, element in model.elements.items():
        if element.type not in _JUNCTIONS:
            continue
        for a in list(into.get(junction, ())):
            for b in list(out.get(junction, ())):
                first, last = relations[a], relations[b]
                if first.type != last.type or first.source == last.target:
                    continue
                properties = {**last.properties, **first.properties}
                if _JUNCTIONS[element.type]:
                    properties.setdefault(_PREFIX + "group", junction)
                index = len(relations)
                parts[index] = parts[a] | parts[b]
                via[index] = via[a] | via[b] | {junction}
                relations.append(
                    _Relation(
                        identifier=f"{first.identifier}+{last.identifier}",
                        type=first.type,
                        source=first.source,
                        target=last.target,
                        properties=properties,
                        line=first.line,
                    )
                )
                into.setdefault(last.target, []).append(index)
                out.setdefault(first.source, []).append(index)
    return _Paths(relations=relations, parts=parts, via=via)


class _Mapper:
    """The state of one import: entries as they are found, and what was left out."""

    def __init__(self, model: _Model, source: str, known: Known | None) -> None:
        self.model = model
        self.source = source
        self.known = known or {}
        self.elements = model.elements
        self.ids = _ids(model.elements.values())
        self.paths = _through_junctions(model)
        self.used: set[int] = set()  # indices of relationships a rule took
        self.depends: dict[str, dict[str, dict[str, Any]]] = {}
        self.dep_line: dict[tuple[str, str], int | None] = {}
        self.supports: dict[str, dict[str, dict[str, Any]]] = {}
        self.enables: dict[str, list[str]] = {}
        self.outcomes_of: dict[str, list[str]] = {}
        self.owners: dict[str, list[str]] = {}
        self.warnings: list[SourceWarning] = []
        self.links: set[str] = set()  # business services that linked something
        self.unknown_properties: Counter[str] = Counter()
        self.unknown_first: dict[str, int | None] = {}

    # -- helpers

    def type_of(self, identifier: str) -> str:
        element = self.elements.get(identifier)
        return element.type if element is not None else ""

    def warn(self, code: str, message: str, *, line: int | None = None, hint: str = "") -> None:
        self.warnings.append(
            SourceWarning(message, code=code, source=self.source, line=line, hint=hint)
        )

    @staticmethod
    def _add(
        target: dict[str, dict[str, dict[str, Any]]], key: str, item: str, field: str
    ) -> dict[str, Any]:
        return target.setdefault(key, {}).setdefault(item, {field: item})

    def depend(self, service: str, on: str, relation: _Relation) -> None:
        entry = self._add(self.depends, service, on, "service")
        self.dep_line.setdefault((service, on), relation.line)
        props = self.fields(relation.properties, _RELATION_PROPERTIES, relation.line)
        if "group" in props:
            entry["group"] = props["group"]

    def support(self, service: str, process: str, relation: _Relation | None) -> None:
        entry = self._add(self.supports, service, process, "process")
        if relation is not None:
            props = self.fields(relation.properties, _RELATION_PROPERTIES, relation.line)
            if "share" in props:
                entry["share"] = props["share"]

    @staticmethod
    def _append(target: dict[str, list[str]], key: str, item: str) -> None:
        items = target.setdefault(key, [])
        if item not in items:
            items.append(item)

    def fields(
        self,
        properties: Mapping[str, str],
        table: Mapping[str, tuple[str, _Convert]],
        line: int | None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in properties.items():
            if not key.startswith(_PREFIX):
                continue  # the model's own properties are not ours to read
            name = key[len(_PREFIX) :]
            if name in table:
                field, convert = table[name]
                out[field] = convert(value)
            elif name not in _FIGURES and name != "id":
                self.unknown_properties[key] += 1
                self.unknown_first.setdefault(key, line)
        return out

    # -- the rules

    def relate(self) -> None:
        """Apply every relationship rule, in document order."""
        via_service: dict[str, list[tuple[str, int]]] = {}  # business service -> IT realizers
        serves: dict[str, list[tuple[str, int]]] = {}  # business service -> processes served
        realized_by: dict[str, list[tuple[str, int]]] = {}  # business service -> processes
        in_product: dict[str, list[tuple[str, int]]] = {}  # business service -> products
        for index, relation in enumerate(self.paths.relations):
            kind = relation.type
            src, dst = relation.source, relation.target
            st, tt = self.type_of(src), self.type_of(dst)
            if not st or not tt:
                continue  # a relationship on a relationship: counted as unmapped
            took = True
            if st in _IT_TYPES and tt in _IT_TYPES:
                if kind in ("Serving", "Realization", "Assignment"):
                    self.depend(self.ids[dst], self.ids[src], relation)
                elif kind in ("Composition", "Aggregation"):
                    self.depend(self.ids[src], self.ids[dst], relation)
                else:
                    took = False
            elif (
                st in _IT_TYPES
                and tt in PROCESS_TYPES
                and kind
                in (
                    "Serving",
                    "Realization",
                    "Assignment",
                )
            ):
                self.support(self.ids[src], self.ids[dst], relation)
            elif (
                st in _IT_TYPES
                and tt == "BusinessService"
                and kind
                in (
                    "Serving",
                    "Realization",
                )
            ):
                via_service.setdefault(dst, []).append((src, index))
                took = False  # taken only when the business service serves a process
            elif st == "BusinessService" and tt in PROCESS_TYPES and kind == "Serving":
                serves.setdefault(src, []).append((dst, index))
                took = False
            elif st in PROCESS_TYPES and tt == "BusinessService" and kind == "Realization":
                realized_by.setdefault(dst, []).append((src, index))
                took = False
            elif (
                st == "Product"
                and tt == "BusinessService"
                and kind in ("Aggregation", "Composition")
            ):
                in_product.setdefault(dst, []).append((src, index))
                took = False
            elif st in PROCESS_TYPES and tt == "Product" and kind in ("Serving", "Realization"):
                self._append(self.enables, self.ids[src], self.ids[dst])
            elif st == "Product" and tt in PROCESS_TYPES and kind in ("Aggregation", "Composition"):
                self._append(self.enables, self.ids[dst], self.ids[src])
            elif st in _ACTOR_TYPES and tt in PROCESS_TYPES and kind == "Assignment":
                self._append(self.owners, dst, src)
            elif (
                st == "Product"
                and tt in _OUTCOME_TYPES
                and kind
                in (
                    "Realization",
                    "Influence",
                    "Association",
                )
            ):
                self._append(self.outcomes_of, self.ids[src], self.ids[dst])
            elif st in _OUTCOME_TYPES and tt == "Product" and kind == "Association":
                self._append(self.outcomes_of, self.ids[dst], self.ids[src])
            elif (
                st in PROCESS_TYPES
                and tt in _OUTCOME_TYPES
                and kind in ("Realization", "Influence")
            ):
                self._append(self.enables, self.ids[src], self.ids[dst])
            else:
                took = False
            if took:
                self.used.add(index)
        for service, realizers in via_service.items():
            for process, served_at in serves.get(service, []):
                for it, realized_at in realizers:
                    self.support(self.ids[it], self.ids[process], None)
                    self.used.update((served_at, realized_at))
                    self.links.add(service)
        for service, products in in_product.items():
            for process, realized_at in realized_by.get(service, []):
                for product, held_at in products:
                    self._append(self.enables, self.ids[process], self.ids[product])
                    self.used.update((realized_at, held_at))
                    self.links.add(service)

    def resolve_paths(self) -> None:
        """A path through junctions that a rule took takes its relationships and junctions."""
        for index in list(self.used):
            self.used |= self.paths.parts[index]
            self.links |= self.paths.via[index]

    def check_cycles(self) -> None:
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for service, on in self.depends.items():
            sorter.add(service, *on)
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle: list[str] = list(reversed(exc.args[1]))
            names = {self.ids[e.identifier]: e.name for e in self.elements.values()}
            shown = " → ".join(f"{names.get(i, i)!r}" for i in cycle)
            first = self.dep_line.get((cycle[1], cycle[0])) if len(cycle) > 1 else None
            raise DocumentError(
                f"services depend on each other in a cycle: {shown} "
                "(each relies on the next to work)",
                source=self.source,
                line=first,
                hint="an element that serves another cannot also depend on it; "
                "remove or reverse one of these relationships",
            ) from None

    # -- entries

    def overlay(self) -> Overlay:
        self.relate()
        self.resolve_paths()
        self.check_cycles()
        sections: dict[str, list[dict[str, Any]]] = {}
        origins: dict[tuple[str, str], Origin] = {}
        unowned: Counter[str] = Counter()
        unmapped: Counter[str] = Counter()
        unmapped_line: dict[str, int | None] = {}
        linked_outcomes = {o for outcomes in self.outcomes_of.values() for o in outcomes}
        linked_outcomes |= {t for targets in self.enables.values() for t in targets}
        owner_ids = {a for actors in self.owners.values() for a in actors}
        incomplete: list[str] = []
        several: list[str] = []

        def add(section: str, element: _Element, entry: dict[str, Any]) -> None:
            sections.setdefault(section, []).append(entry)
            origins[(section, entry["id"])] = Origin(source=self.source, line=element.line)

        def base(section: str, element: _Element) -> tuple[dict[str, Any], bool]:
            ident = self.ids[element.identifier]
            entry: dict[str, Any] = {"id": ident, "name": element.name}
            if element.documentation:
                entry["description"] = element.documentation
            return entry, ident in self.known.get(section, {})

        def own(entry: dict[str, Any], known: bool, what: str) -> None:
            if "owner" not in entry and not known:
                entry["owner"] = UNOWNED
                unowned[what] += 1

        for element in self.elements.values():
            ident = self.ids[element.identifier]
            kind = element.type
            if kind in _IT_TYPES:
                entry, known = base("services", element)
                if not known:
                    entry["kind"] = "business" if kind == "ApplicationService" else "technical"
                entry.update(self.fields(element.properties, _SERVICE_PROPERTIES, element.line))
                own(entry, known, "service")
                if ident in self.supports:
                    entry["supports"] = list(self.supports[ident].values())
                if ident in self.depends:
                    entry["depends_on"] = list(self.depends[ident].values())
                add("services", element, entry)
            elif kind in PROCESS_TYPES:
                entry, known = base("processes", element)
                entry.update(self.fields(element.properties, _PROCESS_PROPERTIES, element.line))
                actors = self.owners.get(element.identifier, [])
                if "owner" not in entry and actors:
                    entry["owner"] = self.ids[actors[0]]
                    if len(actors) > 1:
                        several.append(element.name)
                own(entry, known, "process")
                if ident in self.enables:
                    entry["enables"] = self.enables[ident]
                add("processes", element, entry)
            elif kind == "Product":
                entry, known = base("products", element)
                entry.update(self.fields(element.properties, _PROCESS_PROPERTIES, element.line))
                own(entry, known, "product")
                if ident in self.outcomes_of:
                    entry["outcomes"] = self.outcomes_of[ident]
                add("products", element, entry)
            elif kind in _OUTCOME_TYPES and (
                ident in linked_outcomes or any(k.startswith(_PREFIX) for k in element.properties)
            ):
                entry, known = base("outcomes", element)
                entry.update(self.fields(element.properties, _OUTCOME_PROPERTIES, element.line))
                if "segment" not in entry and not known:
                    incomplete.append(element.name)
                add("outcomes", element, entry)
            elif kind in _ACTOR_TYPES and (
                element.identifier in owner_ids
                or any(k.startswith(_PREFIX) for k in element.properties)
            ):
                props = self.fields(element.properties, _ACTOR_PROPERTIES, element.line)
                if "relationship_owner" in props:
                    entry, _known = base("segments", element)
                    entry["relationship_owner"] = props["relationship_owner"]
                    add("segments", element, entry)
                else:
                    entry, known = base("stakeholders", element)
                    if not known:
                        entry["kind"] = props.get("kind", "business_unit")
                    add("stakeholders", element, entry)
            elif element.identifier not in self.links:
                unmapped[kind or "(no type)"] += 1
                unmapped_line.setdefault(kind or "(no type)", element.line)
        if unowned and UNOWNED not in self.known.get("stakeholders", {}):
            taken = {e["id"] for e in sections.get("stakeholders", [])}
            if UNOWNED not in taken:
                sections.setdefault("stakeholders", []).insert(
                    0, {"id": UNOWNED, "name": "Owner not recorded", "kind": "business_unit"}
                )
                origins[("stakeholders", UNOWNED)] = Origin(source=self.source)
        self.report(unmapped, unmapped_line, unowned, incomplete, several)
        return Overlay(
            name=self.model.name,
            description=self.model.documentation or None,
            sections=sections,
            warnings=self.warnings,
            origins=origins,
            source=self.source,
        )

    def report(
        self,
        unmapped: Counter[str],
        unmapped_line: Mapping[str, int | None],
        unowned: Counter[str],
        incomplete: list[str],
        several: list[str],
    ) -> None:
        """The warnings: what was left out, grouped by type with counts, and what is missing."""
        for kind, count in sorted(unmapped.items(), key=lambda item: (-item[1], item[0])):
            hint = ""
            if kind in _OUTCOME_TYPES:
                hint = "link it to a product (realization or association) to make it an outcome"
            elif kind in _ACTOR_TYPES:
                hint = "assign it to a process to make it the process's owner"
            elif kind == "BusinessService":
                hint = (
                    "a business service links the IT that realizes it to the processes it "
                    "serves, and the processes that realize it to the products that hold it"
                )
            self.warn(
                "archimate-unmapped-element",
                f"{count} {kind} element{'s' if count != 1 else ''} left out: "
                "no itvalue entity for them",
                line=unmapped_line.get(kind),
                hint=hint,
            )
        pairs: dict[str, Counter[str]] = {}
        first: dict[str, int | None] = {}
        for index, relation in enumerate(self.model.relations):
            if index in self.used:
                continue
            kind = relation.type or "(no type)"
            st = self.type_of(relation.source) or "(not an element)"
            tt = self.type_of(relation.target) or "(not an element)"
            pairs.setdefault(kind, Counter())[f"{st} → {tt}"] += 1
            first.setdefault(kind, relation.line)
        for kind, counter in sorted(pairs.items(), key=lambda item: (-item[1].total(), item[0])):
            total = counter.total()
            shown = ", ".join(f"{pair} ({n})" for pair, n in counter.most_common(3))
            more = f" and {len(counter) - 3} more pairs" if len(counter) > 3 else ""
            self.warn(
                "archimate-unmapped-relationship",
                f"{total} {kind} relationship{'s' if total != 1 else ''} left out: {shown}{more}",
                line=first[kind],
            )
        if unowned:
            counted = ", ".join(
                f"{n} {what}{'' if n == 1 else 'es' if what == 'process' else 's'}"
                for what, n in unowned.items()
            )
            self.warn(
                "archimate-no-owner",
                f"no owner recorded for {counted}: owned by {UNOWNED!r} (Owner not recorded)",
                hint="give owners in an overlay (services: - {id: ..., owner: ...}), "
                "an itvalue:owner property, or assign a business actor to the process",
            )
        if several:
            self.warn(
                "archimate-several-owners",
                f"{len(several)} process{'es' if len(several) != 1 else ''} with several "
                f"actors assigned, the first is the owner: {', '.join(several)}",
            )
        if incomplete:
            self.warn(
                "archimate-incomplete-outcome",
                f"{len(incomplete)} outcome{'s' if len(incomplete) != 1 else ''} "
                f"without a segment: {', '.join(incomplete)}",
                hint="complete them in an overlay (outcomes: - {id: ..., segment: ..., "
                "volume: ..., unit_value: ...}) or with itvalue:segment properties",
            )
        if self.unknown_properties:
            # A misspelt property would leave a figure out unnoticed (an availability,
            # say), so it stops the import, as a misspelt annotation does for Backstage.
            readable = sorted(
                _PREFIX + k
                for k in {
                    *_SERVICE_PROPERTIES,
                    *_OUTCOME_PROPERTIES,
                    *_ACTOR_PROPERTIES,
                    *_RELATION_PROPERTIES,
                    "id",
                }
            )
            key = min(self.unknown_properties, key=lambda k: (self.unknown_first.get(k) or 0, k))
            count = self.unknown_properties[key]
            close = difflib.get_close_matches(key, readable, n=1)
            others = len(self.unknown_properties) - 1
            raise DocumentError(
                f"property {key!r} ({count} time{'s' if count != 1 else ''}) is not one this "
                "library reads" + (f"; {others} more like it" if others else ""),
                source=self.source,
                line=self.unknown_first.get(key),
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "itvalue reads: "
                + ", ".join(readable),
            )


def read(path: str | os.PathLike[str], *, known: Known | None = None) -> Overlay:
    """The overlay an ArchiMate model in the Open Exchange Format makes.

    See the module's documentation (and the how-to page "Import an ArchiMate model")
    for the mapping. Entities the composition so far already holds (``known``) are
    completed, not redefined: their kind and owner are left as they are.

    Args:
        path: The ``.xml`` exchange file.
        known: What earlier sources of a composition hold, by section and id.

    Raises:
        DocumentError: The file cannot be read, is not well-formed, declares a DOCTYPE
            or entities, is not an ArchiMate 3 exchange model, or its services depend on
            each other in a cycle (named by the elements' names).

    Examples:
        >>> from itvalue.importers import archimate
        >>> shop = archimate.read("examples/archimate/shop.xml")
        >>> shop.name
        'Shop'
        >>> [s["name"] for s in shop.entries("services")][:2]
        ['Web shop', 'Payments']
    """
    source = os.fspath(path)
    return _Mapper(_model(path), source, known).overlay()


# --------------------------------------------------------------------------- export


def _identifier(ident: str) -> str:
    """An xsd:ID for an itvalue id (ids may start with a digit; xsd:IDs may not)."""
    return ident if _NCNAME.fullmatch(ident) else f"id-{ident}"


def _figure(amount: float) -> str:
    return f"{amount:.2f}"


def _value(value: float | int) -> str:
    return repr(_plain(float(value)))


class _Writer:
    """Builds the exchange file's text, one part at a time."""

    def __init__(self) -> None:
        self.definitions: dict[str, str] = {}  # property name -> definition identifier
        self.taken: set[str] = set()

    def unique(self, wanted: str) -> str:
        candidate, counter = wanted, 1
        while candidate in self.taken:
            counter += 1
            candidate = f"{wanted}-{counter}"
        self.taken.add(candidate)
        return candidate

    def properties(self, props: Iterable[tuple[str, str]], indent: str) -> list[str]:
        lines: list[str] = []
        for key, value in props:
            if key not in self.definitions:
                self.definitions[key] = self.unique("propid-" + key.replace(":", "-"))
            lines.append(
                f'{indent}  <property propertyDefinitionRef="{self.definitions[key]}">'
                f'<value xml:lang="en">{escape(value)}</value></property>'
            )
        if lines:
            return [f"{indent}<properties>", *lines, f"{indent}</properties>"]
        return []

    def element(
        self,
        ident: str,
        type: str,
        name: str,
        description: str,
        props: list[tuple[str, str]],
    ) -> list[str]:
        identifier = _identifier(ident)
        if identifier != ident:
            props = [(_PREFIX + "id", ident), *props]
        lines = [
            f"    <element identifier={quoteattr(identifier)} xsi:type={quoteattr(type)}>",
            f'      <name xml:lang="en">{escape(name)}</name>',
        ]
        if description:
            lines.append(
                f'      <documentation xml:lang="en">{escape(description)}</documentation>'
            )
        lines += self.properties(props, "      ")
        lines.append("    </element>")
        return lines


def export(
    portfolio_or_graph: Portfolio | ValueGraph,
    *,
    hours: float = 1.0,
    currency: str | None = None,
) -> str:
    """An ArchiMate exchange file of the portfolio, its elements carrying our figures.

    Services become application services (``business``) or technology services
    (``technical``), processes business processes, products products, outcomes ArchiMate
    outcomes, stakeholders business actors and segments business roles; dependencies and
    supports are serving relationships, owners of processes assignments, what a process
    or product leads to realization or serving relationships. Each service carries:

    * ``itvalue:value-at-risk`` — what an outage of ``hours`` puts at risk, in
      ``currency`` (as :func:`~itvalue.analysis.impact.rank_services`);
    * ``itvalue:single-point-of-failure-for`` — the outcomes it alone can stop;
    * ``itvalue:required-recovery-hours`` and ``itvalue:required-recovery-set-by`` —
      how fast it must be back, and for which outcome, where an outcome states a
      tolerable outage;

    and the fields the importer reads (``itvalue:availability``, ``itvalue:owner``, ...),
    so that :func:`read` of the result gives the same ids, services, dependencies and
    fields. Ids are kept as identifiers (an id that is not a valid ``xsd:ID`` is written
    ``id-<id>`` and kept in an ``itvalue:id`` property). Value streams, metrics and
    agreements have no ArchiMate counterpart here and are not written.

    Args:
        portfolio_or_graph: A portfolio, or its value graph.
        hours: The length of the outage the value at risk is for.
        currency: The currency to report; defaults to the only one in use.

    Raises:
        AnalysisError: Outcomes are valued in several currencies and none is named.

    Examples:
        >>> import itvalue
        >>> from itvalue.importers.archimate import export
        >>> text = export(itvalue.example("northwind"))
        >>> '<element identifier="payments" xsi:type="ApplicationService">' in text
        True
    """
    from itvalue.analysis.impact import rank_services, resolve_currency, single_points_of_failure
    from itvalue.analysis.recovery import recovery_needs
    from itvalue.graph import ValueGraph

    graph = (
        portfolio_or_graph
        if isinstance(portfolio_or_graph, ValueGraph)
        else portfolio_or_graph.graph()
    )
    p = graph.portfolio
    chosen = resolve_currency(graph, currency)
    at_risk = dict(rank_services(graph, hours=hours, currency=chosen)) if chosen else {}
    stops: dict[str, list[str]] = {}
    for outcome, services in single_points_of_failure(graph).items():
        for service in services:
            stops.setdefault(service, []).append(p.get(outcome).name)
    needs = recovery_needs(graph)

    w = _Writer()
    every: list[str] = [
        e.id
        for section in (p.stakeholders, p.segments, p.outcomes, p.products, p.processes)
        for e in section
    ]
    every += [service.id for service in p.services]
    ref = {ident: _identifier(ident) for ident in every}
    w.taken.update(ref.values())
    elements: list[str] = []
    relations: list[tuple[str, str, str, list[tuple[str, str]]]] = []

    for holder in p.stakeholders:
        elements += w.element(
            holder.id,
            "BusinessActor",
            holder.name,
            holder.description,
            [(_PREFIX + "kind", holder.kind.value)],
        )
    for seg in p.segments:
        elements += w.element(
            seg.id,
            "BusinessRole",
            seg.name,
            seg.description,
            [(_PREFIX + "relationship-owner", seg.relationship_owner)],
        )
    for o in p.outcomes:
        props = [(_PREFIX + "segment", o.segment)]
        if o.volume is not None:
            props.append(
                (
                    _PREFIX + "volume",
                    f"{_value(o.volume.amount)} {o.volume.unit}/{o.volume.per.value}",
                )
            )
        if o.unit_value is not None:
            props.append(
                (_PREFIX + "unit-value", f"{_value(o.unit_value.amount)} {o.unit_value.currency}")
            )
        if o.max_outage_hours is not None:
            props.append((_PREFIX + "max-outage-hours", _value(o.max_outage_hours)))
        elements += w.element(o.id, "Outcome", o.name, o.description, props)
    for r in p.products:
        elements += w.element(
            r.id, "Product", r.name, r.description, [(_PREFIX + "owner", r.owner)]
        )
        relations += [("Realization", r.id, o, []) for o in r.outcomes]
    for proc in p.processes:
        elements += w.element(proc.id, "BusinessProcess", proc.name, proc.description, [])
        relations.append(("Assignment", proc.owner, proc.id, []))
        for target in proc.enables:
            kind = "Realization" if any(o.id == target for o in p.outcomes) else "Serving"
            relations.append((kind, proc.id, target, []))
    for s in p.services:
        props = [(_PREFIX + "owner", s.owner)]
        if s.offering.value != "catalog":
            props.append((_PREFIX + "offering", s.offering.value))
        if s.lifecycle.value != "live":
            props.append((_PREFIX + "lifecycle", s.lifecycle.value))
        if s.availability is not None:
            props.append((_PREFIX + "availability", _value(s.availability)))
        if s.annual_cost is not None:
            props.append(
                (
                    _PREFIX + "annual-cost",
                    f"{_value(s.annual_cost.amount)} {s.annual_cost.currency}",
                )
            )
        if s.recovery_hours is not None:
            props.append((_PREFIX + "recovery-hours", _value(s.recovery_hours)))
        if s.provided_by is not None:
            props.append((_PREFIX + "provided-by", s.provided_by))
        if s.groups:
            quorums = ", ".join(f"{g.name}={g.min_up}" for g in s.groups)
            props.append((_PREFIX + "groups", quorums))
        if s.id in at_risk:
            props.append((_PREFIX + "value-at-risk", f"{_figure(at_risk[s.id])} {chosen}"))
        if s.id in stops:
            props.append((_PREFIX + "single-point-of-failure-for", "; ".join(stops[s.id])))
        if s.id in needs:
            props.append((_PREFIX + "required-recovery-hours", f"{needs[s.id].hours:.4g}"))
            props.append((_PREFIX + "required-recovery-set-by", p.get(needs[s.id].outcome).name))
        kind = "ApplicationService" if s.kind.value == "business" else "TechnologyService"
        elements += w.element(s.id, kind, s.name, s.description, props)
        for d in s.depends_on:
            relations.append(
                ("Serving", d.service, s.id, [(_PREFIX + "group", d.group)] if d.group else [])
            )
        for sup in s.supports:
            share = [(_PREFIX + "share", _value(sup.share))] if sup.share != 1 else []
            relations.append(("Serving", s.id, sup.process, share))

    relation_lines: list[str] = []
    for kind, src, dst, props in relations:
        identifier = w.unique(f"rel-{ref[src]}-{kind.lower()}-{ref[dst]}")
        head = (
            f"    <relationship identifier={quoteattr(identifier)} source={quoteattr(ref[src])} "
            f"target={quoteattr(ref[dst])} xsi:type={quoteattr(kind)}"
        )
        body = w.properties(props, "      ")
        relation_lines += [head + ">", *body, "    </relationship>"] if body else [head + "/>"]

    model_props = [(_PREFIX + "outage-hours", _value(hours))]
    if chosen:
        model_props.append((_PREFIX + "currency", chosen))
    head_props = w.properties(model_props, "  ")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<model xmlns="{NAMESPACE}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{NAMESPACE} {_SCHEMA}" identifier={quoteattr(w.unique("model"))}>',
        f'  <name xml:lang="en">{escape(p.name)}</name>',
    ]
    if p.description:
        out.append(f'  <documentation xml:lang="en">{escape(p.description)}</documentation>')
    out += head_props
    out += ["  <elements>", *elements, "  </elements>"]
    if relation_lines:
        out += ["  <relationships>", *relation_lines, "  </relationships>"]
    out.append("  <propertyDefinitions>")
    for key, ident in w.definitions.items():
        out.append(
            f'    <propertyDefinition identifier="{ident}" type="string">'
            f"<name>{escape(key)}</name></propertyDefinition>"
        )
    out += ["  </propertyDefinitions>", "</model>", ""]
    return "\n".join(out)
