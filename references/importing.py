"""Import references from a file: all of it or nothing, never doubling one.

A record is the same work as a reference already in the bibliography (or
earlier in the file) when its DOI, PMID or PMCID matches, or, lacking
those, when its citation key and title match. Duplicates are merged (empty
fields filled in, the author's own values kept) or only reported."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from posts.models import Category
from references.formats import DATE_FIELDS, TEXT_FIELDS, FileFormatError, Record, read_file
from references.models import KEY_RE, Creator, Reference

MERGE, REPORT = "merge", "report"


@dataclass
class ImportReport:
    created: list = field(default_factory=list)  # references
    merged: list = field(default_factory=list)  # (reference, match, [fields filled])
    unchanged: list = field(default_factory=list)  # (reference, match)
    reported: list = field(default_factory=list)  # (record.where, reference, match)

    def summary(self) -> str:
        parts = [
            _("%d new") % len(self.created),
            _("%d merged into existing references") % len(self.merged),
            _("%d already in the bibliography, unchanged") % len(self.unchanged),
        ]
        if self.reported:
            parts.append(_("%d duplicates reported and skipped") % len(self.reported))
        return ", ".join(parts) + "."

    def lines(self):
        for reference, match, filled in self.merged:
            yield _("Merged into %(key)s (same %(match)s): filled %(fields)s.") % {
                "key": reference.key,
                "match": match,
                "fields": ", ".join(filled),
            }
        for where, reference, match in self.reported:
            yield _("%(where)s is already in the bibliography as %(key)s (same %(match)s).") % {
                "where": where,
                "key": reference.key,
                "match": match,
            }


class _Index:
    """References by identifier, kept up to date as the import creates them."""

    def __init__(self):
        self.by = {"doi": {}, "pmid": {}, "pmcid": {}, "key": {}}
        for ref in Reference.objects.all():
            self.add(ref)

    def add(self, ref):
        for name in ("doi", "pmid", "pmcid", "key"):
            value = getattr(ref, name)
            if value:
                self.by[name][value.lower() if name != "key" else value] = ref

    def match(self, record: Record):
        f = record.fields
        for name, label in (("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "PMCID")):
            value = f.get(name, "")
            if value and value.lower() in self.by[name]:
                return self.by[name][value.lower()], label
        ref = self.by["key"].get(f.get("key", ""))
        same_title = ref and ref.title.casefold().strip(". ") == f["title"].casefold().strip(". ")
        conflicting = ref and any(
            f.get(name) and getattr(ref, name) and getattr(ref, name) != f[name]
            for name in ("doi", "pmid", "pmcid")
        )
        if same_title and not conflicting:
            return ref, _("citation key and title")
        return None, ""


def _validate(record: Record, errors: list) -> Reference | None:
    values = {name: record.fields.get(name, "") or "" for name in TEXT_FIELDS}
    values.update({name: record.fields.get(name) for name in DATE_FIELDS})
    values["retracted"] = bool(record.fields.get("retracted"))
    candidate = Reference(**values)
    try:
        candidate.full_clean(exclude=["key"], validate_unique=False, validate_constraints=False)
        for data in record.creators:
            Creator(**data).clean()
    except ValidationError as exc:
        messages = (
            [f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        errors.append(f"{record.where}: {'; '.join(messages)}")
        return None
    return candidate


def _save_relations(reference, record, categories):
    for position, data in enumerate(record.creators):
        Creator.objects.create(reference=reference, position=position, **data)
    if record.tags:
        reference.tags.add(*record.tags)
    found = [categories[slug] for slug in record.conditions if slug in categories]
    if found:
        reference.conditions.add(*found)


def _merge(reference, candidate, record, categories) -> list[str]:
    filled = []
    for name in [*TEXT_FIELDS, *DATE_FIELDS]:
        if name == "key":
            continue
        new = getattr(candidate, name)
        if new not in ("", None) and getattr(reference, name) in ("", None):
            setattr(reference, name, new)
            filled.append(str(Reference._meta.get_field(name).verbose_name))
    if candidate.retracted and not reference.retracted:
        reference.retracted = True
        filled.append(_("retracted"))
    if filled:
        # What is filled in may belong to another reference (a PMID matched
        # by DOI here, given to another reference there): say so, do not save.
        # (The key is left as it is, so it is not checked again.)
        reference.full_clean(exclude=["key"], validate_unique=True, validate_constraints=True)
        reference.save()
    if record.creators and not reference.creators.exists():
        _save_relations(reference, Record(where="", creators=record.creators), categories)
        filled.append(_("authors"))
    known_tags = {t.name.casefold() for t in reference.tags.all()}
    new_tags = [t for t in record.tags if t.casefold() not in known_tags]
    if new_tags:
        reference.tags.add(*new_tags)
        filled.append(_("tags"))
    known_conditions = set(reference.conditions.values_list("slug", flat=True))
    new_conditions = [categories[s] for s in record.conditions if s in categories]
    new_conditions = [c for c in new_conditions if c.slug not in known_conditions]
    if new_conditions:
        reference.conditions.add(*new_conditions)
        filled.append(_("conditions"))
    return filled


def import_records(records, *, on_duplicate: str = MERGE, dry_run: bool = False) -> ImportReport:
    """Save the records in one transaction. Raises FileFormatError (and saves
    nothing) when any record is invalid."""
    errors, candidates = [], []
    for record in records:
        candidates.append(_validate(record, errors))
    if errors:
        raise FileFormatError(errors)
    report = ImportReport()
    categories = {c.slug: c for c in Category.objects.all()}
    with transaction.atomic():
        index = _Index()
        for record, candidate in zip(records, candidates, strict=True):
            try:
                _import_one(record, candidate, index, report, categories, on_duplicate)
            except ValidationError as exc:
                raise FileFormatError([f"{record.where}: {'; '.join(exc.messages)}"]) from exc
            except IntegrityError as exc:  # a constraint no check above foresaw
                raise FileFormatError(
                    [_("%(where)s: it conflicts with a reference already stored (%(error)s).")
                     % {"where": record.where, "error": str(exc).splitlines()[0]}]
                ) from exc  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import_one(record, candidate, index, report, categories, on_duplicate):
    """Merge one record into its match, or store it as a new reference."""
    existing, match = index.match(record)
    if existing is not None:
        if on_duplicate == REPORT:
            report.reported.append((record.where, existing, match))
            return
        filled = _merge(existing, candidate, record, categories)
        if filled:
            report.merged.append((existing, match, filled))
        else:
            report.unchanged.append((existing, match))
        index.add(existing)
        return
    key = record.fields.get("key", "")
    first = next((c for c in record.creators if c["role"] == "author"), None)
    if not KEY_RE.match(key) or key in index.by["key"]:
        candidate.key = ""
        candidate.key = candidate.suggest_key(
            (first["family"] or first["literal"]) if first else ""
        )
    else:
        candidate.key = key
    candidate.full_clean(validate_unique=True, validate_constraints=True)
    candidate.save()
    _save_relations(candidate, record, categories)
    index.add(candidate)
    report.created.append(candidate)


def import_file(data: bytes, name: str, *, format=None, on_duplicate=MERGE, dry_run=False):
    return import_records(read_file(data, name, format), on_duplicate=on_duplicate, dry_run=dry_run)
