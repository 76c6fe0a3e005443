from importers.steps.base import Step


class CommentsCensusStep(Step):
    """Phase 1 placeholder for comments: counts and reports them.

    The scan has already read every comment (``ctx.index.comments`` by state,
    ``ctx.index.pings``). Phase 2 replaces this step with one that imports
    them (see the README's "Importing from WordPress")."""

    label = "Comments"

    def total(self, ctx):
        return 0

    def run(self, ctx):
        comments = ctx.index.comments
        total = sum(comments.values())
        if total:
            ctx.report.count("comment", "skipped", total)
            states = ", ".join(f"{n} {state}" for state, n in sorted(comments.items()))
            depth = ctx.index.deepest_reply
            threads = f"; replies nested up to {depth} deep" if depth else ""
            ctx.report.note(
                f"{total} comments were read ({states}{threads}) but not imported: comments "
                "are imported once the comments app is installed."
            )
        if ctx.index.orphan_replies:
            ctx.report.problem(
                "comments",
                f"{ctx.index.orphan_replies} replies answer comments that are not in the "
                "export; they will be shown as top-level comments",
            )
        if ctx.index.pings:
            ctx.report.count("ping", "skipped", ctx.index.pings)
            if ctx.options.skip_pings:
                ctx.report.note(f"{ctx.index.pings} pingbacks/trackbacks skipped (--skip-pings).")


class OtherItemsStep(Step):
    """Counts what WordPress exports but a blog here has no place for."""

    label = "Other"
    handled = {"post", "page", "attachment"}

    def total(self, ctx):
        return 0

    def run(self, ctx):
        for post_type, n in sorted(ctx.index.types.items()):
            if post_type in self.handled:
                continue
            ctx.report.count("other", "skipped", n)
            if post_type not in ("nav_menu_item", "revision", "customize_changeset"):
                ctx.report.problem(
                    f"{n} item(s) of type “{post_type}”",
                    "this kind of WordPress content has no equivalent here; not imported",
                )
        if ctx.index.menu_page_ids:
            ctx.report.note("Pages in WordPress's menu are shown in the site's top menu.")
