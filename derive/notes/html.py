"""One standalone HTML page from a Markdown walkthrough, its maths typeset by the bundled KaTeX.

The page needs no network and no other file: KaTeX's script, its stylesheet and its fonts (as
base64 data URIs) and every referenced SVG figure are written into the page itself. The Markdown
is read by markdown-it-py (CommonMark plus pipe tables) with the dollarmath plugin, so that the
LaTeX between ``$...$`` and ``$$...$$`` reaches KaTeX exactly as written: Markdown does not touch
its underscores, backslashes, ``\\\\`` line breaks or asterisks. Inside a table cell, a ``|`` in a
formula is written ``\\|`` as in GitHub's tables (or as ``\\vert``), because the cell split comes
first.

The shell of the page (head, stylesheet, typesetting script) is the template
``templates/page.html.j2``; this module fills in the strings. The same input gives byte-identical
output.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from urllib.parse import unquote

import jinja2
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar
from mdit_py_plugins.utils import is_code_block

KATEX_VERSION = "0.16.47"

# the value of <html lang>, for each language the walkthroughs are written in
HTML_LANGS = {"en": "en", "zh": "zh-CN"}

# KaTeX's @font-face src lists: the woff2 file, then woff and ttf alternatives that every browser
# able to run the page does without
_FONT_SRC = re.compile(
    r'src:url\(fonts/(?P<name>[A-Za-z0-9_-]+)\.woff2\) format\("woff2"\)'
    r'(?:,url\(fonts/[A-Za-z0-9_-]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\))*'
)
# what may stand before an SVG's root element and has no place inside an HTML body
_SVG_PROLOGUE = re.compile(r"\A(?:\s+|<\?xml[^>]*\?>|<!DOCTYPE[^>[]*(?:\[[^\]]*\])?\s*>|<!--.*?-->)*", re.DOTALL)


# A page made from someone else's Markdown (an annotated hand-in) loads nothing from anywhere: no image
# a document links (`![](http://...)`, a tracking pixel), no script or style but the page's own.
OFFLINE_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; font-src data:; "
                  "img-src data:; base-uri 'none'; form-action 'none'")


def page(markdown_text: str, title: str, lang: str, figures: Mapping[str, str] | None = None,
         untrusted: bool = False) -> str:
    """The standalone HTML page of ``markdown_text``.

    ``title`` is the page's <title>; ``lang`` is "en" or "zh". ``figures`` maps an image path as
    the Markdown writes it (``![caption](figures/network.svg)``) to that SVG's text, which is then
    written into the page in place of the image; an image whose path it does not hold stays an
    <img> tag, unless the Markdown is ``untrusted``: then it is named in the text, never loaded, and
    the page's Content-Security-Policy forbids loading anything.
    """
    try:
        html_lang = HTML_LANGS[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(sorted(HTML_LANGS))}") from None
    body = _body(_markdown(dict(figures or {}), untrusted), markdown_text)
    return _template().render(
        policy=Markup(f'\n<meta http-equiv="Content-Security-Policy" content="{OFFLINE_POLICY}">') if untrusted else "",
        html_lang=html_lang,
        title=escape(title),
        body=Markup(body.strip()),
        katex_version=KATEX_VERSION,
        katex_css=Markup(_katex_css()),
        katex_js=Markup(_katex_js()),
    )


# Headings listed in the table of contents (h2, h3) and given an anchor (h2 to h4).
TOC_LEVELS = ("h2", "h3")
ANCHOR_LEVELS = ("h2", "h3", "h4")


def _body(md: MarkdownIt, markdown_text: str) -> str:
    """The page's body: the title, a table of contents linking every section, then the rest, every
    heading with an id and a link to itself."""
    env: EnvType = {}
    tokens = md.parse(markdown_text, env)
    entries: list[tuple[str, str, str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ANCHOR_LEVELS:
            anchor = f"s{len(entries) + 1}"
            token.attrSet("id", anchor)
            tokens[i + 2].meta["anchor"] = anchor
            entries.append((token.tag, anchor, md.renderer.render(tokens[i + 1].children or [], md.options, env)))
    first = next((i + 1 for i, t in enumerate(tokens) if t.type == "heading_close" and t.tag == "h1"), 0)
    head = md.renderer.render(tokens[:first], md.options, env)
    rest = md.renderer.render(tokens[first:], md.options, env)
    return head + _contents([e for e in entries if e[0] in TOC_LEVELS]) + rest


def _contents(entries: list[tuple[str, str, str]]) -> str:
    """A nested list of links to the h2 and h3 headings."""
    if not entries:
        return ""
    html, open_sub = ['<nav class="toc">', "<ul>"], False
    for k, (tag, anchor, title) in enumerate(entries):
        if tag == "h3" and not open_sub and k:
            html[-1] = html[-1].removesuffix("</li>")
            html.append("<ul>")
            open_sub = True
        elif tag == "h2" and open_sub:
            html.append("</ul></li>")
            open_sub = False
        html.append(f'<li><a href="#{anchor}">{title}</a></li>')
    html.append("</ul></li></ul>" if open_sub else "</ul>")
    html.append("</nav>\n")
    return "\n".join(html)


def _markdown(figures: dict[str, str], untrusted: bool = False) -> MarkdownIt:
    """A Markdown reader for one page: CommonMark, pipe tables, dollar maths, inlined SVG figures."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # no $$...$$ (label): the walkthroughs number no equation; $$...$$ inside a line of text is
    # display maths, as in pandoc and on GitHub
    md.use(dollarmath_plugin, allow_labels=False, allow_blank_lines=False, double_inline=True)
    # the walkthroughs write "so\n$$\n...\n$$": a $$ line ends the paragraph above it, as a ``` fence
    # does, so that the formula's lines are taken whole, never read as Markdown
    block = math_block_dollar(allow_labels=False, allow_blank_lines=False)

    def math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if silent:  # only asked whether this line may end the paragraph above it
            if is_code_block(state, start_line):
                return False
            return state.src.startswith("$$", state.bMarks[start_line] + state.tShift[start_line])
        return block(state, start_line, end_line, silent)

    md.block.ruler.at("math_block", math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("math_inline", _maths('<span class="math inline">', "</span>"))
    md.add_render_rule("math_inline_double", _maths('<span class="math display">', "</span>"))
    md.add_render_rule("math_block", _maths('<div class="math display">', "</div>\n"))
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # MarkdownIt's own renderer, whose rules are a table
    default_image = renderer.rules["image"]

    def image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        svg = figures.get(src, figures.get(unquote(src)))
        children = token.children or []
        label = "".join(c.content for c in children if c.type in ("text", "math_inline"))
        if svg is None and untrusted:  # said, not loaded
            return f'<span class="image-left-out">[image not loaded: {escape(label)} ({escape(src)})]</span>'
        if svg is None:
            return default_image(tokens, idx, options, env)
        caption = self.renderInline(children, options, env)
        return (f'<span class="figure" role="figure" aria-label="{escape(label)}">{inline_svg(svg)}'
                f'<span class="caption">{caption}</span></span>')

    def heading_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        anchor = tokens[idx].meta.get("anchor")
        link = f' <a class="anchor" href="#{anchor}" aria-hidden="true">#</a>' if anchor else ""
        return f"{link}</{tokens[idx].tag}>\n"

    md.add_render_rule("image", image)
    md.add_render_rule("heading_close", heading_close)
    return md


def _maths(open_tag: str, close_tag: str) -> Callable[..., str]:
    """The render rule for one kind of maths token: its LaTeX, escaped, inside one element, which
    the page's script hands to KaTeX (class ``display`` for display maths)."""

    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"{open_tag}{escape(tokens[idx].content.strip())}{close_tag}"

    return render


def inline_svg(svg: str) -> str:
    """An SVG file's text as an element to write into an HTML body: without its XML declaration,
    its DOCTYPE and any comment before the root element."""
    return _SVG_PROLOGUE.sub("", svg, count=1).strip()


@cache
def _template() -> jinja2.Template:
    text = files("derive.templates").joinpath("page.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text)


def katex_js() -> str:
    """KaTeX's script, as the pages carry it inside (other pages with maths typeset it the same way)."""
    return _katex_js()


def katex_css() -> str:
    """KaTeX's stylesheet with its fonts inside, as the pages carry it."""
    return _katex_css()


def _katex_dir() -> Traversable:
    return files("derive.notes").joinpath("assets", "katex")


@cache
def _katex_js() -> str:
    return _katex_dir().joinpath("katex.min.js").read_text(encoding="utf-8").strip()


@cache
def _katex_css() -> str:
    """KaTeX's stylesheet with each font as a woff2 data URI, so that the page needs no other file."""
    fonts = _katex_dir().joinpath("fonts")

    def embed(match: re.Match[str]) -> str:
        data = fonts.joinpath(match["name"] + ".woff2").read_bytes()
        return f'src:url(data:font/woff2;base64,{base64.b64encode(data).decode("ascii")}) format("woff2")'

    css, count = _FONT_SRC.subn(embed, _katex_dir().joinpath("katex.min.css").read_text(encoding="utf-8"))
    if count == 0 or "url(fonts/" in css:
        raise RuntimeError("the bundled katex.min.css has font references this module cannot embed")
    return css.strip()
