"""HTML pages via trafilatura (main text, title, date, site name), embedded tweets kept apart."""

from __future__ import annotations

import re
from collections.abc import Iterable

import justext
import lxml.html
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Document

from eventfuse.errors import InputError
from eventfuse.ingest.article import build_article
from eventfuse.ingest.clean import make_post, normalize_whitespace, parse_credit_line
from eventfuse.ingest.dates import parse_date
from eventfuse.ingest.decode import declares_entities
from eventfuse.ingest.lexicon import get_lexicon
from eventfuse.records import Article, EmbeddedPost
from eventfuse.settings import Options

# trafilatura's output tree: these elements are paragraphs of their own.
_TRAFILATURA_BLOCKS = frozenset(
    {"p", "head", "item", "row", "quote", "list", "table", "code", "div"}
)
# Plain HTML fragments (feed content): block-level tags.
_HTML_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
    }
)
# The visible-text fallback: also the HTML5 sectioning tags libxml2's HTML 4 parser treats as
# inline, so their paragraphs stay apart.
_VISIBLE_BLOCKS = _HTML_BLOCKS | {"aside", "main", "nav", "center", "form", "address", "details"}
_SKIPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "svg")
_MEDIA_LINK = re.compile(r"\s*(?:https?://)?pic\.twitter\.com/\S+")


def read_html(
    data: bytes, path: str, options: Options, url: str | None = None, outlet: str | None = None
) -> list[Article | InputError]:
    """One article from an HTML page; ``url`` is the fallback (e.g. a WARC target URI)."""
    if declares_entities(data):
        return [
            InputError(path, "refused: the document declares XML entities (entity-expansion risk)")
        ]
    tree = _parse(data)
    if tree is None:
        return [InputError(path, "not readable HTML: the parser found no document")]
    posts = tuple(extract_embedded_tweets(tree))
    page_url = canonical_url(tree) or url
    try:
        doc = bare_extraction(
            tree, url=page_url, include_comments=False, with_metadata=True, include_images=False
        )
    except Exception as exc:  # trafilatura raises many types on hostile markup
        return [InputError(path, f"HTML extraction failed ({type(exc).__name__}: {exc})")]
    found = doc if isinstance(doc, Document) and doc.body is not None else None
    blocks = [b for b in element_blocks(found.body, _TRAFILATURA_BLOCKS) if b] if found else []
    title = (normalize_whitespace(found.title or "") if found else _page_title(tree)) or None
    if blocks and title and blocks[0] == title:
        blocks = blocks[1:]  # the page's own headline repeats the title
    metadata: dict[str, str] = {}
    if found is not None:
        metadata = {k: v for k, v in (("author", found.author),
                                      ("description", found.description)) if v}
    if not blocks:
        blocks, extraction = fallback_blocks(data, tree)
        metadata.update(extraction)
    if not blocks:
        return [InputError(path, "no article text found in the HTML page (trafilatura, justext "
                                 "and the visible text all came back empty)")]
    return [
        build_article(
            raw_text="\n\n".join(blocks),
            path=path,
            options=options,
            url=page_url or (found.url if found else None),
            outlet=(found.sitename if found else None) or outlet,
            title=title,
            published=parse_date(found.date) if found else None,
            published_source="html",
            posts=posts,
            metadata=metadata,
        )
    ]


def fallback_blocks(
    data: bytes, tree: lxml.html.HtmlElement
) -> tuple[list[str], dict[str, str]]:
    """Paragraphs when trafilatura found none: justext's non-boilerplate paragraphs, else the
    page's visible text (body blocks, scripts and styles left out); the metadata says which
    extractor answered and why."""
    try:
        paragraphs = justext.justext(data, justext.get_stoplist("English"))
    except Exception:  # justext raises on markup its own parser cannot read: go on without it
        paragraphs = []
    kept = [normalize_whitespace(p.text) for p in paragraphs if not p.is_boilerplate]
    if any(kept):
        return [k for k in kept if k], {
            "extractor": "justext", "extractor_reason": "trafilatura found no main text"}
    body = tree.find("body")
    visible = element_blocks(body if body is not None else tree, _VISIBLE_BLOCKS)
    return visible, {"extractor": "visible_text",
                     "extractor_reason": "trafilatura found no main text, nor justext"}


