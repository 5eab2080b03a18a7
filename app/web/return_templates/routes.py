"""The template editor (admins) and the blank standard return (officers and admins)."""
import io
import re
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.definition import (
    LAYOUT_NAMES,
    ColumnSpec,
    CrossRule,
    DefinitionError,
    FieldRule,
    FieldSelector,
    RowSpec,
    SheetLayout,
    TemplateDefinition,
    definition_from_json,
    definition_to_json,
)
from app.policy import ADMINS, MANAGERS, READERS, UPLOADERS
from app.services import ServiceError
from app.services.blank_returns import blank_return_for, blank_return_choices
from app.services.return_templates import (
    TemplateProblems,
    create_template,
    definition_of,
    edit_definition,
    existing_template,
    publish,
    publishing_problems,
    working_definition,
)
from app.services.reference import (
    agencies_by_name,
    areas_by_name,
    areas_in_order,
    indicators_by_name,
    indicators_in_order,
    names_by_key,
)
from app.services.template_examples import (
    correct_header,
    create_from_example,
    proposal_view,
    reference_copy,
    set_table_fixed,
    templates_with_copies,
)
from app.vocabulary import FLAG_LABELS
from app.web.access import roles_required
from app.web.confirm import Confirmation, DestroyForm, confirm_page
from app.web.return_templates import bp
from app.web.return_templates.forms import (
    CROSS_KIND_LABELS,
    MEASURE_LABELS,
    MEASURE_CHOICES,
    ColumnForm,
    ConfirmForm,
    CorrectionForm,
    ExampleForm,
    CrossRuleForm,
    FixedForm,
    JsonForm,
    RowForm,
    SettingsForm,
    SheetForm,
    lines,
)
from app.web.forms import options, put_service_errors
from app.web.presenters import KIND_LABELS as PROPOSAL_KINDS
from app.web.presenters import example_grid, figure_value_text

# ---- converting between forms and definition parts ----------------------------------


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def rule_from(form) -> FieldRule:
    return FieldRule(
        required=form.rule_required.data,
        type=form.rule_type.data,
        min=_number(form.rule_min.data),
        max=_number(form.rule_max.data),
        allow_na=form.rule_allow_na.data,
        na_needs_reason=form.rule_na_needs_reason.data,
    )


def rule_into(form, rule: FieldRule) -> None:
    form.rule_type.data, form.rule_required.data = rule.type, rule.required
    form.rule_min.data, form.rule_max.data = rule.min, rule.max
    form.rule_allow_na.data, form.rule_na_needs_reason.data = rule.allow_na, rule.na_needs_reason


def field_name(rest: str) -> str:
    """A problem's path inside an item → the form field it belongs to."""
    name = re.sub(r"\[\d+\]", "", rest).replace(".", "_")
    return {"parts_row": "part_rows", "parts_column": "part_columns", "parts": "part_rows"}.get(name, name)


def put_problems(form, problems, item_path: str) -> list[str]:
    """Attach each problem to its field; return the ones that belong to no field."""
    leftovers = []
    for problem in problems:
        name = (
            field_name(problem.path[len(item_path) + 1 :]) if problem.path.startswith(item_path + ".") else problem.path
        )
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [problem.message]
        else:
            leftovers.append(problem.message)
    return leftovers


def _area_choices(field, none_label="None"):
    areas = areas_in_order()
    field.choices = options([("", none_label)] + [(a.code, a.name) for a in areas])


def _indicator_choices(field):
    indicators = indicators_in_order()
    field.choices = options([("", "Choose an indicator")] + [(i.slug, i.name) for i in indicators])


def _sheet_or_404(defn: TemplateDefinition, s: int) -> SheetLayout:
    if not 0 <= s < len(defn.sheets):
        abort(404)
    return defn.sheets[s]


def _item_or_404(items: list, i: int):
    if not 0 <= i < len(items):
        abort(404)
    return items[i]


