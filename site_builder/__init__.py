"""Turn heavily commented Python files into side-by-side notes/code pages.

Data flows one way: source text → rows (`parser`) → rendered rows (`notes`, `highlight`, `katex`)
→ page HTML (`render`) → site (`plugin`, for mkdocs). Parsing and rendering are pure; I/O lives in
`engine` (reading sources, caching) and the mkdocs `plugin`.
"""

__version__ = "0.1.0"
