"""Database helpers shared by apps' migrations."""

from django.db import migrations


class AddIndexIfPostgres(migrations.AddIndex):
    """AddIndex that only touches PostgreSQL (GIN and friends), so the embedded
    SQLite default migrates cleanly. The migration state is the same on both."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
