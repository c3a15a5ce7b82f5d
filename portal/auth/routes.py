"""Login, logout and change password."""

from secrets import token_urlsafe
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.recorder import record
from portal.auth.forms import ChangePasswordForm, LoginForm
from portal.auth.passwords import hash_password, verify_password
from portal.auth.policy import any_role, public
from portal.auth.ratelimit import limit_login
from portal.extensions import db, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")

LOGIN_FAILED = "Het e-mailadres of het wachtwoord is onjuist."


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.login_id == login_id))


def _safe_next(target: str | None) -> str:
    """Only a path on this site; never an absolute URL someone slipped into ?next=."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("dashboard.index")


@bp.route("/inloggen", methods=["GET", "POST"])
@public
@limit_login
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        valid = verify_password(user.password_hash if user else None, form.password.data)
        if valid and user.active:
            # A fresh session at login: nothing from before the login survives (session fixation).
            session.clear()
            login_user(user)
            record("login", "user_account", user.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        # Only a known account's address is logged: what was typed may be a password or a BSN.
        record("login_mislukt", "user_account", user.id if user else None,
               actor=user.email if user else "onbekend account")
        db.session.commit()
        # The same message whether the account exists, is inactive, or the password is wrong.
        flash(LOGIN_FAILED, "error")
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
@any_role
def logout():
    record("logout", "user_account", current_user.id)
    # Sessions are signed cookies the server keeps no list of: a copy taken before the logout
    # would stay valid. A new login_id ends every session of this user, the copy included (and
    # the user's sessions in other browsers: the price of keeping no session state).
    current_user._get_current_object().login_id = token_urlsafe(32)
    db.session.commit()
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@any_role
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Het huidige wachtwoord is onjuist.")
        else:
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.new_password.data)
            user.login_id = token_urlsafe(32)  # every other session of this user ends
            db.session.commit()
            session.clear()
            login_user(user)
            flash("Uw wachtwoord is gewijzigd.", "info")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/change_password.html", form=form)
