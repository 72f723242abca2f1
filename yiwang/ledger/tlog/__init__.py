"""Django-free core of the ledger: RFC 9162 Merkle proofs and the C2SP tlog formats.

Only the standard library and `cryptography` may be imported in this package, so that
`python -m yiwang.ledger.verify` runs anywhere. Modules: `merkle`, `note`, `checkpoint`,
`tiles`, `proof` (receipts).
"""
