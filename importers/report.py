"""What an import did: counts per kind and every problem with the item it concerns."""

from dataclasses import asdict, dataclass, field

OUTCOMES = ("imported", "updated", "unchanged", "skipped")
KIND_LABELS = {
    "author": "authors",
    "category": "categories",
    "tag": "tags",
    "attachment": "attachments (images and documents)",
    "page": "pages",
    "post": "posts",
    "reference": "references (documents posts link to)",
    "comment": "comments",
    "ping": "pingbacks and trackbacks",
    "redirect": "redirects from old addresses",
    "other": "other items (menus, revisions, custom types)",
}


@dataclass
class Problem:
    item: str
    message: str
    level: str = "warning"  # "error" (something was not imported) or "warning"


@dataclass
class Report:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    site: str = ""
    version: str = ""
    seconds: float = 0.0

    def count(self, kind: str, outcome: str, n: int = 1):
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        row = self.counts.setdefault(kind, dict.fromkeys(OUTCOMES, 0))
        row[outcome] += n

    def problem(self, item: str, message: str, level: str = "warning"):
        self.problems.append(Problem(item=item, message=message, level=level))

    def note(self, message: str):
        if message not in self.notes:
            self.notes.append(message)

    def rows(self):
        """(kind, label, counts) in a stable, readable order."""
        order = list(KIND_LABELS)
        kinds = sorted(self.counts, key=lambda k: order.index(k) if k in order else len(order))
        return [(kind, KIND_LABELS.get(kind, kind), self.counts[kind]) for kind in kinds]

    @property
    def errors(self):
        return [p for p in self.problems if p.level == "error"]

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data or {})
        problems = [Problem(**p) for p in data.pop("problems", [])]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(problems=problems, **known)

    def as_text(self) -> str:
        lines = []
        title = "Trial run: nothing was changed." if self.dry_run else "Import finished."
        lines.append(f"{title} ({self.seconds:.1f} s, WXR {self.version}, {self.site})")
        width = max((len(label) for _, label, _ in self.rows()), default=10)
        lines.append(f"  {'':<{width}}  " + "  ".join(f"{outcome:>9}" for outcome in OUTCOMES))
        for _, label, counts in self.rows():
            lines.append(f"  {label:<{width}}  " + "  ".join(f"{counts[o]:>9}" for o in OUTCOMES))
        for note in self.notes:
            lines.append(f"Note: {note}")
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s):")
            for problem in self.problems:
                lines.append(f"  [{problem.level}] {problem.item}: {problem.message}")
        else:
            lines.append("No problems.")
        return "\n".join(lines)
