"""The Django-free core of electronic certificates: identifiers, VC 2.0, proofs, status lists.

Nothing here imports Django, touches the network or reads settings; the `certificates` app
supplies keys, key resolvers and persistence.
"""

from .canonical import CanonicalizationError, jcs, rdfc
from .credential import (
    CertificateClaims,
    CredentialError,
    build_certificate_credential,
    credential_url,
    national_fields,
    undefined_terms,
    validity_problem,
)
from .dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    KeyResolver,
    ProofResult,
    StaticKeyResolver,
    VerificationResult,
    add_proof,
    chain_resolvers,
    did_key_resolver,
    verify,
)
from .identifier import (
    CertificateIdentifier,
    IdentifierError,
    is_valid_identifier,
    make_identifier,
    parse_identifier,
)
from .loader import ContextNotAvailableError, OfflineDocumentLoader
from .multibase import (
    multikey_to_private_key,
    multikey_to_public_key,
    private_key_to_multikey,
    public_key_to_multikey,
)
from .status_list import (
    BitstringStatusList,
    StatusListError,
    build_status_list_credential,
    credential_status,
    status_list_entry,
)

__all__ = [
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "BitstringStatusList",
    "CanonicalizationError",
    "CertificateClaims",
    "CertificateIdentifier",
    "ContextNotAvailableError",
    "CredentialError",
    "IdentifierError",
    "KeyResolver",
    "OfflineDocumentLoader",
    "ProofResult",
    "StaticKeyResolver",
    "StatusListError",
    "VerificationResult",
    "add_proof",
    "build_certificate_credential",
    "build_status_list_credential",
    "chain_resolvers",
    "credential_status",
    "credential_url",
    "did_key_resolver",
    "is_valid_identifier",
    "jcs",
    "make_identifier",
    "multikey_to_private_key",
    "multikey_to_public_key",
    "national_fields",
    "parse_identifier",
    "private_key_to_multikey",
    "public_key_to_multikey",
    "rdfc",
    "status_list_entry",
    "undefined_terms",
    "validity_problem",
    "verify",
]
