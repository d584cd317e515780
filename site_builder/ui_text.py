"""The few words of the page chrome, per language (notes are translated in translations/)."""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "zh": "中文", "ja": "日本語"}
OG_LOCALES = {"en": "en_US", "zh": "zh_CN", "ja": "ja_JP"}

UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to content", "breadcrumbs": "Breadcrumbs", "language": "Language",
        "toggle_theme": "Toggle dark mode", "pager": "Previous and next pages", "paper": "Paper",
        "view_source": "View source", "permalink": "Permalink to this row", "contents": "Contents",
        "implementations": "All implementations",
        "search": "Search", "colophon": "Notes on the left explain the code on the right.",
    },
    "zh": {
        "skip": "跳到正文", "breadcrumbs": "导航路径", "language": "语言", "toggle_theme": "切换深色模式",
        "pager": "上一页和下一页", "paper": "论文", "view_source": "查看源代码", "permalink": "本行的永久链接",
        "contents": "目录", "implementations": "全部实现", "search": "搜索",
        "colophon": "左侧的注释讲解右侧的代码。",
    },
    "ja": {
        "skip": "本文へ移動", "breadcrumbs": "パンくずリスト", "language": "言語", "toggle_theme": "ダークモードの切り替え",
        "pager": "前後のページ", "paper": "論文", "view_source": "ソースを見る", "permalink": "この行へのリンク",
        "contents": "目次", "implementations": "すべての実装", "search": "検索",
        "colophon": "左側の解説が右側のコードを説明します。",
    },
}


def ui_text(lang: str) -> dict[str, str]:
    return {**UI_TEXT["en"], **UI_TEXT.get(lang, {})}


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)
