"""The public start page."""

from __future__ import annotations

from flask import Blueprint, render_template

from . import models  # noqa: F401 - registers the draft and upload tables

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")
