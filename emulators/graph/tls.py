"""The emulator's self-signed TLS certificate.

msal accepts only an `https://` authority (API-NOTES B1), so the emulator serves TLS. The
certificate (SANs: IP 127.0.0.1, DNS localhost) is written where clients can trust it, and reused
on the next start while it is valid.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CERT_FILE = "graph-emulator-cert.pem"
KEY_FILE = "graph-emulator-key.pem"


@dataclass(frozen=True)
class CertPaths:
    cert: Path
    key: Path


def _still_valid(cert_path: Path, key_path: Path) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


def ensure_certificate(cert_dir: Path) -> CertPaths:
    """Reuse the certificate in `cert_dir`, or generate and write a new one."""
    cert_dir.mkdir(parents=True, exist_ok=True)
    paths = CertPaths(cert=cert_dir / CERT_FILE, key=cert_dir / KEY_FILE)
    if _still_valid(paths.cert, paths.key):
        return paths
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Graph emulator (localhost)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp_key = paths.key.with_suffix(".tmp")
    tmp_key.write_bytes(key_pem)
    tmp_key.chmod(0o600)
    tmp_key.replace(paths.key)
    tmp_cert = paths.cert.with_suffix(".tmp")
    tmp_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tmp_cert.replace(paths.cert)
    return paths
