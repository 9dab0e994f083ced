"""Organisations, users and their roles: store functions (session first, keyword-only)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from core import audit
from core.errors import NotFound, ValidationError
from core.models import ROLE_ABILITIES, LoginFailure, Membership, Organisation, Role, User, utcnow

_hasher = PasswordHasher()
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
#: How many of the most common leaked passwords are refused (ASVS 2.1.7), from zxcvbn's ranked list.
COMMON_PASSWORDS = 3000
#: Verified against when the e-mail is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("trustdesk-dummy-password")


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash new passwords with ``hasher``, and remake the dummy hash with it so an unknown user still
    costs what a known one does. The test suite uses argon2's cheapest profile (a hash there takes
    microseconds, not 0.3 s); everything else keeps argon2-cffi's defaults. Verifying reads the
    parameters from each stored hash, so hashes made either way keep working."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("trustdesk-dummy-password")


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def check_password_policy(password: str) -> None:
    """At least 12 characters (Unicode counts as typed), at most 1024, and not a common password.

    No composition rules and nothing against pasting: long passphrases from a password manager are the
    point (ASVS 2.1)."""
    length = len(unicodedata.normalize("NFC", password))
    if length < MIN_PASSWORD:
        raise ValidationError(
            f"the password has {length} characters", fix=f"use at least {MIN_PASSWORD} characters"
        )
    if length > MAX_PASSWORD:
        raise ValidationError(
            f"the password has {length} characters", fix=f"use at most {MAX_PASSWORD} characters"
        )
    if password.strip().lower() in _common_passwords():
        raise ValidationError(
            "the password is one of the most common leaked passwords",
            fix="choose a passphrase of several unrelated words",
        )


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS])


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_org(session: Session, *, slug: str, name: str, actor: str = "cli") -> Organisation:
    if not SLUG_RE.match(slug):
        raise ValidationError(
            f"organisation slug {slug!r} is invalid",
            fix="use 2-63 lower-case letters, digits and hyphens, starting with a letter or digit",
        )
    if get_org(session, slug=slug, missing_ok=True):
        raise ValidationError(f"organisation {slug!r} already exists", fix="choose another slug")
    org = Organisation(slug=slug, name=name.strip() or slug)
    session.add(org)
    session.flush()
    audit.record(
        session, actor=actor, action="org.create", target_type="organisation", target_id=slug, org_id=org.id
    )
    return org


def get_org(session: Session, *, slug: str, missing_ok: bool = False) -> Organisation | None:
    org = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if org is None and not missing_ok:
        raise NotFound(
            f"organisation {slug!r} does not exist",
            fix="list organisations with `trustdesk org list` or create it with `trustdesk org create`",
        )
    return org


def require_org(session: Session, *, slug: str) -> Organisation:
    org = get_org(session, slug=slug)
    assert org is not None
    return org


def list_orgs(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.slug))))


def get_user(session: Session, *, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(
    session: Session, *, email: str, password: str, org: Organisation, role: str, actor: str = "cli"
) -> User:
    """Create the user if new, and give them ``role`` in ``org`` (replacing an earlier role there)."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError(
            f"{email!r} is not an e-mail address", fix="give an address like name@example.com"
        )
    role_value = parse_role(role)
    user = get_user(session, email=email)
    if user is None:
        user = User(email=email, password_hash=hash_password(password))
        session.add(user)
        session.flush()
        audit.record(session, actor=actor, action="user.create", target_type="user", target_id=email)
    set_role(session, user=user, org=org, role=role_value, actor=actor)
    return user


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(
            f"role {role!r} does not exist", fix=f"use one of {', '.join(r.value for r in Role)}"
        ) from None


def set_role(session: Session, *, user: User, org: Organisation, role: Role, actor: str) -> Membership:
    membership = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.org_id == org.id)
    ).first()
    if membership is None:
        assert user.id is not None and org.id is not None
        membership = Membership(user_id=user.id, org_id=org.id, role=role.value)
    elif membership.role != role.value:
        membership.role = role.value
        end_sessions(session, user=user)
    session.add(membership)
    try:
        session.flush()
    except IntegrityError:
        raise ValidationError(f"{user.email} already has a role in {org.slug}", fix="retry") from None
    audit.record(
        session,
        actor=actor,
        action="membership.set",
        target_type="user",
        target_id=user.email,
        org_id=org.id,
        detail={"role": role.value},
    )
    return membership


def remove_member(session: Session, *, user: User, org: Organisation, actor: str) -> None:
    """Take the user's role in ``org`` away; every session of the user ends."""
    membership = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.org_id == org.id)
    ).first()
    if membership is None:
        raise NotFound(f"{user.email} has no role in {org.slug}", fix="reload the page")
    session.delete(membership)
    end_sessions(session, user=user)
    audit.record(
        session,
        actor=actor,
        action="membership.remove",
        target_type="user",
        target_id=user.email,
        org_id=org.id,
        detail={"role": membership.role},
    )


def set_active(session: Session, *, user: User, active: bool, actor: str) -> None:
    """Disable (or enable again) a user; disabling ends every session of the user."""
    user.is_active = active
    if not active:
        end_sessions(session, user=user)
    session.add(user)
    audit.record(
        session,
        actor=actor,
        action="user.enable" if active else "user.disable",
        target_type="user",
        target_id=user.email,
    )


def end_sessions(session: Session, *, user: User) -> None:
    """Every session cookie issued to the user stops working (they carry the old epoch)."""
    user.session_epoch += 1
    session.add(user)


def memberships(session: Session, *, user_id: int) -> list[tuple[Organisation, Role]]:
    rows = session.exec(
        select(Organisation, Membership)
        .join(Membership, col(Membership.org_id) == col(Organisation.id))
        .where(Membership.user_id == user_id)
        .order_by(col(Organisation.slug))
    )
    return [(org, Role(m.role)) for org, m in rows]


