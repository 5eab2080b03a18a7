"""The five seed tables as published templates, using the demo partnership's indicators.

``app.definition.demo_definitions`` builds them with slugs made from the seed labels;
the demo partnership gives its indicators shorter slugs, so rows are re-pointed by name.
"""
from app.definition import TemplateDefinition, demo_definitions, slugify


def demo_template_definitions(indicator_names_to_slugs: dict[str, str]) -> list[TemplateDefinition]:
    by_label_slug = {slugify(name): slug for name, slug in indicator_names_to_slugs.items()}
    definitions = demo_definitions()
    for defn in definitions:
        for sheet in defn.sheets:
            for row in sheet.rows:
                row.indicator = by_label_slug.get(row.indicator, row.indicator)
    return definitions
