"""The import's steps, run in this order inside one transaction.

Phase 2 (after the comments and references apps are merged) adds two steps
here: a comments step after PostsStep, replacing CommentsCensusStep, and a
step that turns ImportedDocuments linked from posts into reference
attachments. See the README's "Importing from WordPress"."""

from importers.steps.authors import AuthorsStep
from importers.steps.base import Step
from importers.steps.comments import CommentsCensusStep, OtherItemsStep
from importers.steps.content import PagesStep, PostsStep
from importers.steps.media import MediaStep
from importers.steps.terms import TermsStep

STEPS = [
    AuthorsStep,
    TermsStep,
    MediaStep,
    PagesStep,
    PostsStep,
    CommentsCensusStep,
    OtherItemsStep,
]

__all__ = ["STEPS", "Step"]
