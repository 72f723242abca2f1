"""GB/T 36904 electronic certificate identifiers (电子证照标识).

    1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>

- type code (证照类型代码): USCC of the ministry that defines the type + 3 digits;
- issuer (颁发机构代码): the issuing department's USCC (GB 32100);
- serial (流水号): 1-32 uppercase letters and digits (random, year+sequence or a GUID);
- version (版本号): 3 digits, 001 for a first issue, +1 on every renewal or change;
- check (校验位): ISO/IEC 7064 MOD 37,36 over type code + issuer + serial + version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_37_36

ROOT_OID: Final = "1.2.156.3005.2"
MAX_SERIAL_LENGTH: Final = 32

_SERIAL = re.compile(r"^[0-9A-Z]{1,32}$")
_GUID = re.compile(r"^[0-9A-Fa-f]{8}-?([0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}$")
_VERSION = re.compile(r"^\d{3}$")
_TYPE_SUFFIX = re.compile(r"^\d{3}$")
_CHECK_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class IdentifierError(ValueError):
    """A malformed certificate identifier; `code` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class CertificateIdentifier:
    """A parsed GB/T 36904 identifier (电子证照标识)."""

    type_code: str
    issuer_uscc: str
    serial: str
    version: int
    check: str

    @property
    def defining_authority_uscc(self) -> str:
        """USCC of the ministry that defines the certificate type (证照定义机构)."""
        return self.type_code[:18]

    @property
    def expected_check(self) -> str:
        """The check character computed from the four middle fields."""
        return compute_check(self.type_code, self.issuer_uscc, self.serial, self.version)

    @property
    def check_valid(self) -> bool:
        """Whether the check character is the one computed (false only with strict=False)."""
        return self.check == self.expected_check

    @property
    def value(self) -> str:
        """The identifier as a string."""
        return ".".join(
            [
                ROOT_OID,
                self.type_code,
                self.issuer_uscc,
                self.serial,
                f"{self.version:03d}",
                self.check,
            ]
        )

    def __str__(self) -> str:
        return self.value

    def next_version(self) -> CertificateIdentifier:
        """The identifier of the renewed or changed certificate (same serial, version + 1)."""
        return parse_identifier(
            make_identifier(self.type_code, self.issuer_uscc, self.serial, self.version + 1)
        )


def compute_check(type_code: str, issuer_uscc: str, serial: str, version: int) -> str:
    """ISO/IEC 7064 MOD 37,36 check character over type code + issuer + serial + version."""
    return str(mod_37_36.calc_check_digit(f"{type_code}{issuer_uscc}{serial}{version:03d}"))


def _validate_uscc(value: str, code: str, what: str) -> str:
    if not isinstance(value, str) or len(value) != 18:
        raise IdentifierError(code, f"{what} must be an 18-character USCC")
    try:
        return str(uscc.validate(value))
    except ValidationError as exc:
        raise IdentifierError(code, f"{what} {value!r} is not a valid USCC: {exc}") from exc


def _validate_type_code(type_code: str) -> str:
    if not isinstance(type_code, str) or len(type_code) != 21:
        raise IdentifierError("bad_type_code", "type code must be a USCC followed by 3 digits")
    if not _TYPE_SUFFIX.match(type_code[18:]):
        raise IdentifierError("bad_type_code", "type code must end with 3 digits")
    _validate_uscc(type_code[:18], "bad_type_code", "type code authority")
    return type_code


def normalize_serial(serial: str) -> str:
    """Uppercase a serial; a GUID loses its hyphens (as the 住建部 interface does)."""
    if not isinstance(serial, str):
        raise IdentifierError("bad_serial", "serial must be a string")
    serial = serial.strip()
    if _GUID.match(serial):
        serial = serial.replace("-", "")
    return serial.upper()


def _validate_serial(serial: str) -> str:
    if not _SERIAL.match(serial):
        raise IdentifierError(
            "bad_serial", f"serial must be 1-{MAX_SERIAL_LENGTH} uppercase letters or digits"
        )
    return serial


def make_identifier(type_code: str, issuer_uscc: str, serial: str, version: int) -> str:
    """Build an identifier string, computing its check character."""
    _validate_type_code(type_code)
    _validate_uscc(issuer_uscc, "bad_issuer", "issuer")
    serial = _validate_serial(normalize_serial(serial))
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 999:
        raise IdentifierError("bad_version", "version must be an integer from 1 to 999")
    check = compute_check(type_code, issuer_uscc, serial, version)
    return ".".join([ROOT_OID, type_code, issuer_uscc, serial, f"{version:03d}", check])


def parse_identifier(value: str, *, strict: bool = True) -> CertificateIdentifier:
    """Parse an identifier; with strict=False a wrong check character is kept, not refused."""
    if not isinstance(value, str):
        raise IdentifierError("bad_prefix", "identifier must be a string")
    # People type identifiers into verification forms: tolerate case and surrounding spaces.
    text = value.strip().upper()
    prefix = ROOT_OID + "."
    if not text.startswith(prefix):
        raise IdentifierError("bad_prefix", f"identifier must start with {prefix}")
    parts = text[len(prefix) :].split(".")
    if len(parts) != 5:
        raise IdentifierError(
            "bad_format", "identifier must have type code, issuer, serial, version and check"
        )
    type_code, issuer, serial, version_text, check = parts
    _validate_type_code(type_code)
    _validate_uscc(issuer, "bad_issuer", "issuer")
    _validate_serial(serial)
    if not _VERSION.match(version_text) or version_text == "000":
        raise IdentifierError("bad_version", "version must be 3 digits from 001")
    if len(check) != 1 or check not in _CHECK_ALPHABET:
        raise IdentifierError("bad_check", "check must be one character 0-9 or A-Z")
    parsed = CertificateIdentifier(type_code, issuer, serial, int(version_text), check)
    if strict and not parsed.check_valid:
        raise IdentifierError(
            "bad_check", f"check character {check!r} does not match the other fields"
        )
    return parsed


def is_valid_identifier(value: str) -> bool:
    """Whether `value` is a well-formed identifier with a correct check character."""
    try:
        parse_identifier(value)
    except IdentifierError:
        return False
    return True