def _page_title(tree: lxml.html.HtmlElement) -> str | None:
    titles = tree.xpath("//title/text()")
    return normalize_whitespace(str(titles[0])) or None if titles else None


def _parse(data: bytes) -> lxml.html.HtmlElement | None:
    try:
        tree = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError, TypeError):
        return None
    return tree if isinstance(tree, lxml.html.HtmlElement) else None


def canonical_url(tree: lxml.html.HtmlElement) -> str | None:
    """<link rel=canonical>, else og:url (trafilatura's own url field is unreliable)."""
    for xpath in (
        "//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href",
        "//meta[@property='og:url' or @name='og:url']/@content",
    ):
        values = [str(v).strip() for v in tree.xpath(xpath) if str(v).strip()]
        if values and values[0].startswith(("http://", "https://")):
            return values[0]
    return None


def extract_embedded_tweets(tree: lxml.html.HtmlElement) -> Iterable[EmbeddedPost]:
    """Each ``blockquote.twitter-tweet`` becomes a post and leaves the page (its tail stays)."""
    lexicon = get_lexicon()
    for quote in tree.xpath("//blockquote[contains(concat(' ', @class, ' '), ' twitter-tweet ')]"):
        paragraphs = [normalize_whitespace(p.text_content()) for p in quote.findall(".//p")]
        text = "\n".join(_MEDIA_LINK.sub("", p).strip() for p in paragraphs if p)
        whole = normalize_whitespace(quote.text_content())
        for paragraph in paragraphs:
            whole = whole.replace(paragraph, "", 1)
        credit = parse_credit_line(whole.strip(), lexicon) or {}
        links = [str(h) for h in quote.xpath(".//a/@href") if "/status/" in str(h)]
        post = make_post(
            {**credit, "url": links[-1] if links else credit.get("url", "")}, text, lexicon
        )
        _drop_keeping_tail(quote)
        if post.text:
            yield post


def _drop_keeping_tail(element: lxml.html.HtmlElement) -> None:
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()  # lxml.html keeps the tail text in place


def element_blocks(element: etree._Element, blocks: frozenset[str]) -> list[str]:
    """Paragraph texts of ``element``: each block-level descendant is one paragraph."""
    out: list[str] = []
    current: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIPPED_TAGS or not tag:
            current.append(child.tail or "")
        elif tag in blocks:
            _flush(current, out)
            out.extend(element_blocks(child, blocks))
            current = [child.tail or ""]
        elif tag in {"br", "lb"}:
            current.extend(["\n", child.tail or ""])
        else:
            current.extend([*_inline_text(child), " " if tag in {"cell", "td", "th"} else ""])
            current.append(child.tail or "")
    _flush(current, out)
    return out


def _inline_text(element: etree._Element) -> list[str]:
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in {"br", "lb"}:
            parts.append("\n")
        elif tag and tag not in _SKIPPED_TAGS:
            parts.extend(_inline_text(child))
        parts.append(child.tail or "")
    return parts


def _flush(current: list[str], out: list[str]) -> None:
    text = normalize_whitespace("".join(current))
    if text:
        out.append(text)


def html_fragment_to_text(fragment: str) -> tuple[str, tuple[EmbeddedPost, ...]]:
    """Feed content HTML to text (paragraphs separated by blank lines) and its embedded tweets."""
    if "<" not in fragment:
        return fragment, ()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError, TypeError):
        return re.sub(r"<[^>]*>", " ", fragment), ()
    posts = tuple(extract_embedded_tweets(root))
    return "\n\n".join(element_blocks(root, _HTML_BLOCKS)), posts
