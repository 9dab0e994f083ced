"""Home page and the organisation switcher."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from core import accounts
from core.models import ROLE_ABILITIES
from web import db
from web.nav import org_home

bp = Blueprint("orgs", __name__)


@bp.route("/")
@login_required
def home() -> str | Response:
    mine = accounts.memberships(db.session(), user_id=current_user.user_id)
    usable = [(o, r) for o, r in mine if ROLE_ABILITIES[r]]
    if mine and not usable:  # only viewer roles: all they may see is what was shared with them
        return redirect(url_for("shares.shared_with_me"))
    if len(mine) == 1:
        return redirect(org_home(*mine[0]))
    return render_template("home.html", memberships=[(o, r, org_home(o, r)) for o, r in mine])
