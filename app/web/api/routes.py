"""The API's endpoints: each validates with its schema, calls one service, answers JSON.
See the package's rules for authentication, CSRF and errors. A schema is named by its
class in ``schemas.py`` (flask-smorest gets the class when the API is built)."""
from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.errors import Forbidden, NotFound, ServiceError
from app.services import api as api_service
from app.services.api_tokens import ApiRefused, TooManyRequests, authenticate, count_request
from app.web.access import public
from app.web.api import bp, built_api

OPEN = ("api.openapi_json", "api.docs")
ERROR_NAMES = {400: "The request could not be read", 401: "No valid API token", 403: "The token may not do this",
               404: "Not found", 413: "The request is too large", 422: "The request has problems",
               429: "Too many requests for this token"}


def token_view(view):
    """Reached with an API token (checked in ``check_token``), never with a session."""
    view.allowed_roles = "api token"
    return view


def documented(*codes):
    """Each error status the endpoint may answer with, in the OpenAPI document."""
    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, schema="ErrorsSchema", description=ERROR_NAMES[code])(view)
        return view
    return decorate


def _request() -> dict:
    return {"method": request.method, "path": request.path[:200]}


@bp.before_request
def check_token():
    count_request(request.headers.get("Authorization"), request.remote_addr)  # every request, the document's too
    if request.endpoint in OPEN:
        return None
    if not request.mimetype.startswith("multipart/") and \
            (request.content_length or 0) > current_app.config["API_MAX_JSON_BYTES"]:
        return _errors(413, [{"field": "request", "message": (
            f"A JSON request may be at most {current_app.config['API_MAX_JSON_BYTES']:,} bytes: send the return "
            "as its spreadsheet, or in parts.")}])
    g.api_caller = authenticate(request.headers.get("Authorization"), _request())
    return None


def _errors(status: int, errors: list[dict], **extra):
    response = jsonify({"errors": errors, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Safer Returns API"'
    return response


@bp.errorhandler(ApiRefused)
def refused(error: ApiRefused):
    return _errors(error.status, [{"field": "Authorization", "message": error.message}])


@bp.errorhandler(TooManyRequests)
def too_many(error: TooManyRequests):
    response = _errors(429, [{"field": "request", "message": error.message}])
    response.headers["Retry-After"] = str(error.wait_seconds)
    return response


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    errors = [{"field": field, "message": message} for field, messages in error.field_errors.items()
              for message in messages]
    return _errors(422, errors or [{"field": "request", "message": error.message}])


@bp.errorhandler(api_service.Rejected)
def rejected(error: api_service.Rejected):
    return _errors(422, error.errors, outcome="rejected", problems=error.problems)


@bp.errorhandler(NotFound)
def not_found(error):
    return _errors(404, [{"field": "request", "message": "There is no such thing here."}])


@bp.errorhandler(Forbidden)
def forbidden(error):
    return _errors(403, [{"field": "Authorization", "message": "This token may not do that."}])


def http_error(error):
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:  # webargs: {location: {field: [messages] | {nested...}}}
        return _errors(422, list(_flatten(messages)))
    if not isinstance(error, HTTPException):  # an unexpected failure (500): nothing is half-stored
        return _errors(500, [{"field": "request", "message": "Sorry, there is a problem with the service: nothing "
                                                             "was stored. Try again later."}])
    message = {413: "The request is larger than the service accepts."}.get(error.code, error.description or error.name)
    return _errors(error.code or 500, [{"field": "request", "message": str(message)}])


# By status as well as by class: Flask looks for the app's handler of a status (the pages')
# before a blueprint's handler of a class.
for _code in (400, 401, 403, 404, 405, 413, 415, 422, 429, 500):
    bp.register_error_handler(_code, http_error)
bp.register_error_handler(HTTPException, http_error)


def _flatten(messages, prefix: str = ""):
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key not in ("json", "query", "form", "files") else ""
            yield from _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield {"field": prefix or "request", "message": message}
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, prefix)
    else:
        yield {"field": prefix or "request", "message": str(messages)}


# ---- the document and its page --------------------------------------------------------------

@bp.route("/openapi.json")
@bp.doc(security=[], summary="This document (OpenAPI 3)",
        responses={"200": {"description": "The OpenAPI document", "content": {"application/json": {}}}})
@public
def openapi_json():
    return jsonify(built_api(current_app).spec.to_dict())


@bp.route("/docs")
@bp.doc(security=[], summary="This document as a page",
        responses={"200": {"description": "A page", "content": {"text/html": {}}}})
@public
def docs():
    spec = built_api(current_app).spec.to_dict()
    return render_template("api/docs.html", spec=spec, title="The Safer Returns API")


# ---- templates ------------------------------------------------------------------------------

@bp.route("/templates")
@bp.doc(summary="The templates the token's agency submits, with the fields figures are typed into",
        security=[{"token": []}])
@bp.arguments("TemplateArgs", location="query")
@bp.response(200, "TemplatePageSchema")
@documented(401, 403, 429)
@token_view
def templates(args):
    return api_service.agency_templates(g.api_caller, args.get("period"), args["page"], args["per_page"], _request())


# ---- submitting -----------------------------------------------------------------------------

@bp.route("/returns", methods=["POST"])
@bp.doc(summary="Submit a return as values (dry_run: check and preview only)", security=[{"token": []}])
@bp.arguments("SubmitValuesSchema")
@bp.response(200, "OutcomeSchema")
@documented(400, 401, 403, 413, 429)
@token_view
def submit_values(body):
    return api_service.submit_values(g.api_caller, body, request.get_data(cache=True), _request())


@bp.route("/returns/file", methods=["POST"])
@bp.doc(summary="Submit a return as its spreadsheet (dry_run: check and preview only)", security=[{"token": []}])
@bp.arguments("SubmitFileSchema", location="files")
@bp.response(200, "OutcomeSchema")
@documented(400, 401, 403, 413, 429)
@token_view
def submit_file(form):
    upload = form.pop("file")
    if not hasattr(upload, "read"):
        raise ServiceError(field_errors={"file": ["Send the return's spreadsheet as a file."]})
    return api_service.submit_file(g.api_caller, upload.read(), upload.filename or "", form, _request())


# ---- reading back ---------------------------------------------------------------------------

@bp.route("/submissions")
@bp.doc(summary="The agency's submissions, newest first, with their status", security=[{"token": []}])
@bp.arguments("PageArgs", location="query")
@bp.response(200, "SubmissionPageSchema")
@documented(401, 403, 429)
@token_view
def submissions(args):
    return api_service.agency_submissions(g.api_caller, args["page"], args["per_page"], _request())


@bp.route("/submissions/<int:submission_id>")
@bp.doc(summary="One of the agency's submissions: status, figures, and what it changed", security=[{"token": []}])
@bp.response(200, "SubmissionDetailSchema")
@documented(401, 403, 404, 429)
@token_view
def submission(submission_id):
    return api_service.agency_submission(g.api_caller, submission_id, _request())


# ---- indicator values and ratings -----------------------------------------------------------

@bp.route("/indicators")
@bp.doc(summary="Indicator values and ratings (RAG) on the dashboard for a period (managers' tokens)",
        security=[{"token": []}])
@bp.arguments("ResultArgs", location="query")
@bp.response(200, "ResultPageSchema")
@documented(401, 403, 429)
@token_view
def indicators(args):
    return api_service.indicator_results(g.api_caller, args["period"], args["page"], args["per_page"], _request())
