"""The API's description: ``/api/v1/openapi.json`` and the interactive page ``/api/docs``,
whose Swagger UI assets are served from the installed ``swagger-ui-py`` package (no CDN)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template_string,
    send_from_directory,
)

from ..openapi import build_spec

SWAGGER_STATIC = Path(swagger_ui.__file__).with_name("static")
ASSETS = frozenset({"swagger-ui.css", "index.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png", "favicon-16x16.png"})

bp = Blueprint("docs", __name__)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>MectoFitness Sessions API</title>
  <link rel="stylesheet" href="{{ url_for('docs.asset', name='swagger-ui.css') }}">
  <link rel="icon" type="image/png" href="{{ url_for('docs.asset', name='favicon-32x32.png') }}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ url_for('docs.asset', name='swagger-ui-bundle.js') }}"></script>
  <script src="{{ url_for('docs.asset', name='swagger-ui-standalone-preset.js') }}"></script>
  <script>
    window.onload = function () {
      // Same-origin calls carry the session cookie, so a logged-in trainer can try calls.
      window.ui = SwaggerUIBundle({
        url: "{{ url_for('docs.openapi') }}",
        dom_id: "#swagger-ui",
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout",
        validatorUrl: null,
        withCredentials: true
      });
    };
  </script>
</body>
</html>
"""


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    spec = current_app.extensions.get("mecto_openapi")
    if spec is None:
        spec = current_app.extensions["mecto_openapi"] = build_spec(current_app)
    return jsonify(spec)


@bp.get("/api/docs")
def page() -> str:
    return render_template_string(PAGE)


@bp.get("/api/docs/static/<name>")
def asset(name: str) -> Response:
    if name not in ASSETS:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    return send_from_directory(SWAGGER_STATIC, name, max_age=86400)
