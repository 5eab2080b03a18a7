"""Managers' pages: review an indicator (override or set its rating, comment on it), an
outcome's overall comment and rating, peer figures, the return schedule, completeness,
sign-off (managers) and unlock (admins). Views translate HTTP to a service call and the
service's errors back onto the form."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.services import ServiceError
from app.services.dashboard import parse_dashboard_period, period_slug
from app.services.ratings import (
    get_indicator,
    get_outcome,
    get_peer_value,
    indicator_review,
    outcome_assessment,
    peer_values,
    remove_peer_value,
    save_commentary,
    save_outcome_assessment,
    save_peer_value,
    set_rating,
    withdraw_rating,
)
from app.services.reporting import reporting_rates_view
from app.services.schedule import (
    completeness_view, due_return, schedulable_templates, schedule_returns, set_schedule_start,
    template_schedules, waive_due_return,
)
from app.services.sign_off import sign_off as sign_off_period, signed_off_by, unlock as unlock_period
from app.web.access import roles_required
from app.web.confirm import Confirmation, DestroyForm, confirm_page
from app.web.forms import MAX_DATABASE_ID, put_service_errors
from app.web.performance import bp
from app.web.performance.forms import (
    CommentaryForm, ConfirmForm, OutcomeForm, PeerForm, RatingForm, ScheduleForm, ScheduleStartForm, UnlockForm,
    WaiveForm,
)
from app.web.charts import Point, line_chart
from app.web.presenters import figure_text, review_figures

from app.policy import ADMINS, MANAGERS, in_group
from app.vocabulary import RAG_NAMES


def _period_or_404(slug: str):
    try:
        return parse_dashboard_period(slug)
    except ServiceError:
        abort(404)


def put_errors(form, error: ServiceError) -> None:
    """A service's problems onto the form's fields (or flashed when they belong to none)."""
    for message in put_service_errors(form, error):
        flash(message, "error")


# ---- an indicator: rating and commentary -------------------------------------------------------


def _review(slug: str, indicator_id: int, area: str | None, rating_form=None, comment_form=None,
            status: int = 200):
    spec = _period_or_404(slug)
    review = indicator_review(spec, indicator_id, area)
    indicator, row, area_code, area_row = review.indicator, review.row, review.area_code, review.area
    rating_form = rating_form or RatingForm(formdata=None, area=area_code,
                                            kind="manual" if indicator.rag_method == "manual" else "override")
    comment_form = comment_form or CommentaryForm(formdata=None)
    comment_form.scope.choices = (
        [(area_code, f"{area_row.name} only"), ("", "All areas of this indicator")]
        if area_row
        else [("", "All areas of this indicator")]
    )
    if row and row.comment and comment_form.text.data is None:
        comment_form.text.data, comment_form.internal.data = row.comment, row.comment_internal
    return render_template(
        "performance/indicator.html", title=f"{indicator.name}: {spec.label}", spec=spec, slug=slug,
        indicator=indicator, row=row, area=area_row, presented=review_figures(row, indicator), rating_form=rating_form,
        comment_form=comment_form, locked=review.locked, history=review.history,
    ), status


@bp.route("/<slug>/indicators/<int:indicator_id>")
@roles_required(*MANAGERS)
def indicator(slug: str, indicator_id: int):
    return _review(slug, indicator_id, request.args.get("area") or None)


@bp.route("/<slug>/indicators/<int:indicator_id>/rating", methods=["POST"])
@roles_required(*MANAGERS)
def rating(slug: str, indicator_id: int):
    form = RatingForm()
    area = form.area.data or None
    if form.validate_on_submit():
        try:
            set_rating(slug, indicator_id, area, form.kind.data, form.rag.data, form.reason.data, current_user)
        except ServiceError as error:
            put_errors(form, error)
        else:
            flash("The rating has been saved. The calculated rating is kept beside it.", "success")
            return redirect(url_for("performance.indicator", slug=slug, indicator_id=indicator_id, area=area))
    return _review(slug, indicator_id, area, rating_form=form, status=400)


@bp.route("/<slug>/indicators/<int:indicator_id>/rating/withdraw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def withdraw(slug: str, indicator_id: int):
    """GET: what will be withdrawn; POST (from that page): withdraw it."""
    area = request.values.get("area") or None
    back = url_for("performance.indicator", slug=slug, indicator_id=indicator_id, area=area)
    if request.method == "GET":
        spec = _period_or_404(slug)
        review = indicator_review(spec, indicator_id, area)
        setting = next((h for h in review.history if h.is_current), None)
        if setting is None:
            flash("There is no rating set by a manager to withdraw.", "error")
            return redirect(back)
        where = review.area.name if review.area else ""
        return confirm_page(Confirmation(
            title="Withdraw the manager's rating",
            going=[("Indicator", review.indicator.name), ("Area", where), ("Period", spec.label),
                   ("Rating set by the manager", RAG_NAMES.get(setting.rag, setting.rag)),
                   ("Reason given", setting.reason or "")],
            consequence=f"The calculated rating applies again to {review.indicator.name} for {where} in "
                        f"{spec.label}. The withdrawn rating stays in the rating history.",
            button="Yes, withdraw the rating", back_url=back, hidden={"area": review.area_code or ""}))
    if not DestroyForm().validate_on_submit():
        abort(400)
    try:
        withdraw_rating(slug, indicator_id, area, current_user)
    except ServiceError as error:
        flash(error.message or "; ".join(m for ms in error.field_errors.values() for m in ms), "error")
    else:
        flash("The manager's rating has been withdrawn: the calculated rating applies again.", "success")
    return redirect(back)


@bp.route("/<slug>/indicators/<int:indicator_id>/commentary", methods=["POST"])
@roles_required(*MANAGERS)
def commentary(slug: str, indicator_id: int):
    form = CommentaryForm()
    area = request.args.get("area") or None
    form.scope.choices = [(area, area), ("", "")] if area else [("", "")]
    if form.validate_on_submit():
        try:
            saved = save_commentary(
                slug, indicator_id, form.scope.data or None, form.text.data, form.internal.data, current_user
            )
        except ServiceError as error:
            put_errors(form, error)
        else:
            flash("The comment has been saved." if saved else "The comment has been removed.", "success")
            return redirect(url_for("performance.indicator", slug=slug, indicator_id=indicator_id, area=area))
    return _review(slug, indicator_id, area, comment_form=form, status=400)


# ---- an outcome: overall comment and rating ---------------------------------------------------


@bp.route("/<slug>/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def outcome(slug: str, outcome_id: int):
    spec = _period_or_404(slug)
    item = get_outcome(outcome_id)
    current = outcome_assessment(spec, item.id)
    form = OutcomeForm(obj=current)
    if form.validate_on_submit():
        try:
            save_outcome_assessment(
                spec,
                item.id,
                form.comment.data,
                form.internal.data,
                form.rag_override.data or None,
                form.override_reason.data,
                current_user,
            )
        except ServiceError as error:
            put_errors(form, error)
        else:
            flash("The outcome's comment and rating have been saved.", "success")
            return redirect(url_for("dashboard.period", slug=slug, outcome=item.id))
    status = 400 if form.errors else 200
    return render_template("performance/outcome.html", title=f"{item.name}: {spec.label}", form=form, outcome=item,
                           spec=spec, slug=slug), status


# ---- peer figures ---------------------------------------------------------------------------------


@bp.route("/indicators/<int:indicator_id>/peers", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def peers(indicator_id: int):
    item = get_indicator(indicator_id)
    form = PeerForm()
    if form.validate_on_submit():
        try:
            save_peer_value(item.id, form.period.data, form.label.data, form.value.data, current_user)
        except ServiceError as error:
            put_errors(form, error)
        else:
            flash("The peer figure has been saved.", "success")
            return redirect(url_for("performance.peers", indicator_id=item.id))
    status = 400 if form.errors else 200
    return render_template("performance/peers.html", title=f"Peer figures: {item.name}", form=form, indicator=item,
                           peers=peer_values(item.id), figure_text=figure_text), status


@bp.route("/peers/<int:peer_id>/remove", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def remove_peer(peer_id: int):
    """GET: the peer figure that will go; POST (from that page): remove it."""
    peer = get_peer_value(peer_id)
    indicator = peer.indicator
    back = url_for("performance.peers", indicator_id=indicator.id)
    if request.method == "GET":
        return confirm_page(Confirmation(
            title="Remove a peer figure",
            going=[("Indicator", indicator.name), ("Peer", peer.label), ("Period", peer.period.label),
                   ("Figure", figure_text(peer.value, indicator.unit, indicator.decimals))],
            consequence=f"The dashboard will no longer compare {indicator.name} with {peer.label} "
                        f"for {peer.period.label}.",
            button="Yes, remove the peer figure", back_url=back))
    if not DestroyForm().validate_on_submit():
        abort(400)
    try:
        remove_peer_value(peer_id, current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash("The peer figure has been removed.", "success")
    return redirect(back)


# ---- the return schedule and completeness ---------------------------------------------------------


@bp.route("/schedule", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def schedule():
    """What each template is owed (generated from its first period), the first period
    (administrators set it), and returns a manager adds by hand with a reason."""
    form = ScheduleForm()
    form.template_id.set_rows(schedulable_templates())
    if form.validate_on_submit():
        periods = [line.strip() for line in form.periods.data.splitlines() if line.strip()]
        try:
            created, existing = schedule_returns(form.template_id.data, periods, current_user, form.reason.data)
        except ServiceError as error:
            put_errors(form, error)
        else:
            already = f" ({existing} were already scheduled)" if existing else ""
            flash(f"{created} returns added to the schedule{already}.", "success")
            latest = max((parse_dashboard_period(text) for text in periods), key=lambda spec: spec.end)
            return redirect(url_for("performance.completeness", period=period_slug(latest)))
    return _schedule_page(form, status=400 if form.errors else 200)


def _schedule_page(form, start_form=None, failed_template=None, status=200):
    return render_template("performance/schedule.html", title="The return schedule", form=form,
                           schedules=template_schedules(), start_form=start_form or ScheduleStartForm(),
                           failed_template=failed_template, may_set_start=in_group(current_user, ADMINS)), status


@bp.route("/schedule/start", methods=["POST"])
@roles_required(*ADMINS)
def schedule_start():
    start_form = ScheduleStartForm()
    if start_form.validate_on_submit():
        chosen = start_form.template_id.data
        if not (chosen.isascii() and chosen.isdigit()) or int(chosen) > MAX_DATABASE_ID:
            abort(404)
        try:
            added = set_schedule_start(int(chosen), start_form.schedule_from.data, current_user)
        except ServiceError as error:
            put_errors(start_form, error)
        else:
            flash(f"Saved: {added} expected returns added from {start_form.schedule_from.data}.", "success")
            return redirect(url_for("performance.schedule"))
    form = ScheduleForm(formdata=None)
    form.template_id.set_rows(schedulable_templates())
    return _schedule_page(form, start_form, start_form.template_id.data, status=400)


@bp.route("/expected/<int:due_id>/waive", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def waive(due_id: int):
    due = due_return(due_id)
    form = WaiveForm()
    if form.validate_on_submit():
        try:
            waive_due_return(due_id, form.reason.data, current_user)
        except ServiceError as error:
            put_errors(form, error)
        else:
            flash(f"{due.agency.name}'s {due.template.name} for {due.period.label} is no longer expected.", "success")
            return redirect(url_for("performance.completeness"))
    return render_template("performance/waive.html", title="Waive a return", form=form, due=due), \
        400 if form.errors else 200


def _percent(value) -> str:
    return "–" if value is None else f"{value:.0f}%"


@bp.route("/reporting-rates")
@roles_required(*MANAGERS)
def reporting_rates():
    rates = reporting_rates_view()
    charts = [line_chart(f"rates-{key}", title, [Point(r.label, getattr(r, attr), _percent(getattr(r, attr)))
                                                  for r in rates.by_period])
              for key, title, attr in (("received", "Returns received, per cent of those expected", "received_pct"),
                                       ("on-time", "Returns received on time, per cent of those expected",
                                        "on_time_pct"))] if rates.by_period else []
    return render_template("performance/reporting_rates.html", title="Reporting rates", rates=rates, charts=charts,
                           percent=_percent)


@bp.route("/completeness")
@roles_required(*MANAGERS)
def completeness():
    slug = request.args.get("period") or None
    try:
        view = completeness_view(slug)
    except ServiceError:
        abort(404)
    periods = [(period_slug(p.key), p.label) for p in view.scheduled]
    return render_template("performance/completeness.html", title="Which returns have come in", view=view,
                           periods=periods, selected=slug or (periods[0][0] if periods else None))


# ---- sign-off and unlock ---------------------------------------------------------------------------


@bp.route("/<slug>/sign-off", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def sign_off(slug: str):
    spec = _period_or_404(slug)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            sign_off_period(spec, current_user)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(f"{spec.label} is signed off: its figures are locked.", "success")
        return redirect(url_for("dashboard.period", slug=slug))
    return render_template("performance/sign_off.html", title=f"Sign off {spec.label}", form=form, spec=spec, slug=slug,
                           current=signed_off_by(spec))


@bp.route("/<slug>/unlock", methods=["GET", "POST"])
@roles_required(*ADMINS)
def unlock(slug: str):
    spec = _period_or_404(slug)
    form = UnlockForm()
    if form.validate_on_submit():
        try:
            unlock_period(spec, form.reason.data, current_user)
        except ServiceError as error:
            put_errors(form, error)
        else:
            flash(f"{spec.label} is unlocked: its figures can change again.", "success")
            return redirect(url_for("dashboard.period", slug=slug))
    status = 400 if form.errors else 200
    return render_template("performance/unlock.html", title=f"Unlock {spec.label}", form=form, spec=spec, slug=slug,
                           current=signed_off_by(spec)), status
