"""Integrity of a whole portfolio: unique ids, references, groups, no dependency cycles.

Which field names which kinds of entity, which field lists the groups another field's
items form, and which value must pass a check when the entity a sibling field names
says so, is declared once, on the fields themselves (``refers``, ``linked``,
``quorums`` and ``when`` in :mod:`itvalue.model._fields`); both passes here are
derived from those declarations. The quick pass (:func:`service_order`) is generated
code that settles a sound portfolio in one sweep with no message built; only when it
refuses does the detailed pass run to say what is wrong and where.

Both work on the collections alone, so a loader can also run them over the entities
that did structure while others did not, and report every problem of a document at once.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from itvalue.errors import Problem
from itvalue.model._entities import (
    SLA,
    BusinessProcess,
    CustomerSegment,
    Metric,
    Outcome,
    Product,
    Service,
    Stakeholder,
    ValueStream,
)
from itvalue.model._fields import (
    Check,
    FieldSpec,
    Links,
    Quorums,
    Ref,
    Shape,
    When,
    fields_of,
)

#: (collection name, entity class, kind name) in document order.
COLLECTIONS: tuple[tuple[str, type, str], ...] = (
    ("stakeholders", Stakeholder, "stakeholder"),
    ("segments", CustomerSegment, "segment"),
    ("outcomes", Outcome, "outcome"),
    ("products", Product, "product"),
    ("processes", BusinessProcess, "process"),
    ("value_streams", ValueStream, "value_stream"),
    ("services", Service, "service"),
    ("metrics", Metric, "metric"),
    ("slas", SLA, "sla"),
)

_KIND_WORDS = {
    "stakeholder": "a stakeholder",
    "segment": "a customer segment",
    "outcome": "an outcome",
    "product": "a product",
    "process": "a business process",
    "value_stream": "a value stream",
    "service": "a service",
    "metric": "a metric",
    "sla": "an SLA",
}
_COLLECTION_OF_KIND = {kind: name for name, _cls, kind in COLLECTIONS}
_CLASS_OF_KIND = {kind: cls for _name, cls, kind in COLLECTIONS}


def describe_kind(kind: str) -> str:
    """``'process'`` -> ``'a business process'``."""
    return _KIND_WORDS.get(kind, kind)


# --- the rules, as the field table declares them ------------------------------------------


@functools.cache
def _ruled(cls: type) -> tuple[FieldSpec, ...]:
    """The fields of ``cls`` under a rule of the portfolio, directly or through their items.

    They name entities or groups, or hold a value checked against the entity another
    field names.
    """
    return tuple(
        spec
        for spec in fields_of(cls)
        if spec.ref is not None
        or spec.links is not None
        or spec.quorums is not None
        or spec.when is not None
        or (spec.holds_model and _ruled(spec.item))
    )


@attrs.frozen
class _Chosen:
    """The entities of one kind whose ``field`` equals ``equals``: those a rule applies to."""

    kind: str
    field: str
    equals: object


@functools.cache
def _chosen(cls: type, spec: FieldSpec) -> _Chosen:
    """The entities whose naming makes the rule ``when`` of field ``spec`` of ``cls`` apply."""
    when = spec.when
    assert when is not None
    where = f"{cls.__name__}.{spec.name}"
    via = {f.name: f for f in fields_of(cls)}.get(when.via)
    if via is None or via.ref is None or via.shape is Shape.MANY or len(via.ref.kinds) != 1:
        raise TypeError(f"{where}: {when.via!r} is not one id of one kind of entity")
    (kind,) = via.ref.kinds
    named = _CLASS_OF_KIND[kind]
    decides = {f.name: f for f in fields_of(named)}.get(when.field)
    if decides is None:
        raise TypeError(f"{where}: {named.__name__} has no field {when.field!r}")
    if decides.holds_model or decides.shape is Shape.MANY:
        raise TypeError(f"{where}: {named.__name__}.{when.field} is not one plain value")
    if decides.check.test(when.equals) is not None:
        raise TypeError(f"{where}: {named.__name__}.{when.field} never holds {when.equals!r}")
    return _Chosen(kind, when.field, when.equals)


def _key_ref(spec: FieldSpec) -> Ref:
    """The reference held by the key field of a linked item."""
    assert spec.links is not None
    (key,) = [f for f in fields_of(spec.item) if f.name == spec.links.key]
    assert key.ref is not None, f"{spec.name}: the key must be a reference"
    assert key.shape is Shape.ONE, f"{spec.name}: the key must be one id"
    return key.ref


def _acyclic() -> tuple[str, FieldSpec, Links]:
    """The one relation that must have no cycles: services' dependencies."""
    found = [
        (name, spec, spec.links)
        for name, cls, _kind in COLLECTIONS
        for spec in fields_of(cls)
        if spec.links is not None and spec.links.acyclic
    ]
    assert len(found) == 1, "the dependency order is defined for one relation"
    return found[0]


