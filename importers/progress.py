"""Progress of an import: a bar on the command line, a row the admin reads.

The import itself runs in one database transaction, which other connections
cannot see into until it commits. ``RunProgress`` therefore writes the
ImportRun's progress through a second connection of its own (PostgreSQL), so
the admin page can show it while the import runs. Writes are throttled.
"""

import time

from django.db import DatabaseError, connection, connections
from django.utils import timezone


class Progress:
    """Does nothing; the interface every progress reporter has."""

    def start(self, total: int):
        pass

    def phase(self, label: str):
        pass

    def advance(self, n: int = 1):
        pass

    def close(self):
        pass


class MultiProgress(Progress):
    def __init__(self, *reporters):
        self.reporters = [r for r in reporters if r is not None]

    def start(self, total):
        for r in self.reporters:
            r.start(total)

    def phase(self, label):
        for r in self.reporters:
            r.phase(label)

    def advance(self, n=1):
        for r in self.reporters:
            r.advance(n)

    def close(self):
        for r in self.reporters:
            r.close()


class BarProgress(Progress):
    """tqdm on the given stream: items done / total, rate and time left."""

    def __init__(self, stream):
        self.stream = stream
        self.bar = None

    def start(self, total):
        from tqdm import tqdm

        self.bar = tqdm(
            total=total,
            file=self.stream,
            unit=" items",
            dynamic_ncols=True,
            mininterval=0.2,
            bar_format="{desc:<12} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
            "[{elapsed}, ETA {remaining}, {rate_fmt}]",
        )

    def phase(self, label):
        if self.bar is not None:
            self.bar.set_description_str(label)

    def advance(self, n=1):
        if self.bar is not None:
            self.bar.update(n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class RunProgress(Progress):
    """Keeps an ImportRun's phase and done/total up to date for the admin."""

    def __init__(self, run, *, interval: float = 1.0):
        self.run = run
        self.interval = interval
        self.done = 0
        self.total = 0
        self.label = ""
        self.last_write = 0.0
        self._side = None

    def start(self, total):
        self.total = total
        self.write(force=True)

    def phase(self, label):
        self.label = label
        self.write(force=True)

    def advance(self, n=1):
        self.done += n
        self.write()

    def close(self):
        self.write(force=True)
        if self._side is not None:
            self._side.close()
            self._side = None

    def write(self, force=False):
        now = time.monotonic()
        if not force and now - self.last_write < self.interval:
            return
        self.last_write = now
        values = [self.label[:100], self.done, self.total, self.run.pk]
        sql = (  # the table name is ours; the values are parameters
            f"UPDATE {self.run._meta.db_table} "  # noqa: S608
            "SET phase = %s, progress_done = %s, progress_total = %s WHERE id = %s"
        )
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(sql, values)
            return
        if connection.vendor != "postgresql":
            return  # SQLite has one writer at a time: the report comes at the end
        try:
            if self._side is None:
                self._side = connections.create_connection("default")
            with self._side.cursor() as cursor:
                cursor.execute(sql, values)
        except DatabaseError:  # progress is a courtesy: never stop the import for it
            pass


def mark(run, **fields):
    """Save some of a run's fields now (outside any import transaction)."""
    for name, value in fields.items():
        setattr(run, name, value)
    if fields.get("status") in ("done", "failed"):
        run.finished_at = timezone.now()
        fields["finished_at"] = run.finished_at
    run.save(update_fields=list(fields))