def _save_change(slug: str, form, item_path: str, change, template: str, **context):
    """Validate the form, apply the change as a draft, or show every problem by its field."""
    summary: list[str] = []
    if form.validate_on_submit():
        try:
            edit_definition(slug, current_user, change)
        except TemplateProblems as error:
            summary = put_problems(form, error.problems, item_path)
        except ServiceError as error:
            summary = [error.message or str(error)]
        else:
            flash("Saved as a draft. Publish it when it is ready.", "success")
            return redirect(url_for("return_templates.detail", slug=slug))
    status = 400 if form.errors or summary else 200
    return render_template(f"return_templates/{template}", form=form, slug=slug, summary=summary, **context), status


# ---- templates ------------------------------------------------------------------------


@bp.route("/")
@roles_required(*READERS)
def index():
    summaries, with_copies = templates_with_copies(current_user)
    return render_template("return_templates/index.html", templates=summaries, with_copies=with_copies,
                           title="Return templates")


def _settings_choices(form):
    agencies = agencies_by_name()
    form.agencies.choices = options((a.slug, a.name) for a in agencies)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new():
    form = SettingsForm()
    _settings_choices(form)
    summary = []
    if form.validate_on_submit():
        defn = TemplateDefinition(slug=form.slug.data, name=form.name.data, frequency=form.frequency.data,
                                  agencies=sorted(form.agencies.data), due_days=form.due_days.data,
                                  instructions=form.instructions.data or "")
        try:
            create_template(defn, current_user)
        except TemplateProblems as error:
            summary = put_problems(form, error.problems, "")
        else:
            flash("Template created. Add its sheets next.", "success")
            return redirect(url_for("return_templates.detail", slug=defn.slug))
    status = 400 if form.errors or summary else 200
    return render_template(
        "return_templates/settings.html", form=form, slug=None, summary=summary, title="Create a return template"
    ), status


@bp.route("/<slug>")
@roles_required(*ADMINS)
def detail(slug):
    template = existing_template(slug)
    defn = definition_of(template.latest_version)
    problems = publishing_problems(slug)
    return render_template(
        "return_templates/detail.html", template=template, defn=defn, problems=problems, layouts=LAYOUT_NAMES,
        confirm=ConfirmForm(), title=template.name, names=names_by_key(), check_text=check_text,
        measures=MEASURE_LABELS,
    )


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(*ADMINS)
def settings(slug):
    existing_template(slug)
    defn = working_definition(slug)
    form = SettingsForm(data={"name": defn.name, "slug": defn.slug, "frequency": defn.frequency,
                              "agencies": defn.agencies, "due_days": defn.due_days, "instructions": defn.instructions})
    _settings_choices(form)

    def change(d: TemplateDefinition):
        d.name, d.frequency, d.due_days = form.name.data, form.frequency.data, form.due_days.data
        d.agencies, d.instructions, d.slug = sorted(form.agencies.data), form.instructions.data or "", form.slug.data

    return _save_change(slug, form, "", change, "settings.html", title="Template settings")


