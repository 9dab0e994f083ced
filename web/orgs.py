"""Home page and the organisation switcher."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from core import accounts
from core.models import ROLE_ABILITIES
from web import db

bp = Blueprint("orgs", __name__)


@bp.route("/")
@login_required
def home() -> str | Response:
    mine = accounts.memberships(db.session(), user_id=current_user.user_id)
    readable = [(o, r) for o, r in mine if "bank.read" in ROLE_ABILITIES[r]]
    if len(mine) == 1 and readable:
        return redirect(url_for("bank.index", slug=readable[0][0].slug))
    return render_template("home.html", memberships=mine, abilities=ROLE_ABILITIES)
