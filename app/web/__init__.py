"""The web door onto the services: one blueprint package per area of the product."""
from flask import Blueprint


def registered_blueprints() -> list[Blueprint]:
    from app.web.admin import bp as admin_bp
    from app.web.auth import bp as auth_bp
    from app.web.dashboard import bp as dashboard_bp
    from app.web.dhr import bp as dhr_bp
    from app.web.main import bp as main_bp
    from app.web.performance import bp as performance_bp
    from app.web.plans import bp as plans_bp
    from app.web.return_templates import bp as return_templates_bp
    from app.web.returns import bp as returns_bp
    from app.web.targets import bp as targets_bp

    return [auth_bp, main_bp, admin_bp, return_templates_bp, dhr_bp, dashboard_bp, performance_bp, returns_bp,
            targets_bp, plans_bp]
