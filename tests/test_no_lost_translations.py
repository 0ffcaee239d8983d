"""No human-written translation is ever lost, whatever happens in whatever order.

A property test over random sequences of what happens in a newsroom: editors change,
add and remove paragraphs; translators set translations in their PO editor (sometimes
clearing fuzzy, sometimes not); l10n runs extract+update, translate (the pseudo engine,
sometimes with --redo-drafts) and merge; reviewers approve or reject drafts.

What counts as human-written: every msgstr a translator saved, and every draft a
reviewer approved. Reviewers reject only machine drafts (rejecting throws a draft away
on purpose; a text a person wrote is never in that position). After every step each
human-written msgstr must still be in its catalog:

- as the msgstr of an active entry with the msgid it was written for, or
- as the msgstr of a fuzzy entry whose previous msgid (``#| msgid``) is that msgid
  (its source changed), or
- as the msgstr of an obsolete entry (``#~``) with that msgid (its source is gone).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workspace_kit import article, msgfmt_ok

from l10n import merge as merging
from l10n import pipeline
from l10n import translate as translating
from l10n.config import load_config
from l10n.review import approve, reject, review_queue

SLUGS = ("alpha", "beta")
LANGS = ("de", "fr")
WORDS = ("council", "river", "market", "bridge", "school", "storm", "budget", "train",
         "harbour", "museum")
BASE = [f"The {w} story is told here in full detail." for w in WORDS]


@dataclass(frozen=True)
class Human:
    """A msgstr a person wrote (or approved) for a source text."""

    lang: str
    slug: str
    msgid: str
    msgstr: str


# ------------------------------------------------------------------ the actions

sentence = st.sampled_from(BASE)
word = st.sampled_from(WORDS)

actions = st.lists(st.one_of(
    # An editor changes a paragraph a little (a fuzzy match), or rewrites it.
    st.tuples(st.just("reword"), st.sampled_from(SLUGS), st.integers(0, 9), word),
    st.tuples(st.just("rewrite"), st.sampled_from(SLUGS), st.integers(0, 9), sentence),
    st.tuples(st.just("add"), st.sampled_from(SLUGS), st.integers(0, 9), sentence),
    st.tuples(st.just("remove"), st.sampled_from(SLUGS), st.integers(0, 9)),
    st.tuples(st.just("update")),
    st.tuples(st.just("update")),
    st.tuples(st.just("translate"), st.booleans()),
    st.tuples(st.just("translator"), st.sampled_from(LANGS), st.sampled_from(SLUGS),
              st.integers(0, 30), st.booleans()),
    st.tuples(st.just("translator"), st.sampled_from(LANGS), st.sampled_from(SLUGS),
              st.integers(0, 30), st.booleans()),
    st.tuples(st.just("review"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("merge")),
), min_size=3, max_size=12)


class Newsroom:
    """A workspace and the people working on it."""

    def __init__(self, root: Path):
        self.root = root
        self.paragraphs = {slug: list(BASE[n * 3: n * 3 + 3]) for n, slug in enumerate(SLUGS)}
        self.humans: set[Human] = set()
        self.counter = itertools.count(1)
        (root / "source").mkdir(parents=True)
        (root / "l10n.toml").write_text(
            'source_language = "en"\nlanguages = ["de", "fr"]\nengine = "pseudo"\n',
            encoding="utf-8")
        for slug in SLUGS:
            self.save_article(slug)
        self.cfg = load_config(root)
        self.update()

    def save_article(self, slug: str) -> None:
        html = article(f"News {slug}", *self.paragraphs[slug])
        (self.root / "source" / f"{slug}.html").write_text(html, encoding="utf-8")

    def po_path(self, lang: str, slug: str) -> Path:
        return self.cfg.catalog_file(lang, slug)

    # -------------------------------------------------------------- editors

    def edit(self, kind: str, slug: str, index: int, text: str | None = None) -> None:
        paras = self.paragraphs[slug]
        if kind == "add":
            paras.insert(index % (len(paras) + 1), f"{text} ({next(self.counter)})")
        elif not paras:
            return
        elif kind == "remove":
            paras.pop(index % len(paras))
        elif kind == "reword":
            n = index % len(paras)
            paras[n] = paras[n].replace(" story ", f" {text} story ", 1)
        else:
            paras[index % len(paras)] = text or ""
        self.save_article(slug)

    # ------------------------------------------------------------ l10n runs

    def update(self) -> None:
        pipeline.extract(self.cfg)
        pipeline.update(self.cfg)

    def translate(self, redo: bool) -> None:
        translating.translate(self.cfg, engine="pseudo", redo_drafts=redo)

    def merge(self) -> None:
        merging.merge(self.cfg, drafts=True)

    # ---------------------------------------------------------------- people

    def translator(self, lang: str, slug: str, pick: int, clear_fuzzy: bool) -> None:
        """A PO editor: a new translation for one entry, saved with polib."""
        path = self.po_path(lang, slug)
        if not path.exists():
            return
        po = polib.pofile(str(path), wrapwidth=78)
        entries = [e for e in po if not e.obsolete and e.msgid]
        if not entries:
            return
        entry = entries[pick % len(entries)]
        # Writing over one's own text for the same source replaces it on purpose.
        self.humans.discard(Human(lang, slug, entry.msgid, entry.msgstr))
        text = f"Menschlich {next(self.counter)}: {entry.msgid[:20]}"
        entry.msgstr = text
        if clear_fuzzy and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        po.save(str(path))
        self.humans.add(Human(lang, slug, entry.msgid, text))

    def review(self, pick: int, approve_it: bool) -> None:
        queue = review_queue(self.cfg)
        if not queue:
            return
        item = queue[pick % len(queue)]
        human_texts = {h.msgstr for h in self.humans if (h.lang, h.slug) == (item.lang,
                                                                              item.slug)}
        if approve_it:
            done = approve(self.cfg, [item], "Rita").done
            if done:
                self.humans.add(Human(item.lang, item.slug, item.source, item.draft))
        elif item.draft not in human_texts:
            reject(self.cfg, [item], "Rita")

    # ------------------------------------------------------------ the check

    def assert_nothing_lost(self, step: object) -> None:
        catalogs = {}
        for h in sorted(self.humans, key=lambda h: (h.lang, h.slug, h.msgid, h.msgstr)):
            key = (h.lang, h.slug)
            if key not in catalogs:
                catalogs[key] = polib.pofile(str(self.po_path(*key)))
            po = catalogs[key]
            kept = any(
                e.msgstr == h.msgstr and (
                    e.msgid == h.msgid
                    or ("fuzzy" in e.flags and not e.obsolete and e.previous_msgid == h.msgid))
                for e in list(po) + list(po.obsolete_entries()))
            assert kept, f"after {step}: lost {h}"


def run_step(room: Newsroom, step: tuple) -> None:
    kind = step[0]
    if kind in ("reword", "rewrite", "add", "remove"):
        room.edit(kind, *step[1:])
    elif kind == "update":
        room.update()
    elif kind == "translate":
        room.translate(step[1])
    elif kind == "translator":
        room.translator(*step[1:])
    elif kind == "review":
        room.review(*step[1:])
    else:
        room.merge()


# A few dozen examples keep the suite fast; L10N_PROPERTY_EXAMPLES=2000 searches harder.
@settings(max_examples=int(os.environ.get("L10N_PROPERTY_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_no_human_translation_is_ever_lost(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory(prefix="l10n-newsroom-") as tmp:
        room = Newsroom(Path(tmp) / "ws")
        for step in steps:
            run_step(room, step)
            room.assert_nothing_lost(step)
        for path in sorted((room.root / "locales").rglob("*.po")):
            assert msgfmt_ok(path) == "", path
