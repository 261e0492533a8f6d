"""Sphinx extension of the course website (make site).

1. A stored figure's alt text becomes its <img alt>.

A notebook stores the description of each figure in the output's metadata,
``{"image/png": {"alt": ...}}`` (cnn_helpers.viz.describe); nbconvert and JupyterLab use it,
MyST-NB 1.x reads only width and height from there. This wraps MyST-NB's image renderer
to copy the alt text onto the image node as well.

2. Each script is included once: Jupyter Book 1 registers sphinx-thebe's inline script twice,
which throws "Identifier 'THEBE_JS_URL' has already been declared" on every page.

3. The theme's colour mode starts as light (an empty mode makes the theme log an error).

4. The Chinese edition's pages (README.zh, notebooks/zh/) say so: ``<html lang="zh-CN">``, so a
screen reader reads them with a Chinese voice.
"""

from __future__ import annotations


def setup(app):
    from myst_nb.core.render import NbElementRenderer

    render_image = NbElementRenderer.render_image
    if getattr(render_image, "_with_alt", False):
        return {"parallel_read_safe": True, "parallel_write_safe": True}

    def with_alt(self, data):
        nodes = render_image(self, data)
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        if alt:
            for node in nodes:
                node["alt"] = str(alt)
        return nodes

    with_alt._with_alt = True
    NbElementRenderer.render_image = with_alt
    app.connect("html-page-context", _once_each_and_light, priority=900)  # after every other extension
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _once_each_and_light(app, pagename, templatename, context, doctree):
    seen, scripts = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "", sorted(getattr(script, "attributes", {}).items()))
        if repr(key) not in seen:  # the same script twice, whatever its priority
            seen.add(repr(key))
            scripts.append(script)
    context["script_files"][:] = scripts
    context["default_mode"] = context["theme_default_mode"] = "light"
    if pagename == "README.zh" or pagename.startswith("notebooks/zh/"):
        context["language"] = "zh-CN"

