"""Helpers shared by every blueprint's forms."""
from app.services import ServiceError


def put_service_errors(form, error: ServiceError) -> list[str]:
    """Attach a service's messages to the form's fields; return those that belong to no field."""
    leftovers = [] if error.field_errors or not error.message else [error.message]
    for name, messages in error.field_errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
        else:
            leftovers += list(messages)
    return leftovers
