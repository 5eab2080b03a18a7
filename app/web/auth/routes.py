from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.services.accounts import authenticate
from app.policy import EVERYONE
from app.web.access import public, roles_required
from app.web.auth import bp
from app.web.auth.forms import SignInForm


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append("The email address or password is not right")
    status = 400 if form.errors else 200
    return render_template("auth/sign_in.html", form=form, title="Sign in"), status


@bp.route("/sign-out", methods=["POST"])
@roles_required(*EVERYONE)
def sign_out():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
