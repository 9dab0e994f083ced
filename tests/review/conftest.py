"""The ``imported`` questionnaire (organisation acme, a small bank, four questions) for every review test."""

from tests.review.test_questionnaire_cli import imported  # noqa: F401
