"""The import's steps, run in this order inside one transaction."""

from importers.steps.authors import AuthorsStep
from importers.steps.base import Step
from importers.steps.comments import CommentsStep, OtherItemsStep
from importers.steps.content import PagesStep, PostsStep
from importers.steps.media import MediaStep
from importers.steps.references import DocumentsToReferencesStep
from importers.steps.terms import TermsStep

STEPS = [
    AuthorsStep,
    TermsStep,
    MediaStep,
    PagesStep,
    PostsStep,
    DocumentsToReferencesStep,
    CommentsStep,
    OtherItemsStep,
]

__all__ = ["STEPS", "Step"]