def _whens_of(cls: type) -> Iterable[tuple[type, FieldSpec]]:
    """Every field of ``cls`` and its items declaring a ``when`` rule, with its class."""
    for spec in _ruled(cls):
        if spec.when is not None:
            yield cls, spec
        if spec.holds_model:
            yield from _whens_of(spec.item)


def _refs_of(cls: type) -> Iterable[tuple[str, Ref]]:
    """Every reference declared in ``cls`` and its items, with the field's name."""
    for spec in _ruled(cls):
        if spec.ref is not None:
            yield spec.name, spec.ref
        if spec.holds_model:
            yield from _refs_of(spec.item)


def _quorum_fields(spec: FieldSpec, holder: type) -> tuple[FieldSpec, FieldSpec, FieldSpec]:
    """The fields a quorum declaration names: the members' group, the key, the least."""
    quorums = spec.quorums
    assert quorums is not None
    where = f"{holder.__name__}.{spec.name}"
    members = {f.name: f for f in fields_of(holder)}.get(quorums.members)
    if members is None or members.shape is not Shape.MANY or not members.holds_model:
        raise TypeError(f"{where}: {quorums.members!r} is not a tuple of items in {holder}")
    found = [
        {f.name: f for f in fields_of(cls)}.get(name)
        for cls, name in (
            (members.item, quorums.by),
            (spec.item, quorums.key),
            (spec.item, quorums.least),
        )
    ]
    by, key, least = found
    if by is None or by.item is not str or by.shape is Shape.MANY:
        raise TypeError(f"{where}: members name their group in one text field, not {by}")
    if key is None or key.item is not str or key.shape is not Shape.ONE:
        raise TypeError(f"{where}: a listed group is named in one text field, not {key}")
    if least is None or least.item is not int or least.shape is not Shape.ONE:
        raise TypeError(f"{where}: a listed group counts its members in an int, not {least}")
    return by, key, least


def _check_declarations() -> None:
    """Refuse, at import, references, quorums and rules that the model cannot honour.

    A reference must name known kinds of entity, and a role only one kind; a quorum
    must name fields that are there, of the types it counts with; a ``when`` rule must
    read the entity one id names, through a plain field that can hold the value it tests.
    """
    for _name, cls, _kind in COLLECTIONS:
        for field, ref in _refs_of(cls):
            if not set(ref.kinds) <= _KIND_WORDS.keys():
                raise TypeError(f"{cls.__name__}.{field}: unknown kind in {ref.kinds}")
            if ref.role is not None and len(ref.kinds) != 1:
                raise TypeError(f"{cls.__name__}.{field}: a role is for one kind of entity")
        for spec in fields_of(cls):
            if spec.quorums is not None:
                _quorum_fields(spec, cls)
        for holder, spec in _whens_of(cls):
            _chosen(holder, spec)


_check_declarations()
_ORDERED, _ORDERED_FIELD, _ORDERED_LINKS = _acyclic()


