"""The translation store: JSON files of English note HTML → translated HTML, merged at build time.

- `store`: read (precise errors, never lossy) and write (deterministic, atomic) one file.
- `validate`: the rules a translated value must pass, and the sanitizer.
- `keys`: which keys a source page has today.
- `merge`: the engine's hook (`TranslationMerge`).
- `status`: per-page coverage for the CLI and the site's status page (translated, to review, stale, ...).
- `diff`: the word diff of two versions of a note's English, shown for stale notes.
- `cjk`: line breaks inside Chinese and Japanese text that would render as stray spaces.
- `guides`: translated guides and the English version they follow (`english_hash`).
- `cli`: `python -m site_builder translations status|extract|update|confirm|check|prune|import`.
"""
