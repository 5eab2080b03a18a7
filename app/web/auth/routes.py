from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.policy import EVERYONE
from app.services import ServiceError
from app.services.accounts import (
    LinkRefused,
    authenticate,
    link_lifetime,
    request_password_reset,
    set_password_from_link,
    user_for_link,
)
from app.web.access import public, roles_required
from app.web.auth import bp
from app.web.auth.forms import ChoosePasswordForm, ForgottenPasswordForm, SignInForm
from app.web.forms import put_service_errors


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


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        return render_template("auth/check_email.html", email=form.email.data, title="Check your email",
                               hours=link_lifetime("password_reset"))
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form, title="Reset your password"), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    return _choose_password(token, "password_reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def invitation(token):
    return _choose_password(token, "invitation")


def _choose_password(token: str, purpose: str):
    """The page a reset or invitation link opens: choose a password (once, before it expires)."""
    form = ChoosePasswordForm()
    try:
        if form.validate_on_submit():
            set_password_from_link(token, purpose, form.password.data, form.confirm.data)
            logout_user()
            flash("Your password has been saved. Sign in with your email address and new password.", "success")
            return redirect(url_for("auth.sign_in"))
        user = user_for_link(token, purpose)
    except LinkRefused as refused:
        return render_template("auth/link_refused.html", reason=refused.reason, message=refused.message,
                               purpose=purpose, title=refused.message), 400
    except ServiceError as error:
        put_service_errors(form, error)
        user = user_for_link(token, purpose)
    status = 400 if form.errors else 200
    heading = "Choose your password" if purpose == "invitation" else "Choose a new password"
    return render_template("auth/choose_password.html", form=form, user=user, purpose=purpose, title=heading), status