def integrity_problems(collections: Mapping[str, Sequence[object | None]]) -> list[Problem]:
    """Every integrity problem of the collections, in document order.

    A quick pass (:func:`service_order`) settles the common case of a sound portfolio
    in one sweep with no messages built; only when it finds something does the detailed
    pass run to say what and where.

    Args:
        collections: The portfolio's tuples by collection name; ``None`` entries
            stand for entities that could not be built at all and are skipped, and
            fields a loader could not build may hold ``None``.

    Returns:
        Duplicate ids, unknown or wrong-kind references, repeated list entries,
        a ``provided_by`` that is not a supplier, redundancy groups listed twice, with
        no members or asking for more members than they have, values failing the check
        the entity named next to them calls for (a target that is no fraction on a
        metric measuring availability), and dependency cycles.
    """
    if service_order(collections) is not None:
        return []
    return _detailed_problems(collections)


# --- the quick pass -----------------------------------------------------------------------


class _QuickPass:
    """Generates, per collection, straight-line code checking every declared reference.

    Each id field becomes one set look-up; a list of ids one ``issuperset`` and a length
    comparison, the way one would write it by hand, with no loop or dispatch per field
    at run time. A list of groups is counted against its members only when it is given.
    A value under a ``when`` rule is checked only when its sibling id is in the set of
    entities the rule applies to.
    """

    def __init__(self, cls: type, ordered: bool) -> None:
        self.refs: list[Ref | _Chosen] = []
        self.tests: list[Check] = []
        self.lines: list[str] = []
        self.ordered = ordered
        self._emit(cls, "e", "e", 0, "        ", _ruled(cls))

    def set_for(self, ref: Ref | _Chosen) -> str:
        if ref not in self.refs:
            self.refs.append(ref)
        return f"S{self.refs.index(ref)}"

    def test_for(self, check: Check) -> str:
        if check not in self.tests:
            self.tests.append(check)
        return f"T{self.tests.index(check)}"

    def _emit(
        self, cls: type, var: str, holder: str, depth: int, pad: str, specs: Iterable[FieldSpec]
    ) -> None:
        out = self.lines.append
        v = f"v{depth}"
        for spec in specs:
            out(f"{pad}{v} = {var}.{spec.name}")
            if spec.when is not None:
                chosen = self.set_for(_chosen(cls, spec))
                test = self.test_for(spec.when.check)
                # A value a loader could not build is None: its problem is reported already.
                out(f"{pad}if {var}.{spec.when.via} in {chosen} and {v} is not None:")
                out(f"{pad}    if {test}({v}) is not None:")
                out(f"{pad}        return False")
            elif spec.quorums is not None:
                self._emit_quorums(var, v, depth, pad, spec.quorums)
            elif spec.shape is Shape.MANY and spec.ref is not None:
                ids = self.set_for(spec.ref)
                out(f"{pad}if {v} and (len(set({v})) != len({v}) or not {ids}.issuperset({v})):")
                out(f"{pad}    return False")
            elif spec.shape is Shape.MANY:
                rest = _ruled(spec.item)
                links = spec.links
                if links is not None:
                    keys, unique = f"k{depth}", f"u{depth}"
                    ids = self.set_for(_key_ref(spec))
                    tests = [f"len({unique}) != len({keys})", f"not {ids}.issuperset({unique})"]
                    if links.itself:
                        tests.insert(0, f"{holder}.id in {unique}")
                    out(f"{pad}{keys} = [x.{links.key} for x in {v}] if {v} else []")
                    out(f"{pad}if {keys}:")
                    out(f"{pad}    {unique} = set({keys})")
                    out(f"{pad}    if {' or '.join(tests)}:")
                    out(f"{pad}        return False")
                    if links.acyclic and self.ordered:
                        out(f"{pad}append(({holder}.id, {keys}))")
                    rest = tuple(r for r in rest if r.name != links.key)
                if rest:
                    item = f"x{depth}"
                    out(f"{pad}for {item} in {v} or ():")
                    self._emit(spec.item, item, holder, depth + 1, pad + "    ", rest)
            elif spec.ref is not None:
                ids = self.set_for(spec.ref)
                absent = f"{v} is not None and " if spec.shape is Shape.OPTIONAL else ""
                out(f"{pad}if {absent}{v} not in {ids}:")
                out(f"{pad}    return False")
            else:
                out(f"{pad}if {v} is not None:")
                self._emit(spec.item, v, holder, depth + 1, pad + "    ", _ruled(spec.item))

    def _emit_quorums(self, var: str, v: str, depth: int, pad: str, quorums: Quorums) -> None:
        out = self.lines.append
        counts, names, item, size = f"c{depth}", f"n{depth}", f"x{depth}", f"g{depth}"
        members = f"{var}.{quorums.members}"
        # Members a loader could not build are None: their problems are reported already.
        out(f"{pad}if {v} and {members} is not None:")
        out(f"{pad}    {counts} = {{}}")
        out(f"{pad}    for {item} in {members}:")
        out(f"{pad}        {size} = {item}.{quorums.by}")
        out(f"{pad}        if {size} is not None:")
        out(f"{pad}            {counts}[{size}] = {counts}.get({size}, 0) + 1")
        out(f"{pad}    {names} = [{item}.{quorums.key} for {item} in {v}]")
        out(f"{pad}    if len(set({names})) != len({names}):")
        out(f"{pad}        return False")
        out(f"{pad}    for {item} in {v}:")
        out(f"{pad}        {size} = {counts}.get({item}.{quorums.key})")
        out(f"{pad}        if {size} is None or {item}.{quorums.least} > {size}:")
        out(f"{pad}            return False")

    def compile(self) -> Callable[..., bool]:
        sets = "".join(f", S{i}" for i in range(len(self.refs)))
        source = "\n".join(
            [
                f"def sound(entities, append{sets}):",
                "    for e in entities:",
                *self.lines,
                "    return True",
            ]
        )
        namespace: dict[str, Any] = {f"T{i}": check.test for i, check in enumerate(self.tests)}
        exec(source, namespace)  # code built above from our own field names
        sound: Callable[..., bool] = namespace["sound"]
        return sound


