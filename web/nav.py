"""The top bar: the user's organisations, and the current organisation's screens their role may use.

A link is shown only when the role holds the ability its page checks, so nobody is offered a page that
answers 403. A role that may use no screen of an organisation (a ``viewer``) is sent to the packs
shared with the user instead.
"""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from flask_login import current_user

from core import accounts
from core.models import ROLE_ABILITIES, Organisation, Role
from web import db

#: The organisation's screens: (label, endpoint, the ability its view requires).
SECTIONS = (
    ("Answer bank", "bank.index", "bank.read"),
    ("Questionnaires", "review.index", "review.read"),
    ("Evidence", "evidence.index", "evidence.read"),
    ("Readiness", "evidence.readiness_page", "evidence.read"),
    ("Packs", "packs.index", "evidence.read"),
)


def org_home(org: Organisation, role: Role) -> str:
    """The first screen of ``org`` that ``role`` may use; the packs shared with the user otherwise."""
    held = ROLE_ABILITIES[role]
    endpoint = next((e for _label, e, ability in SECTIONS if ability in held), None)
    return url_for(endpoint, slug=org.slug) if endpoint else url_for("shares.shared_with_me")


def memberships() -> list[tuple[Organisation, Role, str]]:
    """Each organisation of the logged-in user, their role there and where its link goes."""
    if not current_user.is_authenticated:
        return []
    mine = accounts.memberships(db.session(), user_id=current_user.user_id)
    return [(org, role, org_home(org, role)) for org, role in mine]


def sections() -> list[tuple[str, str, bool]]:
    """The current organisation's screens this role may use: (label, url, is it the current one)."""
    role: Role | None = g.get("role")
    if role is None or g.get("org") is None:
        return []
    return [
        (label, url_for(endpoint, slug=g.org.slug), _is_current(endpoint))
        for label, endpoint, ability in SECTIONS
        if ability in ROLE_ABILITIES[role]
    ]


def _is_current(endpoint: str) -> bool:
    here = request.endpoint or ""
    if here.startswith("evidence.readiness"):
        return endpoint == "evidence.readiness_page"
    return endpoint != "evidence.readiness_page" and here.split(".")[0] == endpoint.split(".")[0]


def template_globals() -> dict[str, Any]:
    return {"nav_memberships": memberships, "nav_sections": sections}
