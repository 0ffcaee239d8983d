"""The engines: placeholder protection, the pseudo engine, and the deep-translator
adapter run for real (LibreTranslator) against a loopback LibreTranslate server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from libre_server import LibreServer, fake_translate
from workspace_kit import article, libre_config, make_workspace, run

from l10n.config import load_config
from l10n.engines import (
    EngineError,
    TextFailure,
    UnsupportedLanguageError,
    clean_output,
    get_engine,
    output_problem,
    protect_placeholders,
    restore_placeholders,
)
from l10n.engines.deep import engine_code
from l10n.engines.pseudo import pseudo_localize
from l10n.errors import ConfigError
from l10n.model import PLACEHOLDER_RE, escape_text, placeholder_problems, tokenize


@pytest.fixture
def libre():
    with LibreServer() as server:
        yield server


def config_with(tmp_path: Path, extra: str = "", languages: str = '"de"'):
    (tmp_path / "l10n.toml").write_text(
        f'source_language = "en"\nlanguages = [{languages}]\nengine = "pseudo"\n{extra}')
    return load_config(tmp_path)


def protected_batch(engine, msgids: list[str], source: str = "en", target: str = "de"):
    """Send msgids through an engine as translate does: protected, then restored."""
    prots = [protect_placeholders(m) for m in msgids]
    answers = engine.translate_batch([p.text for p in prots], source, target)
    return [a if isinstance(a, TextFailure) else restore_placeholders(p, clean_output(a, p.text))
            for p, a in zip(prots, answers, strict=True)]


# ------------------------------------------------------------------ placeholders

# Segments as the catalog holds them: escaped text and properly nested placeholders.
_words = st.text(alphabet=st.sampled_from("abc XYZ<>/&;ü⟦⟧0123"), max_size=12)


@st.composite
def segments(draw) -> str:
    counter = iter(range(1, 100))

    def build(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["text", "text", "empty", "pair"] if depth < 3
                                        else ["text", "empty"]))
            if kind == "text":
                parts.append(escape_text(draw(_words)))
            elif kind == "empty":
                parts.append(f"<br{next(counter)}/>")
            else:
                n = next(counter)
                parts.append(f"<em{n}>{build(depth + 1)}</em{n}>")
        return "".join(parts)

    return build(0)


@given(segments())
def test_protect_then_restore_gives_back_the_segment(msgid: str) -> None:
    prot = protect_placeholders(msgid)
    assert len(prot.placeholders) == sum(1 for t in tokenize(msgid) if t.kind != "text")
    assert restore_placeholders(prot, prot.text) == msgid


@given(segments())
def test_pseudo_keeps_every_placeholder_and_accents_all_text(msgid: str) -> None:
    prot = protect_placeholders(msgid)
    draft = restore_placeholders(prot, clean_output(pseudo_localize(prot.text), prot.text))
    assert placeholder_problems(msgid, draft) == []
    text = "".join(t.value for t in tokenize(draft) if t.kind == "text")
    # Literal text that looks like a placeholder is left alone too, on purpose.
    text = PLACEHOLDER_RE.sub("", text)
    assert not any("A" <= ch <= "Z" or "a" <= ch <= "z" for ch in text)


def test_engine_output_cannot_invent_placeholders() -> None:
    prot = protect_placeholders("Read <a1>this</a1>.")
    msgstr = restore_placeholders(prot, "Lies ⟦0⟧das⟦1⟧ <a1>und</a1> <b9/>.")
    assert msgstr == "Lies <a1>das</a1> &lt;a1>und&lt;/a1> &lt;b9/>."
    assert placeholder_problems("Read <a1>this</a1>.", msgstr) == []


def test_tokens_with_spaces_and_unknown_numbers() -> None:
    prot = protect_placeholders("A <br1/> b")
    assert prot.text == "A ⟦0⟧ b"
    assert restore_placeholders(prot, "X ⟦ 0 ⟧ y ⟦7⟧") == "X <br1/> y ⟦7⟧"


def test_literal_brackets_in_text_get_other_tokens() -> None:
    prot = protect_placeholders("keep ⟦0⟧ literal <em1>x</em1>")
    assert prot.brackets != ("⟦", "⟧")
    assert restore_placeholders(prot, prot.text) == "keep ⟦0⟧ literal <em1>x</em1>"


def test_clean_output_removes_what_a_catalog_cannot_hold() -> None:
    dirty = "\x00Hal\x07lo\ufeff \ud800Welt\r\nneu\x1b"
    assert clean_output(dirty, "Hello world") == "Hallo Welt neu"
    assert clean_output("a\nb", "x\ny") == "a\nb"
    assert output_problem("", "source") == "empty answer"
    assert "implausibly long" in output_problem("x" * 10_000, "short")
    assert output_problem("fine", "source") is None


# ------------------------------------------------------------------------- pseudo


def test_pseudo_is_deterministic_bracketed_and_longer() -> None:
    text = "This is text that the layout has to hold without cutting it off."
    first, second = pseudo_localize(text), pseudo_localize(text)
    assert first == second
    assert first.startswith("[Ŧĥïš ïš ţêẋţ") and first.endswith("~]")
    assert 1.3 <= len(first) / len(text) <= 1.4
    assert pseudo_localize("Hi").startswith("[Ĥï ~")


def test_pseudo_engine_through_get_engine(tmp_path: Path) -> None:
    engine = get_engine("pseudo", config_with(tmp_path))
    engine.check_pairs([("en", "zh_Hant"), ("de", "x_pseudo")])  # every pair works
    drafts = protected_batch(engine, ["Read <a1>the <em2>full</em2> report</a1>.", "<br1/>"])
    assert drafts[0].startswith("[Ŕêåð <a1>ţĥê <em2>ƒûļļ</em2> ŕêþöŕţ</a1>.")
    assert drafts[1].startswith("[<br1/> ~")
    assert engine.requests == 1


def test_pseudo_options_are_checked(tmp_path: Path) -> None:
    cfg = config_with(tmp_path, "[engines.pseudo]\nexpansion = 9\n")
    with pytest.raises(ConfigError, match="expansion"):
        get_engine("pseudo", cfg)


def test_unknown_engine(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown engine 'babelfish'"):
        get_engine("babelfish", config_with(tmp_path))


# ------------------------------------------------------------------ code mapping


@pytest.mark.parametrize(("engine", "locale", "code"), [
    ("google", "pt_BR", "pt"), ("google", "zh_Hans", "zh-CN"), ("google", "zh_Hant", "zh-TW"),
    ("google", "zh_TW", "zh-TW"), ("google", "zh", "zh-CN"), ("google", "he", "iw"),
    ("google", "nb", "no"), ("google", "de_AT", "de"), ("google", "fil", "tl"),
    ("deepl", "pt_BR", "pt"), ("deepl", "zh_Hans", "zh"), ("deepl", "zh_Hant", None),
    ("deepl", "ar", None), ("libre", "zh_Hans", "zh"), ("libre", "zh_TW", None),
    ("libre", "nb", None), ("libre", "ja", "ja"), ("mymemory", "de", "de-DE"),
    ("mymemory", "pt_BR", "pt-BR"), ("mymemory", "ar", "ar-SA"),
    ("mymemory", "zh_Hant", "zh-TW"), ("mymemory", "nb", "nb-NO"),
])
def test_locale_codes_are_mapped_per_engine(tmp_path: Path, monkeypatch, engine: str,
                                            locale: str, code: str | None) -> None:
    monkeypatch.setenv("DEEPL_API_KEY", "test-key:fx")
    eng = get_engine(engine, config_with(tmp_path))
    assert engine_code(locale, eng.supported_codes()) == code


def test_unsupported_pair_fails_before_any_request(tmp_path: Path, libre) -> None:
    eng = get_engine("libre", config_with(tmp_path, libre_config(libre.url)))
    with pytest.raises(UnsupportedLanguageError, match="no code for nb"):
        eng.check_pairs([("en", "de"), ("en", "nb")])
    assert libre.language_requests == libre.translate_requests == 0


def test_pair_the_server_does_not_offer(tmp_path: Path) -> None:
    with LibreServer(languages=("en", "de")) as server:
        eng = get_engine("libre", config_with(tmp_path, libre_config(server.url)))
        eng.check_pairs([("en", "de"), ("de", "en")])
        with pytest.raises(UnsupportedLanguageError, match="does not offer en -> fr"):
            eng.check_pairs([("en", "fr")])
        assert server.translate_requests == 0
        assert server.language_requests == 1  # asked once, remembered


# ------------------------------------------------------------ libre, for real


def test_libre_translates_through_deep_translator(tmp_path: Path, libre) -> None:
    eng = get_engine("libre", config_with(tmp_path, libre_config(libre.url)))
    eng.check_pairs([("en", "de")])
    drafts = protected_batch(eng, ["Read <a1>the report</a1>.", "The city"])
    assert drafts == ["[de] lies <a1>die Bericht</a1>.", "[de] die Stadt"]
    assert libre.translate_requests == eng.requests == 2
    assert libre.texts == ["Read ⟦0⟧the report⟦1⟧.", "The city"]
    assert libre.keys_seen == [None, None]  # no key configured: none sent


def test_retries_until_the_server_recovers(tmp_path: Path, libre) -> None:
    eng = get_engine("libre", config_with(tmp_path, libre_config(libre.url, retries=5)))
    libre.script("500", "429", "503", "502", "malformed")
    assert protected_batch(eng, ["The city"]) == ["[de] die Stadt"]
    assert libre.translate_requests == eng.requests == 6
    assert eng.errors == 5


def test_a_slow_answer_times_out_and_is_retried(tmp_path: Path, libre) -> None:
    eng = get_engine("libre", config_with(tmp_path, libre_config(libre.url, timeout=0.2)))
    libre.script("slow:1.5")
    assert protected_batch(eng, ["The city"]) == ["[de] die Stadt"]
    assert eng.requests == 2 and eng.errors == 1


def test_backoff_gives_up_after_the_cap(tmp_path: Path, libre) -> None:
    eng = get_engine("libre", config_with(tmp_path, libre_config(libre.url, retries=2)))
    libre.default = "500"
    with pytest.raises(EngineError, match=r"failed 3 times; last: HTTP 500"):
        protected_batch(eng, ["The city"])
    assert libre.translate_requests == 3


def test_text_level_failures_do_not_stop_the_batch(tmp_path: Path, libre) -> None:
    eng = get_engine("libre", config_with(tmp_path, libre_config(libre.url)))
    libre.script("400", "no-field", "ok")
    results = protected_batch(eng, ["one", "two", "three"])
    assert isinstance(results[0], TextFailure) and "HTTP 400" in results[0].reason
    assert isinstance(results[1], TextFailure) and "unexpected answer" in results[1].reason
    assert results[2] == "[de] three"
    assert libre.translate_requests == 3  # none of these is retried


def test_api_key_is_sent_but_never_shown(tmp_path: Path, monkeypatch) -> None:
    secret = "sk-Very/Secret+Key=42"
    monkeypatch.setenv("LIBRE_API_KEY", secret)
    with LibreServer(api_key=secret) as server:
        eng = get_engine("libre", config_with(tmp_path, libre_config(server.url)))
        assert protected_batch(eng, ["The city"]) == ["[de] die Stadt"]
        assert server.keys_seen == [secret]
    with LibreServer(api_key="another key") as server:
        eng = get_engine("libre", config_with(tmp_path, libre_config(server.url)))
        with pytest.raises(EngineError) as refused:
            protected_batch(eng, ["The city"])
        assert "refused the API key" in str(refused.value)
        assert "LIBRE_API_KEY" in str(refused.value)
        assert server.translate_requests == 1  # an auth failure is not retried
    for form in (secret, "sk-Very%2FSecret%2BKey%3D42", "Very", "Secret"):
        assert form not in str(refused.value)


def test_key_is_redacted_from_connection_errors(tmp_path: Path, monkeypatch) -> None:
    secret = "sk-leak-me-not-1234"
    monkeypatch.setenv("LIBRE_API_KEY", secret)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    eng = get_engine("libre", config_with(
        tmp_path, libre_config(f"http://127.0.0.1:{port}/", retries=1)))
    eng.codes_for("en", "de")
    with pytest.raises(EngineError) as failed:
        # Straight to translation: requests puts the key into the URL it reports.
        eng.translate_batch(["The city"], "en", "de")
    message = str(failed.value)
    assert "cannot reach the service" in message
    assert secret not in message and "api_key=***" in message


def test_keys_only_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    cfg = config_with(tmp_path, '[engines.libre]\napi_key = "pasted-secret"\n')
    with pytest.raises(ConfigError) as refused:
        get_engine("libre", cfg)
    assert "only from the environment (LIBRE_API_KEY)" in str(refused.value)
    assert "pasted-secret" not in str(refused.value)
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="DEEPL_API_KEY"):
        get_engine("deepl", config_with(tmp_path))
    monkeypatch.setenv("MY_DEEPL", "k")
    cfg = config_with(tmp_path, '[engines.deepl]\napi_key_env = "MY_DEEPL"\n')
    assert get_engine("deepl", cfg).key_env == "MY_DEEPL"


def test_engine_options_are_checked(tmp_path: Path) -> None:
    for table, message in (('url = "ftp://x"', "url must be an http"),
                           ("retries = -1", "retries must be"),
                           ("timeout = true", "timeout must be"),
                           ("colour = 1", "unknown option 'colour'")):
        cfg = config_with(tmp_path, f"[engines.libre]\n{table}\n")
        with pytest.raises(ConfigError, match=message):
            get_engine("libre", cfg)


def test_fake_server_translation_is_deterministic() -> None:
    assert fake_translate("The new report", "de") == "[de] die neue Bericht"
    assert fake_translate("⟦0⟧x⟦1⟧", "ja") == "[ja] ⟦0⟧x⟦1⟧"


def test_cli_reports_engine_failures_in_one_line(tmp_path: Path, monkeypatch) -> None:
    secret = "sk-cli-secret-999"
    monkeypatch.setenv("LIBRE_API_KEY", secret)
    with LibreServer(api_key="something else") as server:
        root = make_workspace(tmp_path / "ws", {"a": article("The city")}, engine="libre",
                              extra=libre_config(server.url))
        result = run(root, "translate")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "refused the API key" in errors[0]
    assert "Traceback" not in result.output
    assert secret not in result.output
    for path in root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes()


def test_fake_server_takes_form_and_json_bodies(libre) -> None:
    import json
    import urllib.request

    def post(data: bytes, kind: str) -> dict:
        req = urllib.request.Request(libre.url + "translate", data=data,
                                     headers={"Content-Type": kind})
        with urllib.request.urlopen(req, timeout=5) as answer:
            return json.loads(answer.read())

    form = post(b"q=The+city&source=en&target=de&format=text", "application/x-www-form-urlencoded")
    body = post(json.dumps({"q": "The city", "source": "en", "target": "de"}).encode(),
                "application/json")
    assert form == body == {"translatedText": "[de] die Stadt"}
    assert libre.translate_requests == 2
