"""Pictures of the published content, drawn as SVG on the server: the map of the region, who works with whom, and
stacked bars of entries by kind (see docs/pictures.md). The template tags of outcomes/templatetags/pictures.py put
them in the pages."""
