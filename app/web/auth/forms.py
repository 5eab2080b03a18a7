from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from app.services.accounts import PASSWORD_MIN_LENGTH

PASSWORD_HINT = (f"At least {PASSWORD_MIN_LENGTH} characters, not a common password and not your email address. "
                 "A few unrelated words make a good one.")


def email_field() -> EmailField:
    """The email address someone signs in with (the sign-in and the forgotten password forms)."""
    return EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address like name@council.gov.uk"),
            Length(max=254),
        ],
    )


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired(message="Enter your password")]
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgottenPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    """The rules are the service's (``password_problems``); the form only asks twice."""
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=PASSWORD_HINT,
        validators=[InputRequired(message="Enter a new password")],
    )
    confirm = PasswordField(
        "Enter the new password again",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter the new password again")],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


def code_field(label: str, description: str, missing: str) -> StringField:
    """A code from the authenticator app (or, where the description says so, a recovery code)."""
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[InputRequired(message=missing), Length(max=40)],
    )


APP_CODE = "Code from your authenticator app"
MISSING_APP_CODE = "Enter the 6-digit code from your authenticator app"


class TwoFactorForm(FlaskForm):
    code = code_field("Code", "The 6-digit code your authenticator app shows now, or one of your recovery codes.",
                      "Enter the code from your authenticator app")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpTwoFactorForm(FlaskForm):
    code = code_field(APP_CODE, "The 6-digit code the app shows once you have added this service to it.",
                      MISSING_APP_CODE)
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class NewRecoveryCodesForm(FlaskForm):
    code = code_field(APP_CODE, "The 6-digit code your authenticator app shows now (not a recovery code).",
                      MISSING_APP_CODE)
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())
