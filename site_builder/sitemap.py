"""sitemap.xml: every page, with its language alternates (well-formed by construction)."""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET

_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XHTML = "http://www.w3.org/1999/xhtml"


def sitemap_xml(base_url: str, pages: Iterable[tuple[str, list[tuple[str, str]]]]) -> bytes:
    """`pages`: (URL relative to the site, [(language, URL of the page in it)]); URLs are joined to
    `base_url` ("/" when the site has no site_url)."""
    ET.register_namespace("", _SITEMAP)
    ET.register_namespace("xhtml", _XHTML)
    urlset = ET.Element(f"{{{_SITEMAP}}}urlset")
    for url, alternates in pages:
        node = ET.SubElement(urlset, f"{{{_SITEMAP}}}url")
        ET.SubElement(node, f"{{{_SITEMAP}}}loc").text = base_url + url
        for lang, other in alternates:
            ET.SubElement(node, f"{{{_XHTML}}}link", rel="alternate", hreflang=lang, href=base_url + other)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
