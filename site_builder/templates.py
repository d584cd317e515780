"""The theme's Jinja environment: every value escaped, compiled templates kept across rebuilds."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import jinja2
import jinja2.bccache

from . import site_folder
from .figures import figures


class _TemplateCode(jinja2.BytecodeCache):
    """Compiled templates, kept in memory for the life of the process and in the build cache between
    processes (compiling the theme's templates is a tenth of a second). Jinja checks each entry's
    source checksum and Python version on loading: an edited template is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}
        self.disk = None  # a DiskCache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is None and self.disk is not None:
            stored = self.disk.get("templates", bucket.key)
            code = stored if isinstance(stored, bytes) else None
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()
        if self.disk is not None:
            self.disk.put("templates", bucket.key, self.code[bucket.key])

    def get_bucket(self, environment, name, filename, source):
        # Code compiled with autoescape differs from code compiled without: keep them apart.
        return super().get_bucket(environment, f"{name}|{bool(environment.autoescape)}", filename, source)


_TEMPLATE_CODE = _TemplateCode()


def prepare_environment(env: jinja2.Environment, our_theme: bool, cache=None) -> jinja2.Environment:
    """mkdocs makes a new environment for each build; compiled templates survive in `_TEMPLATE_CODE`
    (and in `cache`, a DiskCache, between processes). Our theme escapes every value it prints (only
    rendered HTML is marked `|safe` in the templates)."""
    if our_theme:
        env.autoescape = True
    _TEMPLATE_CODE.disk = cache
    env.bytecode_cache = _TEMPLATE_CODE
    env.filters["figures"] = figures
    return env


STORED = "#stored"  # suffix of a template name whose output is taken from the cache when it can be


class _StoredOutput:
    """A page template that is not rendered again when everything it is given is unchanged (`html_key`
    in its context) and the page the last build wrote for that key is still in the site folder: the
    cache holds only a hash of that output, and the page is read back from the site. A page the last
    build left untouched since (`trusted`: file → key, from `last_build`) needs no hash either. The
    context's `S` may come as a function that makes it, called only when the template is rendered."""

    def __init__(self, template: jinja2.Template, cache, trusted: dict[str, str], outputs: dict[str, str]):
        self.template, self.cache, self.trusted, self.outputs = template, cache, trusted, outputs

    def render(self, context: dict) -> str:
        key = context.get("html_key")
        page = context.get("page")
        dest = getattr(getattr(page, "file", None), "abs_dest_path", None)
        if key is not None and dest:
            dest = os.path.abspath(dest)
            trusted = self.trusted.get(dest) == key
            stored = None if trusted else self.cache.get("html", key)
            if trusted or isinstance(stored, str):
                folder = site_folder.folder_of(dest)
                try:
                    data = folder.read_back(Path(dest)) if folder else Path(dest).read_bytes()
                except OSError:
                    data = None
                if data is not None and (trusted or hashlib.sha1(data).hexdigest() == stored):
                    self.outputs[dest] = key
                    return data.decode("utf-8")
        if callable(context.get("S")):  # made only now that the page is rendered
            context["S"] = context["S"]()
        output = self.template.render(context)
        if key is not None and dest:
            self.cache.put("html", key, hashlib.sha1(output.encode("utf-8", "xmlcharrefreplace")).hexdigest())
            self.outputs[dest] = key
        return output


def store_page_output(env: jinja2.Environment, cache, trusted: dict[str, str] | None = None) -> dict[str, str]:
    """Templates asked for as `<name>#stored` (pages set it in their meta) keep their output in
    `cache`. Other names, including those Jinja asks for itself (`extends`), are untouched. Returns
    the key of every page output this build renders or reads back, by file (filled as it goes)."""
    get_template = env.get_template
    outputs: dict[str, str] = {}

    def get_stored_template(name, *args, **kwargs):
        if isinstance(name, str) and name.endswith(STORED):
            return _StoredOutput(get_template(name[: -len(STORED)], *args, **kwargs), cache, trusted or {}, outputs)
        return get_template(name, *args, **kwargs)

    env.get_template = get_stored_template  # type: ignore[method-assign]
    return outputs


def theme_digest(template_dirs: list[str]) -> str:
    """Of every template the theme may use (an override in `custom_dir` included)."""
    from .cache import content_key

    files = sorted((str(p), p.read_bytes()) for d in template_dirs for p in Path(d).rglob("*.html"))
    return content_key(files)