#: Per collection with rules: (name, the generated check, the sets of ids it reads).
_QUICK: tuple[tuple[str, Callable[..., bool], tuple[Ref | _Chosen, ...]], ...] = tuple(
    (name, quick.compile(), tuple(quick.refs))
    for name, cls, _kind in COLLECTIONS
    for quick in [_QuickPass(cls, ordered=name == _ORDERED)]
    if quick.lines
)


def service_order(collections: Mapping[str, Sequence[object | None]]) -> tuple[str, ...] | None:
    """The service ids in dependency order when the collections are sound, else ``None``.

    The same rules as the detailed pass, checked with set look-ups and no messages;
    services come out so that each follows every service it depends on.
    """
    # Entities may be loader stand-ins with None in broken fields: read them untyped.
    items: Mapping[str, Sequence[Any]] = collections
    ids_of: dict[str, set[str]] = {}
    for name, _cls, kind in COLLECTIONS:
        try:
            keys = [entity.id for entity in items.get(name, ())]
        except AttributeError:  # None: an entity that could not be built at all
            return None
        found = set(keys)
        if len(found) != len(keys) or None in found:
            return None
        for other in ids_of.values():
            if not found.isdisjoint(other):
                return None
        ids_of[kind] = found
    pending: list[tuple[str, list[str]]] = []
    for name, sound, refs in _QUICK:
        sets: list[set[str]] = []
        for ref in refs:
            if isinstance(ref, _Chosen):
                members = items.get(_COLLECTION_OF_KIND[ref.kind], ())
                sets.append({m.id for m in members if getattr(m, ref.field) == ref.equals})
            elif ref.role is not None:
                (kind,) = ref.kinds
                members = items.get(_COLLECTION_OF_KIND[kind], ())
                sets.append({m.id for m in members if m.kind == ref.role})
            elif len(ref.kinds) == 1:
                sets.append(ids_of[ref.kinds[0]])
            else:
                sets.append(set().union(*(ids_of[kind] for kind in ref.kinds)))
        if not sound(items.get(name, ()), pending.append, *sets):
            return None
    order = _dependency_order(pending)
    return None if order is None else tuple(order)


