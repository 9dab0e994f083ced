"""Members of an organisation (admins only): list them, change a role, take a role away.

Every change ends the member's other sessions (``core.accounts`` bumps their session epoch), so a role
taken away stops working on the next request of every browser they use.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from core import accounts
from core.errors import NotFound
from core.models import Role, User
from web import db
from web.auth import org_required

bp = Blueprint("members", __name__, url_prefix="/o/<slug>/members")
REMOVE = "remove"


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value) for r in Role] + [SelectChoice(REMOVE, "remove from organisation")],
    )


@bp.route("/")
@org_required("org.admin")
def index() -> str:
    team = [(u, r) for u, r in _members() if u.is_active]
    return render_template("members.html", team=team, form=RoleForm())


def _members() -> list[tuple[User, Role]]:
    return accounts.members(db.session(), org_id=g.org.id)


@bp.route("/<id:user_id>", methods=["POST"])
@org_required("org.admin")
def change(user_id: int) -> Response:
    """Set or remove a member's role; the choice comes from a fixed list, the actor from the session."""
    if accounts.role_in(db.session(), user_id=user_id, org_id=g.org.id) is None:
        raise NotFound(f"user {user_id} is not a member of {g.org.slug}", fix="reload the page")
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Pick a role from the list.", "error")
        return redirect(url_for("members.index", slug=g.org.slug))
    with db.writing() as s:
        user = s.get(User, user_id)
        assert user is not None
        if form.role.data == REMOVE:
            accounts.remove_member(s, user=user, org=g.org, actor=current_user.email)
            message = f"{user.email} removed from {g.org.name}."
        else:
            accounts.set_role(s, user=user, org=g.org, role=Role(form.role.data), actor=current_user.email)
            message = f"{user.email} is now {form.role.data}."
    flash(message, "info")
    return redirect(url_for("members.index", slug=g.org.slug))
