"""Admin: upload peer figures (or published positions among peers) as a CSV file or a
workbook, all or nothing (``app.services.peer_figures``). A page of its own beside the
entity pages of ``routes``."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from app.policy import ADMINS
from app.services import ServiceError
from app.services.peer_figures import upload_peer_figures
from app.web.access import roles_required
from app.web.admin import bp
from app.web.forms import put_service_errors


class PeerUploadForm(FlaskForm):
    file = FileField("Peer figures (.csv or .xlsx)", widget=GovFileInput(),
                     description="First row: Indicator, Period, Peer, Figure (and Position, where only the "
                                 "position among peers was published).",
                     validators=[FileRequired(message="Choose the file of peer figures to upload")])
    submit = SubmitField("Upload peer figures", widget=GovSubmitInput())


@bp.route("/peer-figures", methods=["GET", "POST"])
@roles_required(*ADMINS)
def peer_figures():
    form = PeerUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            stored = upload_peer_figures(upload.read(), upload.filename or "peers.csv", current_user)
        except ServiceError as error:
            for message in put_service_errors(form, error):
                flash(message, "error")
            return render_template("admin/peer_upload.html", title="Upload peer figures", form=form), 400
        else:
            flash(f"Stored {stored.figures} peer figure{'s' if stored.figures != 1 else ''} and "
                  f"{stored.positions} published position{'s' if stored.positions != 1 else ''}.", "success")
            return redirect(url_for("admin.peer_figures"))
    status = 400 if form.errors else 200
    return render_template("admin/peer_upload.html", title="Upload peer figures", form=form), status