@bp.route("/<slug>/publish", methods=["POST"])
@roles_required(*ADMINS)
def publish_template(slug):
    existing_template(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = publish(slug, current_user)
    except TemplateProblems as error:
        for problem in error.problems:
            flash(problem.message, "error")
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Version {version.number} is published. Agencies can now download it.", "success")
    return redirect(url_for("return_templates.detail", slug=slug))


@bp.route("/<slug>/json", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_json(slug):
    existing_template(slug)
    form = JsonForm()
    if request.method == "GET":
        form.definition.data = definition_to_json(working_definition(slug))
    summary = []
    if form.validate_on_submit():
        try:
            replacement = definition_from_json(form.definition.data)
        except DefinitionError as error:
            form.definition.errors = [str(p) for p in error.problems]
        else:
            return _save_change(slug, form, "definition", lambda d: d.__dict__.update(replacement.__dict__),
                                "json.html", title="Edit the definition as JSON")
    status = 400 if form.errors or summary else 200
    return render_template(
        "return_templates/json.html", form=form, slug=slug, summary=summary, title="Edit the definition as JSON"
    ), status


@bp.route("/<slug>/definition.json")
@roles_required(*ADMINS)
def export_json(slug):
    template = existing_template(slug)
    body = definition_to_json(definition_of(template.latest_version))
    return body, 200, {"Content-Type": "application/json; charset=utf-8",
                       "Content-Disposition": f'attachment; filename="{slug}-v{template.latest_version.number}.json"'}


@bp.route("/<slug>/versions/<int:number>")
@roles_required(*ADMINS)
def version(slug, number):
    template = existing_template(slug)
    found = next((v for v in template.versions if v.number == number), None) or abort(404)
    return render_template("return_templates/version.html", template=template, version=found,
                           body=definition_to_json(definition_of(found)), title=f"{template.name}: version {number}")


# ---- sheets, rows, columns, checks ------------------------------------------------------


def _sheet_form(defn: TemplateDefinition, sheet: SheetLayout | None) -> SheetForm:
    form = SheetForm(data=None if sheet is None else {
        "name": sheet.name, "layout": sheet.layout, "title": sheet.title, "default_area": sheet.default_area or "",
        "with_previous_year": sheet.with_previous_year, "note_column": sheet.note_column})
    _area_choices(form.default_area, "Given by the columns or rows")
    return form


def _apply_sheet(form, sheet: SheetLayout) -> None:
    sheet.name, sheet.layout, sheet.title = form.name.data, form.layout.data, form.title.data or ""
    sheet.default_area = form.default_area.data or None
    sheet.with_previous_year, sheet.note_column = form.with_previous_year.data, form.note_column.data


@bp.route("/<slug>/sheets/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def sheet_new(slug):
    existing_template(slug)
    defn = working_definition(slug)
    form = _sheet_form(defn, None)

    def change(d):
        sheet = SheetLayout(name="", layout="")
        _apply_sheet(form, sheet)
        d.sheets.append(sheet)

    return _save_change(
        slug, form, f"sheets[{len(defn.sheets)}]", change, "item.html", title="Add a sheet", what="sheet"
    )


@bp.route("/<slug>/sheets/<int:s>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def sheet_edit(slug, s):
    existing_template(slug)
    defn = working_definition(slug)
    if _sheet_or_404(defn, s).layout == "tables":  # the agency's own spreadsheet: corrected on its proposal page
        return redirect(url_for("return_templates.proposal", slug=slug))
    form = _sheet_form(defn, _sheet_or_404(defn, s))
    return _save_change(slug, form, f"sheets[{s}]", lambda d: _apply_sheet(form, d.sheets[s]), "item.html",
                        title=f"Change sheet '{defn.sheets[s].name}'", what="sheet")


def _row_form(row: RowSpec | None) -> RowForm:
    form = RowForm(data=None if row is None else {
        "label": row.label, "aliases": "\n".join(row.aliases), "indicator": row.indicator,
        "area": row.area or "", "help": row.help})
    if row is not None and request.method == "GET":
        rule_into(form, row.rule)
    _indicator_choices(form.indicator)
    _area_choices(form.area, "The sheet's or column's area")
    return form


def _apply_row(form, row: RowSpec) -> None:
    row.label, row.aliases, row.indicator = form.label.data, lines(form.aliases.data), form.indicator.data or ""
    row.area, row.help, row.rule = form.area.data or None, form.help.data or "", rule_from(form)


def _column_form(column: ColumnSpec | None) -> ColumnForm:
    form = ColumnForm(data=None if column is None else {
        "header": column.header, "aliases": "\n".join(column.aliases), "kind": column.kind, "area": column.area or "",
        "period": column.period or "", "measure": column.measure or "", "role": column.role,
        "has_rule": column.rule is not None})
    if column is not None and column.rule is not None and request.method == "GET":
        rule_into(form, column.rule)
    _area_choices(form.area)
    form.measure.choices = options(MEASURE_CHOICES)
    return form


def _apply_column(form, column: ColumnSpec) -> None:
    column.header, column.aliases, column.kind = form.header.data, lines(form.aliases.data), form.kind.data
    column.area, column.period = form.area.data or None, form.period.data or None
    column.measure, column.role = form.measure.data or None, form.role.data
    column.rule = rule_from(form) if form.has_rule.data else None


# Rows and columns of a sheet are edited the same way: (form, apply, blank item, name of item).
SHEET_ITEMS = {
    "rows": (_row_form, _apply_row, lambda: RowSpec(label="", indicator=""), lambda row: row.label),
    "columns": (_column_form, _apply_column, lambda: ColumnSpec(header="", kind=""), lambda column: column.header),
}


def _sheet_item_page(slug: str, s: int, kind: str, i: int | None):
    """Add (i is None) or change item i of a sheet's rows or columns."""
    existing_template(slug)
    make_form, apply, blank_item, name_of = SHEET_ITEMS[kind]
    defn = working_definition(slug)
    sheet = _sheet_or_404(defn, s)
    items = getattr(sheet, kind)
    what = kind[:-1]
    if i is None:
        form = make_form(None)

        def change(d):
            item = blank_item()
            apply(form, item)
            getattr(d.sheets[s], kind).append(item)

        return _save_change(slug, form, f"sheets[{s}].{kind}[{len(items)}]", change, "item.html",
                            title=f"Add a {what} to '{sheet.name}'", what=what)
    item = _item_or_404(items, i)
    form = make_form(item)
    return _save_change(slug, form, f"sheets[{s}].{kind}[{i}]", lambda d: apply(form, getattr(d.sheets[s], kind)[i]),
                        "item.html", title=f"Change {what} '{name_of(item)}'", what=what)


def _sheet_item_view(kind: str, adding: bool):
    @roles_required(*ADMINS)
    def view(slug, s, i=None):
        return _sheet_item_page(slug, s, kind, None if adding else i)

    return view


for _kind, _singular in (("rows", "row"), ("columns", "column")):
    bp.add_url_rule(f"/<slug>/sheets/<int:s>/{_kind}/new", f"{_singular}_new", _sheet_item_view(_kind, True),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"/<slug>/sheets/<int:s>/{_kind}/<int:i>", f"{_singular}_edit", _sheet_item_view(_kind, False),
                    methods=["GET", "POST"])


def _check_page(slug: str, index: int | None):
    """Add a check across figures (index None) or change check ``index``: its rows and
    columns are chosen from the template's own labels and headers."""
    existing_template(slug)
    defn = working_definition(slug)
    current = None
    if index is not None:
        current = _item_or_404(defn.cross_rules, index)
    form = CrossRuleForm(data=None if current is None or request.method == "POST" else {
        "kind": current.kind, "sheet": current.sheet, "message": current.message, "tolerance": current.tolerance,
        "part_rows": [p.row for p in current.parts if p.row],
        "part_columns": [p.column for p in current.parts if p.column],
        "total_row": current.total.row if current.total else "",
        "total_column": current.total.column if current.total else ""})
    form.fill(defn)
    at = len(defn.cross_rules) if index is None else index

    def change(d):
        parts = [FieldSelector(row=r) for r in form.part_rows.data or []]
        parts += [FieldSelector(column=c) for c in form.part_columns.data or []]
        total = None
        if form.total_row.data or form.total_column.data:
            total = FieldSelector(row=form.total_row.data or "", column=form.total_column.data or "")
        rule = CrossRule(kind=form.kind.data, sheet=form.sheet.data or "", parts=parts, total=total,
                         message=form.message.data or "", tolerance=_number(form.tolerance.data) or 0)
        if index is None:
            d.cross_rules.append(rule)
        else:
            d.cross_rules[index] = rule

    return _save_change(slug, form, f"cross_rules[{at}]", change, "item.html",
                        title="Add a check across figures" if index is None else "Change a check across figures",
                        what="check")


@bp.route("/<slug>/checks/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def check_new(slug):
    return _check_page(slug, None)


@bp.route("/<slug>/checks/<int:i>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def check_edit(slug, i):
    return _check_page(slug, i)


REMOVABLE = {
    "sheets": lambda d, s, i: d.sheets,
    "rows": lambda d, s, i: d.sheets[s].rows,
    "columns": lambda d, s, i: d.sheets[s].columns,
    "checks": lambda d, s, i: d.cross_rules,
}


def check_text(rule) -> str:
    """A check across figures in words: its kind, sheet, parts and total."""
    parts = ", ".join(p.describe() for p in rule.parts) or "each figure"
    total = f" against {rule.total.describe()}" if rule.total else ""
    return f"{CROSS_KIND_LABELS.get(rule.kind, rule.kind)}, on '{rule.sheet or 'each sheet'}': {parts}{total}"


REMOVED_WHAT = {"sheets": "sheet", "rows": "row", "columns": "column", "checks": "check"}


def _removal(defn, kind: str, s: int, i: int) -> tuple[list[tuple[str, str]], str]:
    """What removing item (kind, s, i) takes away, as summary rows and a sentence."""
    if kind == "sheets":
        sheet = defn.sheets[s]
        return [("Sheet", sheet.name), ("Rows", str(len(sheet.rows))), ("Columns", str(len(sheet.columns)))], \
            f"sheet '{sheet.name}'"
    if kind == "rows":
        row = defn.sheets[s].rows[i]
        return [("Sheet", defn.sheets[s].name), ("Row", row.label)], \
            f"row '{row.label}' of sheet '{defn.sheets[s].name}'"
    if kind == "columns":
        column = defn.sheets[s].columns[i]
        return [("Sheet", defn.sheets[s].name), ("Column", column.header)], \
            f"column '{column.header}' of sheet '{defn.sheets[s].name}'"
    rule = defn.cross_rules[i]
    text = check_text(rule)
    return [("Check", text)] + ([("Message", rule.message)] if rule.message else []), f"check '{text}'"


@bp.route("/<slug>/remove/<kind>/<int:s>/<int:i>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def remove(slug, kind, s, i):
    """Remove a sheet (s), a row or column (i of sheet s) or a check (i): GET says what
    will go, POST (from that page) removes it from the draft."""
    template = existing_template(slug)
    if kind not in REMOVABLE:
        abort(404)
    defn = working_definition(slug)
    try:
        items = REMOVABLE[kind](defn, s, i)
        _item_or_404(items, s if kind == "sheets" else i)
    except IndexError:
        abort(404)
    going, what = _removal(defn, kind, s, i)
    back = url_for("return_templates.detail", slug=slug)
    if request.method == "GET":
        return confirm_page(Confirmation(
            title=f"Remove a {REMOVED_WHAT[kind]}", going=[("Template", template.name)] + going,
            consequence=f"The {what} will be removed from the draft of {template.name}; the published version "
                        "is unchanged until you publish the draft.",
            button=f"Yes, remove the {REMOVED_WHAT[kind]}", back_url=back))
    if not DestroyForm().validate_on_submit():
        abort(400)
    try:
        edit_definition(slug, current_user, lambda d: REMOVABLE[kind](d, s, i).pop(s if kind == "sheets" else i),
                        what=f"removed {what}")
    except ServiceError as error:
        flash(error.message or str(error), "error")
    else:
        flash("Removed. The change is a draft until you publish it.", "success")
    return redirect(back)


# ---- a template from an agency's own spreadsheet ----------------------------------------


@bp.route("/from-example", methods=["GET", "POST"])
@roles_required(*ADMINS)
def from_example():
    form = ExampleForm()
    form.agency.choices = options([("", "Choose an agency")] + [(a.slug, a.name) for a in agencies_by_name()])
    summary: list[str] = []
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            version = create_from_example(upload_file.read(), upload_file.filename or "example.xlsx",
                                          agency_slug=form.agency.data, period_text=form.period.data,
                                          user=current_user)
        except TemplateProblems as error:
            summary = [p.message for p in error.problems]
        except ServiceError as error:
            summary = put_service_errors(form, error)
        else:
            flash("We proposed a template from the spreadsheet. Check what we recognised, correct it, then publish.",
                  "success")
            return redirect(url_for("return_templates.proposal", slug=version.template.slug))
    status = 400 if form.errors or summary else 200
    return render_template("return_templates/from_example.html", form=form, summary=summary,
                           title="Create a template from an agency's spreadsheet"), status


def _correction_choices(form):
    form.indicator.choices = options([("", "Choose an indicator")] + [(i.slug, i.name) for i in indicators_by_name()])
    form.area.choices = options([("", "Choose an area")] + [(a.code, a.name) for a in areas_by_name()])
    return form


def _render_proposal(slug: str, failed: CorrectionForm | None = None, status: int = 200,
                     failed_fixed: FixedForm | None = None):
    view = proposal_view(slug, current_user)
    sheets = [(sheet, example_grid(sheet.grid, sheet.tags)) for sheet in view.sheets]
    choices = _correction_choices(CorrectionForm(formdata=None))
    fixed_choices = _correction_choices(FixedForm(formdata=None))
    return render_template("return_templates/proposal.html", view=view, sheets=sheets, failed=failed,
                           failed_fixed=failed_fixed, choices=choices, fixed_choices=fixed_choices,
                           kinds=PROPOSAL_KINDS, value_text=figure_value_text, confirm=ConfirmForm(),
                           flag_labels=FLAG_LABELS, title=f"Check the proposal: {view.template.name}"), status


@bp.route("/<slug>/proposal")
@roles_required(*ADMINS)
def proposal(slug):
    return _render_proposal(slug)


@bp.route("/<slug>/proposal/correct", methods=["POST"])
@roles_required(*ADMINS)
def correct(slug):
    existing_template(slug)
    form = _correction_choices(CorrectionForm())
    if form.validate_on_submit():
        value = {"indicator": form.indicator.data, "area": form.area.data, "period": form.period.data}.get(
            form.kind.data)
        try:
            correct_header(slug, current_user, sheet=form.sheet.data, table=form.table.data, side=form.side.data,
                           label=form.label.data, kind=form.kind.data, value=value,
                           sign=-1 if form.sign_flipped.data else 1, scale=float(form.scale.data),
                           blank=form.blank.data)
        except TemplateProblems as error:
            form.kind.errors = list(form.kind.errors) + [p.message for p in error.problems]
        except ServiceError as error:
            form.kind.errors = list(form.kind.errors) + put_service_errors(form, error)
        else:
            flash(f"'{form.label.data}' is corrected in the draft. The preview below shows what it now reads.",
                  "success")
            return redirect(url_for("return_templates.proposal", slug=slug) + "#preview")
    return _render_proposal(slug, failed=form, status=400)


@bp.route("/<slug>/proposal/fixed", methods=["POST"])
@roles_required(*ADMINS)
def fix_table(slug):
    """What every figure of one table is for, where its rows and columns do not say."""
    existing_template(slug)
    form = _correction_choices(FixedForm())
    if form.validate_on_submit():
        # Only the dimensions the page offered for this table are sent; the rest stay as they are.
        values = {name: getattr(form, name).data or None for name in ("indicator", "area", "period", "measure")
                  if name in request.form}
        try:
            set_table_fixed(slug, current_user, sheet=form.sheet.data, table=form.table.data, values=values)
        except TemplateProblems as error:
            form.sheet.errors = list(form.sheet.errors) + [p.message for p in error.problems]
        except ServiceError as error:
            form.sheet.errors = list(form.sheet.errors) + put_service_errors(form, error)
        else:
            flash("The table's fixed values are saved in the draft. The preview below shows what it now reads.",
                  "success")
            return redirect(url_for("return_templates.proposal", slug=slug) + "#preview")
    return _render_proposal(slug, failed_fixed=form, status=400)


@bp.route("/<slug>/reference-copy")
@roles_required(*MANAGERS)
def reference_copy_download(slug):
    """The agency's spreadsheet the template was made from, as it was uploaded."""
    try:
        filename, body = reference_copy(slug, current_user)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("return_templates.index"))
    return send_file(io.BytesIO(body), as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ---- the blank standard return ----------------------------------------------------------


@bp.route("/<slug>/blank")
@roles_required(*UPLOADERS)
def blank(slug):
    """Choose an agency and period; with both given, download the blank return."""
    template = existing_template(slug)
    choices = blank_return_choices(template, current_user)
    agency, period = request.args.get("agency"), request.args.get("period")
    errors = {}
    if agency is not None or period is not None:
        try:
            filename, body = blank_return_for(slug, agency or "", period or "", current_user)
        except ServiceError as error:
            errors = error.field_errors or {"period": [error.message]}
        else:
            return send_file(body, as_attachment=True, download_name=filename,
                             mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    status = 400 if errors else 200
    return render_template("return_templates/blank.html", template=template, agencies=choices, errors=errors,
                           agency=agency, period=period, title=f"Download a blank return: {template.name}"), status

