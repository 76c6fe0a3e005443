"""`make bench`: timings and query counts on PostgreSQL, printed as a table.

Runs every bench/bench_*.py module's ``run(bench)`` against a dedicated
database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ldnsite_bench),
freshly migrated and loaded with the demo site. Pass module names to run a few:
    make bench BENCH_ARGS="pages"
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ldnsite.settings.test")


def main(selected):
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from bench.harness import Bench, ensure_database

    ensure_database()
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    bench = Bench()
    modules = sorted(
        name.removeprefix("bench_")
        for _, name, _ in pkgutil.iter_modules([str(ROOT / "bench")])
        if name.startswith("bench_")
    )
    for name in modules:
        if selected and name not in selected:
            continue
        print(f"\n== {name}")
        importlib.import_module(f"bench.bench_{name}").run(bench)
    print()


if __name__ == "__main__":
    main(set(sys.argv[1:]))
