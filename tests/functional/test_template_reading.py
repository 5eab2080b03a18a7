"""Reading returns with a template version's definition, shared between uploads."""
from sqlalchemy import select

from app.definition import TemplateDefinition
from app.extensions import db
from app.models import ReturnTemplate, TemplateVersion
from app.services.return_templates import create_template, definition_for_reading, definition_of, edit_definition


def test_the_definition_read_with_is_the_stored_one_and_is_built_once(app, demo):
    version = db.session.scalar(select(TemplateVersion).where(TemplateVersion.status == "published").limit(1))

    first = definition_for_reading(version.id)

    assert first.to_dict() == definition_of(version).to_dict()
    assert definition_for_reading(version.id) is first


def test_a_draft_changed_in_place_is_read_as_it_now_is(app):
    draft = create_template(TemplateDefinition(slug="reading-draft", name="Before"), None)
    before = definition_for_reading(draft.id)

    def rename(defn):
        defn.name = "After"

    edited = edit_definition("reading-draft", None, rename)

    assert edited.id == draft.id  # a draft is changed in place, under the same id
    assert before.name == "Before"
    assert definition_for_reading(draft.id).name == "After"
    assert db.session.scalar(select(ReturnTemplate.name).where(ReturnTemplate.slug == "reading-draft")) == "After"
