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
        "translation_status": "Translation status", "guides": "Guides", "page": "Page", "translated": "translated",
        "missing": "missing", "stale": "stale", "to_review": "to review", "invalid": "invalid",
        "guide_state": "follows the English", "current": "current", "untracked": "unknown",
        "stale_guide": "This translation was made from an earlier version of the guide; the English has "
                       "changed since. See <a href=\"{href}\">the English guide</a> for the current text.",
        "status_intro": "How much of each page is translated. Missing and stale notes, and translations "
                        "waiting for review, are shown in English; "
                        "the translators' guide explains how to help.",
        "code_label": "Code; arrow keys move between names, Enter highlights a name",
        "no_results": "No results", "search_results": "Search results", "close": "Close",
        "theme_auto": "Theme: follows the system (click for dark or light)", "theme_dark": "Theme: dark",
        "theme_light": "Theme: light", "figure": "Figure",
    },
    "zh": {
        "skip": "跳到正文", "breadcrumbs": "导航路径", "language": "语言", "toggle_theme": "切换深色模式",
        "pager": "上一页和下一页", "paper": "论文", "view_source": "查看源代码", "permalink": "本行的永久链接",
        "contents": "目录", "implementations": "全部实现", "search": "搜索",
        "colophon": "左侧的注释讲解右侧的代码。",
        "translation_status": "翻译进度", "guides": "指南", "page": "页面", "translated": "已翻译", "missing": "缺失",
        "stale": "过时", "to_review": "待审校", "invalid": "无效",
        "guide_state": "与英文版同步", "current": "是", "untracked": "未知",
        "stale_guide": "本译文依据的是这篇指南较早的英文版本，英文版此后已有改动。最新内容请参阅"
                       "<a href=\"{href}\">英文版指南</a>。",
        "status_intro": "各页面的翻译进度。缺失、过时或待审校的注释以英文显示；参与翻译的方法见译者指南。",
        "code_label": "代码；方向键在名称之间移动，回车键高亮该名称",
        "no_results": "没有结果", "search_results": "搜索结果", "close": "关闭",
        "theme_auto": "主题：跟随系统（点击切换深色或浅色）", "theme_dark": "主题：深色", "theme_light": "主题：浅色",
        "figure": "图",
    },
    "ja": {
        "skip": "本文へ移動", "breadcrumbs": "パンくずリスト", "language": "言語",
        "toggle_theme": "ダークモードの切り替え",
        "pager": "前後のページ", "paper": "論文", "view_source": "ソースを見る", "permalink": "この行へのリンク",
        "contents": "目次", "implementations": "すべての実装", "search": "検索",
        "colophon": "左側の解説が右側のコードを説明します。",
        "translation_status": "翻訳の状況", "guides": "ガイド", "page": "ページ", "translated": "翻訳済み",
        "missing": "未翻訳",
        "stale": "古い", "to_review": "要確認", "invalid": "無効",
        "guide_state": "英語版との対応", "current": "最新", "untracked": "不明",
        "stale_guide": "この翻訳は、このガイドの以前の英語版をもとにしています。英語版はその後更新されています。"
                       "最新の内容は<a href=\"{href}\">英語版のガイド</a>をご覧ください。",
        "status_intro": "ページごとの翻訳の進み具合です。未翻訳、古くなった、または確認待ちの注釈は英語で表示されます。"
                        "協力の方法は翻訳者ガイドをご覧ください。",
        "code_label": "コード。矢印キーで名前の間を移動し、Enter キーで名前をハイライトします",
        "no_results": "見つかりませんでした", "search_results": "検索結果", "close": "閉じる",
        "theme_auto": "テーマ：システムに従う（クリックでダーク／ライト）", "theme_dark": "テーマ：ダーク",
        "theme_light": "テーマ：ライト", "figure": "図",
    },
}


def ui_text(lang: str) -> dict[str, str]:
    return {**UI_TEXT["en"], **UI_TEXT.get(lang, {})}


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)
