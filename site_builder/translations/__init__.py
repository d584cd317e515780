"""The translation store: JSON files of English note HTML → translated HTML, merged at build time.

- `store`: read (precise errors, never lossy) and write (deterministic, atomic) one file.
- `validate`: the rules a translated value must pass, and the sanitizer.
- `keys`: which keys a source page has today.
- `merge`: the engine's hook (`TranslationMerge`).
- `status`: per-page coverage for the CLI and the site's status page.
- `cli`: `python -m site_builder translations status|extract|check|prune`.
"""