def _dependency_order(pending: list[tuple[str, list[str]]]) -> list[str] | None:
    """Keys ordered so each follows its targets; ``None`` when they form a cycle.

    A few sweeps place, in C-speed set checks, every service whose dependencies are
    already placed — a layered portfolio is ordered in as many sweeps as it has layers.
    Whatever is left after them is ordered by Kahn's algorithm.
    """
    placed: set[str] = set()
    order: list[str] = []
    for _sweep in range(_SWEEPS):
        if not pending:
            return order
        left = []
        for key, targets in pending:
            if placed.issuperset(targets):
                placed.add(key)
                order.append(key)
            else:
                left.append((key, targets))
        if len(left) == len(pending):
            break
        pending = left
    waiting: dict[str, list[str]] = {}
    remaining: dict[str, int] = {}
    ready: list[str] = []
    for key, targets in pending:
        open_targets = [t for t in targets if t not in placed]
        remaining[key] = len(open_targets)
        if not open_targets:
            ready.append(key)
        for target in open_targets:
            waiting.setdefault(target, []).append(key)
    ready.reverse()
    while ready:
        key = ready.pop()
        order.append(key)
        for dependent in waiting.get(key, ()):
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                ready.append(dependent)
    if len(order) != len(placed) + len(remaining):  # a cycle keeps some keys waiting
        return None
    return order


#: How many cheap sweeps :func:`_dependency_order` makes before Kahn's algorithm.
_SWEEPS = 12


# --- the detailed pass --------------------------------------------------------------------


