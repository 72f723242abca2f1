"""Identity numbers at rest: encrypted, looked up by keyed hash, shown masked."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from django.test import override_settings

from yiwang.core.crypto import decrypt_text, encrypt_text, lookup_hash, mask_number

NUMBER = "11010519491231002X"


def test_mask_shows_only_the_ends() -> None:
    assert mask_number("360102199001011234") == "3601**********1234"
    assert mask_number("123") == "***"


def test_round_trip_and_no_plaintext() -> None:
    token = encrypt_text(NUMBER, context="person.document")
    assert NUMBER not in token
    assert decrypt_text(token, context="person.document") == NUMBER
    # Two encryptions differ (random nonce), so equal numbers are not visible as equal.
    assert encrypt_text(NUMBER, context="person.document") != token


def test_ciphertext_is_bound_to_its_context() -> None:
    token = encrypt_text(NUMBER, context="person.document")
    with pytest.raises(InvalidTag):
        decrypt_text(token, context="something.else")


def test_rotation_keeps_old_rows_readable() -> None:
    import base64

    old = encrypt_text(NUMBER, context="c")
    new_key = base64.urlsafe_b64encode(b"n" * 32).decode()
    from django.conf import settings

    keys = {**settings.YIWANG_FIELD_KEYS, "2": new_key}
    with override_settings(YIWANG_FIELD_KEYS=keys, YIWANG_FIELD_KEY_CURRENT="2"):
        fresh = encrypt_text(NUMBER, context="c")
        assert fresh.startswith("2:")
        assert decrypt_text(old, context="c") == NUMBER
        assert decrypt_text(fresh, context="c") == NUMBER


def test_lookup_hash_is_keyed() -> None:
    plain = lookup_hash(NUMBER, context="p")
    with override_settings(YIWANG_LOOKUP_KEY="another-key-entirely"):
        assert lookup_hash(NUMBER, context="p") != plain
    assert lookup_hash(NUMBER, context="p") == plain