def org_and_role(session: Session, *, slug: str, user_id: int) -> tuple[Organisation | None, Role | None]:
    """The organisation named ``slug`` and the user's role in it, in one query (None where absent)."""
    found = session.exec(
        select(Organisation, Membership.role)
        .outerjoin(
            Membership,
            (col(Membership.org_id) == col(Organisation.id)) & (col(Membership.user_id) == user_id),
        )
        .where(Organisation.slug == slug)
    ).first()
    if found is None:
        return None, None
    org, role = found
    return org, Role(role) if role else None


#: Built once, run with parameters: building a statement costs more than running it here (the
#: review page's requests all start with this one; docs/benchmarks.md, "less CPU per request").
_USER_AND_ROLE = (
    select(User, Organisation, Membership.role)
    .select_from(User)
    .outerjoin(Organisation, col(Organisation.slug) == bindparam("slug"))
    .outerjoin(
        Membership,
        (col(Membership.org_id) == col(Organisation.id)) & (col(Membership.user_id) == col(User.id)),
    )
    .where(col(User.id) == bindparam("user_id"))
)


def user_and_role(
    session: Session, *, user_id: int, slug: str
) -> tuple[User | None, Organisation | None, Role | None]:
    """The user, the organisation named ``slug`` and the user's role in it, in one query (None where
    absent): what every request inside an organisation needs to know before anything else."""
    found = session.exec(_USER_AND_ROLE, params={"user_id": user_id, "slug": slug}).first()
    if found is None:
        return None, None, None
    user, org, role = found
    return user, org, Role(role) if role else None


def role_in(session: Session, *, user_id: int, org_id: int) -> Role | None:
    m = session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
    ).first()
    return Role(m.role) if m else None


def members(session: Session, *, org_id: int) -> list[tuple[User, Role]]:
    """Every user with a role in the organisation, disabled ones included, by e-mail (the members page;
    the review page's assignable people come from :func:`active_members`)."""
    rows = session.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.org_id == org_id)
        .order_by(col(User.email))
    )
    return [(user, Role(m.role)) for user, m in rows]


@dataclass(frozen=True)
class Member:
    """An active member as the review page lists them (read as columns, without loading users)."""

    id: int
    email: str
    role: Role


def active_members(session: Session, *, org_id: int, ability: str) -> list[Member]:
    """The organisation's active users whose role holds ``ability``, by e-mail."""
    rows = session.exec(
        select(User.id, User.email, Membership.role)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.org_id == org_id, col(User.is_active).is_(True))
        .order_by(col(User.email))
    )
    found = [Member(int(uid), email, Role(role)) for uid, email, role in rows if uid is not None]
    return [m for m in found if ability in ROLE_ABILITIES[m.role]]


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The user when the password is right; ``None`` for unknown user or wrong password alike."""
    user = get_user(session, email=email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    return user


# ---------------------------------------------------------------- login throttling

#: (window, most failures) per account+address, per account from anywhere in a minute (many addresses
#: at once), per account in an hour (ASVS 2.2.1), and per address whatever the account (one address
#: spraying passwords over many accounts; generous enough for an office behind one NAT address).
PER_ACCOUNT_AND_ADDRESS = (timedelta(minutes=1), 5)
PER_ACCOUNT_BURST = (timedelta(minutes=1), 10)
PER_ACCOUNT = (timedelta(hours=1), 100)
PER_ADDRESS = (timedelta(minutes=5), 30)


def login_blocked(session: Session, *, email: str, address: str, claimed: int = 0) -> bool:
    """Too many recent failures for this account from this address, for this account at all, or from
    this address for any account. The failures are rows, so every app server counts the same ones.

    ``claimed``: how many of the counted rows are the attempt being decided (see
    :func:`claim_login_attempt`), which do not count against it."""
    email = email.strip().lower()
    now = utcnow()
    checks = (
        (PER_ACCOUNT_AND_ADDRESS, email, address),
        (PER_ACCOUNT_BURST, email, None),
        (PER_ACCOUNT, email, None),
        (PER_ADDRESS, None, address),
    )
    return any(
        _failures(session, email=who, address=where, since=now - window) - claimed >= most
        for (window, most), who, where in checks
    )


def _failures(session: Session, *, email: str | None, address: str | None, since: datetime) -> int:
    query = select(func.count()).select_from(LoginFailure).where(col(LoginFailure.at) >= since)
    if email is not None:
        query = query.where(LoginFailure.email == email)
    if address is not None:
        query = query.where(LoginFailure.address == address)
    return int(session.exec(query).one())


def claim_login_attempt(session: Session, *, email: str, address: str) -> int:
    """Record a login attempt as a failure before its password is checked, and return the row's id.

    Committed first and counted after (``login_blocked(..., claimed=1)``), attempts made in parallel see
    each other, so no more than the limit ever reach the password check; checking first and recording
    after let every parallel attempt through. :func:`forget_login_attempt` removes the row when the
    password was right or the attempt was refused unchecked."""
    attempt = LoginFailure(email=email.strip().lower()[:254], address=address[:64])
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    return attempt.id


def forget_login_attempt(session: Session, *, attempt: int) -> None:
    session.execute(delete(LoginFailure).where(col(LoginFailure.id) == attempt))


def change_password(session: Session, *, user: User, password: str, actor: str) -> None:
    """Set a new password and end every other session of the user."""
    user.password_hash = hash_password(password)
    end_sessions(session, user=user)
    audit.record(session, actor=actor, action="user.password", target_type="user", target_id=user.email)
