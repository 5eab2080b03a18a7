"""Admin: reset a person's second factor when they have lost their phone and their recovery
codes (``app.services.two_factor.reset``; who may: ``policy.may_reset_two_factor``). The
user's page links here; this page says what goes and acts only on its own POST."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.dhr import long_date
from app.policy import ADMINS, must_use_two_factor
from app.services import ServiceError
from app.services import two_factor as second_factor
from app.web.access import roles_required
from app.web.admin import bp
from app.web.confirm import Confirmation, DestroyForm, confirm_page


@bp.route("/users/<int:user_id>/second-factor/remove", methods=["GET", "POST"])
@roles_required(*ADMINS)
def user_second_factor_remove(user_id: int):
    """GET: whose second factor will go, and what happens next; POST (from that page): reset it."""
    back = url_for("admin.user_edit", item_id=user_id)
    if request.method == "GET":
        try:
            user, codes_left = second_factor.reset_preview(user_id, current_user)
        except ServiceError as error:
            flash(error.message, "error")
            return redirect(back)
        then = ("set up two-factor sign-in again, with a new QR code, before they can go on"
                if must_use_two_factor(user) else "sign in with their password alone, and may set it up again")
        return confirm_page(Confirmation(
            title="Reset second factor",
            going=[("Person", user.name), ("Email address", user.email), ("Role", user.role_label),
                   ("Authenticator app set up on", long_date(user.two_factor_since)),
                   ("Recovery codes not yet used", str(codes_left))],
            consequence=f"Codes from {user.name}'s authenticator app and their recovery codes stop working, and "
                        f"they are signed out everywhere. When they next sign in they {then}. Check who is asking "
                        "before you do this.",
            button="Yes, reset their second factor", back_url=back, back_text="No, keep it"))
    if not DestroyForm().validate_on_submit():
        abort(400)
    try:
        done = second_factor.reset(user_id, current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(done.message, "success")
    return redirect(back)
