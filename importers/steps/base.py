class Step:
    """One part of an import. Runs inside the import's transaction.

    A step that handles items names their WordPress post types in
    ``post_types``: ``run()`` then streams the file and calls ``handle()`` for
    each. Steps that work from the header, the index or the database override
    ``run()`` and ``total()``. Steps count what they do in ``ctx.report`` and
    record what they make with ``ctx.record()``."""

    label = ""
    post_types: tuple[str, ...] = ()

    def total(self, ctx) -> int:
        """How many units of progress this step reports."""
        return ctx.index.count(*self.post_types)

    def run(self, ctx):
        for item in ctx.items(self.post_types):
            self.handle(item, ctx)
            ctx.progress.advance()

    def handle(self, item, ctx):
        raise NotImplementedError