class _Checker:
    def __init__(
        self,
        index: Mapping[str, str],
        problems: list[Problem],
        collections: Mapping[str, Sequence[Any]],
    ) -> None:
        self.index = index
        self.problems = problems
        self.collections = collections
        self._by_kind: dict[str, list[str]] = {}
        for key, kind in index.items():
            self._by_kind.setdefault(kind, []).append(key)
        self._members: dict[str, dict[str, Any]] = {}

    def wanted(self, kinds: tuple[str, ...]) -> str:
        return " or ".join(describe_kind(k) for k in kinds)

    def ref(self, path: str, value: str, ref: Ref) -> None:
        if not isinstance(value, str):  # missing from a broken entity; reported already
            return
        kinds = ref.kinds
        found = self.index.get(value)
        if found is None:
            candidates = [i for k in kinds for i in self._by_kind.get(k, ())]
            match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
            self.problems.append(
                Problem(
                    path=path,
                    message=f"{value!r} names no entity; expected {self.wanted(kinds)}",
                    hint=f"did you mean {match[0]!r}?" if match else "",
                )
            )
        elif found not in kinds:
            self.problems.append(
                Problem(
                    path=path,
                    message=f"{value!r} is {describe_kind(found)}; expected {self.wanted(kinds)}",
                )
            )
        elif ref.role is not None:
            self.role(path, value, found, ref.role)

    def entity(self, kind: str, key: str) -> Any:
        """The entity of ``kind`` with id ``key``, or ``None``."""
        members = self._members.get(kind)
        if members is None:
            members = self._members[kind] = {
                m.id: m
                for m in self.collections.get(_COLLECTION_OF_KIND[kind], ())
                if m is not None
            }
        return members.get(key)

    def role(self, path: str, value: str, kind: str, role: str) -> None:
        has = getattr(self.entity(kind, value), "kind", None)
        if has is not None and has != role:
            field = path.rsplit(".", 1)[-1]
            self.problems.append(
                Problem(
                    path=path,
                    message=(
                        f"{value!r} is {describe_kind(kind)} of kind {str(has.value)!r}; "
                        f"{field} must name a {role}"
                    ),
                    hint=f"give the {kind} kind: {role}, or drop {field}",
                )
            )

    def refs(self, path: str, values: Sequence[str], ref: Ref) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.problems.append(
                    Problem(path=f"{path}[{i}]", message=f"{value!r} is listed twice")
                )
                continue
            seen.add(value)
            self.ref(f"{path}[{i}]", value, ref)

    def fields(self, at: str, entity: Any, cls: type, holder: Any) -> None:
        """Check the references of ``entity`` (of class ``cls``, inside ``holder``)."""
        for spec in _ruled(cls):
            value = getattr(entity, spec.name)
            if value is None:  # optional and absent, or broken in a loader's stand-in
                continue
            path = f"{at}.{spec.name}"
            if spec.when is not None:
                self.when(path, value, spec.when, _chosen(cls, spec), entity)
            elif spec.quorums is not None:
                self.quorums(path, value, spec.quorums, entity, holder)
            elif spec.shape is not Shape.MANY:
                if spec.ref is not None:
                    self.ref(path, value, spec.ref)
                else:
                    self.fields(path, value, spec.item, holder)
            elif spec.ref is not None:
                self.refs(path, value, spec.ref)
            else:
                self.items(path, value, spec, holder)

    def when(self, path: str, value: Any, when: When, chosen: _Chosen, entity: Any) -> None:
        """Check ``value`` when the entity its sibling names is one the rule applies to."""
        named = self.entity(chosen.kind, getattr(entity, when.via))
        if named is None or getattr(named, chosen.field) != chosen.equals:
            return
        bad = when.check.test(value)
        if bad is not None:
            self.problems.append(
                Problem(path=path + when.check.suffix, message=bad[0], hint=bad[1])
            )

    def quorums(
        self, path: str, groups: Sequence[Any], quorums: Quorums, entity: Any, holder: Any
    ) -> None:
        members = getattr(entity, quorums.members)
        if members is None:  # broken in a loader's stand-in; reported already
            return
        sizes: dict[str, int] = {}
        for member in members:
            group = getattr(member, quorums.by)
            if group is not None:
                sizes[group] = sizes.get(group, 0) + 1
        seen: set[str] = set()
        for j, listed in enumerate(groups):
            name = getattr(listed, quorums.key)
            where = f"{path}[{j}].{quorums.key}"
            if name in seen:
                self.problems.append(Problem(path=where, message=f"group {name!r} is listed twice"))
                continue
            seen.add(name)
            size = sizes.get(name)
            if size is None:
                if sizes:
                    match = difflib.get_close_matches(name, list(sizes), n=1, cutoff=0.6)
                    used = ", ".join(repr(g) for g in sizes)
                    hint = f"did you mean {match[0]!r}? " if match else ""
                    hint += f"groups its {quorums.nouns} use: {used}"
                else:
                    hint = f"none of its {quorums.nouns} names a group"
                self.problems.append(
                    Problem(
                        path=where,
                        message=(
                            f"group {name!r} is listed but no {quorums.noun} of "
                            f"{holder.id!r} uses it"
                        ),
                        hint=hint,
                    )
                )
                continue
            least = getattr(listed, quorums.least)
            if least > size:
                self.problems.append(
                    Problem(
                        path=f"{path}[{j}].{quorums.least}",
                        message=(
                            f"{quorums.least} {least} but group {name!r} has {size} "
                            f"member{'s' if size != 1 else ''}"
                        ),
                        hint=f"give group {name!r} more {quorums.nouns}, or lower {quorums.least}",
                    )
                )

    def items(self, path: str, values: Sequence[Any], spec: FieldSpec, holder: Any) -> None:
        links = spec.links
        seen: set[str] = set()
        for j, item in enumerate(values):
            at = f"{path}[{j}]"
            if links is not None:
                target = getattr(item, links.key)
                where = f"{at}.{links.key}"
                if links.itself and target == holder.id:
                    self.problems.append(Problem(path=where, message=f"{target!r} {links.itself}"))
                    continue
                if target in seen:
                    self.problems.append(Problem(path=where, message=f"{target!r} {links.twice}"))
                    continue
                seen.add(target)
            self.fields(at, item, spec.item, holder)


