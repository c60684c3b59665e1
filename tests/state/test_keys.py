"""Key encoding: whatever the name or id, no forbidden character or oversize key reaches Azure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.state.errors import EntityRejected, KeyNotReversible
from shared.state.keys import (
    COMPONENT_MAX_CHARS,
    KEY_MAX_BYTES,
    check_key,
    decode_key,
    encode_key,
    hashed_key,
    is_hashed,
    key_problem,
)

# Every code point, lone surrogates and control characters included.
any_text = st.text(st.characters(exclude_categories=()), max_size=400)

NASTY = [
    "",
    "a/b\\c#d?e",
    "\x00\x01\t\n\r\x1f\x7f\x80\x9f",
    "Plan 'A' (rev. 2).pdf",
    "~",
    "~~",
    "~7E",
    "%2F",
    "\ud800 lone \udfff surrogates",
    "名前/図面#1?",
    "emoji 😀 and ZWJ 👩‍👩‍👧",
    "b!Dq3C0v8d1kO5vQwz-abc_DEF",
    "x" * 5000,
]


@given(any_text)
def test_an_encoded_key_is_always_acceptable_to_azure(value: str) -> None:
    key = encode_key(value)
    assert key_problem(key) is None
    assert len(key) <= COMPONENT_MAX_CHARS
    assert key.isascii()


@given(any_text)
def test_an_encoded_key_decodes_to_the_value_unless_it_had_to_be_hashed(value: str) -> None:
    key = encode_key(value)
    assert encode_key(value) == key
    if is_hashed(key):
        with pytest.raises(KeyNotReversible):
            decode_key(key)
    else:
        assert decode_key(key) == value


@given(any_text, any_text)
def test_distinct_values_get_distinct_keys(first: str, second: str) -> None:
    if first == second:
        assert encode_key(first) == encode_key(second)
    else:
        assert encode_key(first) != encode_key(second)
        assert hashed_key(first) != hashed_key(second)


@given(any_text)
def test_a_hashed_key_is_fixed_length_acceptable_and_not_reversible(value: str) -> None:
    key = hashed_key(value)
    assert len(key) == 66
    assert key_problem(key) is None
    assert key == hashed_key(value)
    with pytest.raises(KeyNotReversible):
        decode_key(key)


@given(any_text, st.integers(min_value=66, max_value=400))
def test_a_smaller_budget_is_honoured(value: str, budget: int) -> None:
    key = encode_key(value, max_chars=budget)
    assert len(key) <= budget
    assert key_problem(key) is None
    if not is_hashed(key):
        assert decode_key(key) == value


@pytest.mark.parametrize("value", NASTY)
def test_nasty_names_round_trip(value: str) -> None:
    key = encode_key(value)
    assert key_problem(key) is None
    if len(value) < 60:
        assert decode_key(key) == value


def test_short_ids_stay_readable_and_long_ones_keep_a_readable_prefix() -> None:
    assert encode_key("b!Dq3C0v8d1kO5vQwz-abc_DEF") == "b!Dq3C0v8d1kO5vQwz-abc_DEF"
    assert encode_key("12345") == "12345"
    assert encode_key("a/b") == "a~2Fb"
    long_key = encode_key("folder-" * 100)
    assert long_key.startswith("folder-folder-")
    assert is_hashed(long_key)


@pytest.mark.parametrize("char", ["/", "\\", "#", "?", "\x00", "\x1f", "\x7f", "\x9f", "\t"])
def test_key_problem_names_each_forbidden_character(char: str) -> None:
    problem = key_problem(f"ok{char}ok")
    assert problem is not None
    assert repr(char) in problem
    with pytest.raises(EntityRejected):
        check_key(f"ok{char}ok", which="RowKey")


def test_key_size_is_measured_in_utf16_bytes() -> None:
    assert key_problem("a" * (KEY_MAX_BYTES // 2)) is None
    assert key_problem("a" * (KEY_MAX_BYTES // 2 + 1)) is not None
    assert key_problem("😀" * (KEY_MAX_BYTES // 4)) is None
    assert key_problem("😀" * (KEY_MAX_BYTES // 4) + "a") is not None


def test_decoding_refuses_what_is_not_an_encoded_key() -> None:
    for bad in ["a/b", "~G1", "~4", "é"]:
        with pytest.raises(ValueError):
            decode_key(bad)
