from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.policy import EVERYONE
from app.services import ServiceError
from app.services import two_factor as second_factor
from app.services.accounts import (
    LinkRefused,
    SignInRefused,
    authenticate,
    link_lifetime,
    request_password_reset,
    set_password_from_link,
    sign_out as end_every_session,
    user_for_link,
)
from app.web.access import public, roles_required
from app.web.auth import bp
from app.web.auth.forms import (
    ChoosePasswordForm, ForgottenPasswordForm, NewRecoveryCodesForm, SetUpTwoFactorForm, SignInForm, TwoFactorForm,
)
from app.web.forms import put_service_errors
from app.web.sessions import begin_session, end_session, hold_pending, pending_next, pending_user


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
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr)
        except SignInRefused as refused:
            form.password.errors = list(form.password.errors) + [refused.message]
            status = 429 if refused.locked else 400
        else:
            next_url = _safe_next(request.args.get("next"))
            if second_factor.asks_for_code(user) or second_factor.needs_setting_up(user):
                hold_pending(user, next_url)
                return redirect(url_for("auth.two_factor" if second_factor.asks_for_code(user)
                                        else "auth.set_up_two_factor"))
            begin_session(user)
            return redirect(next_url or url_for("main.home"))
    status = max(status, 400) if form.errors else status
    return render_template("auth/sign_in.html", form=form, title="Sign in"), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def two_factor():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = pending_user()
    if user is None:
        flash("Sign in again: it has been too long since you entered your password.", "info")
        return redirect(url_for("auth.sign_in"))
    if not second_factor.asks_for_code(user):
        # Half-way through setting it up: no code could be right, so none is counted against them.
        return redirect(url_for("auth.set_up_two_factor"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            second_factor.check_code(user, form.code.data, request.remote_addr)
        except ServiceError as error:
            put_service_errors(form, error)
        else:
            next_url = pending_next()
            begin_session(user)
            return redirect(next_url or url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template("auth/two_factor.html", form=form, title="Enter your code"), status


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@public
def set_up_two_factor():
    """Set up two-factor sign-in: required on the first sign-in of anyone who can see DHR
    data (between the password and the home page), open to anyone signed in. The QR code
    and the recovery codes are each shown once."""
    pending = pending_user()
    user = pending or (current_user._get_current_object() if current_user.is_authenticated else None)
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if user.two_factor_enabled:
        return redirect(url_for("main.home"))
    form = SetUpTwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_setup(user, form.code.data, request.remote_addr)
        except ServiceError as error:
            put_service_errors(form, error)
        else:
            next_url = pending_next() if pending else None
            begin_session(user)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url or url_for("main.home"),
                                   title="Your recovery codes")
        return render_template("auth/set_up_two_factor.html", form=form, qr=None, secret=None, required=bool(pending),
                               title="Set up two-factor sign-in"), 400
    secret, qr = second_factor.begin_setup(user)
    return render_template("auth/set_up_two_factor.html", form=form, qr=qr, secret=secret, required=bool(pending),
                           title="Set up two-factor sign-in")


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def recovery_codes():
    """How many recovery codes the signed-in person has left, and a new set (shown once; the
    old ones stop working) for a code from their authenticator app."""
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        return redirect(url_for("auth.set_up_two_factor"))
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.replace_recovery_codes(user, form.code.data, request.remote_addr)
        except ServiceError as error:
            put_service_errors(form, error)
        else:
            return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("main.home"),
                                   heading="You have new recovery codes", title="Your new recovery codes")
    status = 400 if form.errors else 200
    return render_template("auth/new_recovery_codes.html", form=form, left=second_factor.recovery_codes_left(user),
                           total=second_factor.RECOVERY_CODES, title="Your recovery codes"), status


@bp.route("/sign-out", methods=["POST"])
@roles_required(*EVERYONE)
def sign_out():
    end_every_session(current_user._get_current_object())
    end_session()
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
            end_session()
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