def _detailed_problems(collections: Mapping[str, Sequence[object | None]]) -> list[Problem]:
    """Every integrity problem of the collections, in document order.

    Args:
        collections: The portfolio's tuples by collection name; ``None`` entries
            stand for entities that could not be built at all and are skipped, and
            fields a loader could not build may hold ``None``.

    Returns:
        Duplicate ids, unknown or wrong-kind references, repeated list entries,
        a ``provided_by`` that is not a supplier, redundancy groups listed twice, with
        no members or asking for more members than they have, values failing the check
        the entity named next to them calls for (a target that is no fraction on a
        metric measuring availability), and dependency cycles.
    """
    items: Mapping[str, Sequence[Any]] = collections
    problems: list[Problem] = []
    index: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    for name, _cls, kind in COLLECTIONS:
        for i, entity in enumerate(items.get(name, ())):
            if entity is None:
                continue
            key = entity.id
            if not isinstance(key, str):
                continue
            path = f"{name}[{i}].id"
            if key in first_seen:
                problems.append(
                    Problem(
                        path=path,
                        message=f"duplicate id {key!r}, first used at {first_seen[key]}",
                        hint="ids are unique across the whole portfolio",
                    )
                )
                continue
            first_seen[key] = path
            index[key] = kind

    check = _Checker(index, problems, items)
    for name, cls, _kind in COLLECTIONS:
        for i, entity in enumerate(items.get(name, ())):
            if entity is not None:
                check.fields(f"{name}[{i}]", entity, cls, entity)
    problems.extend(_cycles(items.get(_ORDERED, ())))
    return problems


def _cycles(entities: Iterable[Any]) -> list[Problem]:
    """One problem per dependency cycle, found by an iterative depth-first search."""
    field, key = _ORDERED_FIELD.name, _ORDERED_LINKS.key
    position: dict[str, int] = {}
    deps: dict[str, list[str]] = {}
    for i, entity in enumerate(entities):
        if entity is not None and isinstance(entity.id, str) and entity.id not in position:
            position[entity.id] = i
            links = getattr(entity, field) or ()
            deps[entity.id] = [t for t in (getattr(d, key) for d in links) if t != entity.id]
    for node, targets in deps.items():
        deps[node] = [t for t in targets if isinstance(t, str) and t in deps]

    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for root in deps:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_path: list[str] = [root]
        state[root] = 1
        while stack:
            node, k = stack[-1]
            targets = deps[node]
            if k == len(targets):
                stack.pop()
                on_path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, k + 1)
            nxt = targets[k]
            seen = state.get(nxt)
            if seen is None:
                state[nxt] = 1
                stack.append((nxt, 0))
                on_path.append(nxt)
            elif seen == 1:
                cycle = on_path[on_path.index(nxt) :]
                members = frozenset(cycle)
                if members in reported:
                    continue
                reported.add(members)
                start = min(range(len(cycle)), key=lambda n: position[cycle[n]])
                cycle = cycle[start:] + cycle[:start]
                # Edges in the document point from a service to what it depends on.
                shown = " → ".join([*cycle, cycle[0]])
                problems.append(
                    Problem(
                        path=f"{_ORDERED}[{position[cycle[0]]}].{field}",
                        message=f"dependency cycle: {shown}",
                        hint="a service cannot depend, even indirectly, on itself",
                    )
                )
    return problems
