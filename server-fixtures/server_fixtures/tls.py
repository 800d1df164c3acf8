"""Throw-away certificates for the TLS fixtures (SCHEMA.md "TLS").

One CA and its server certificates are made per process, the first time a
TLS server is served, in a temporary directory removed at exit: nothing is
committed and nothing comes from outside. The CA file is what adapters get as
the spec's `ca_file`; every client verifies against it, none runs with
verification off. Keys are EC P-256, so making the set takes milliseconds.

Certificates (the server table's `cert`):
- "good": SANs 127.0.0.1, 127.0.0.2, 127.0.0.3, ::1 and localhost, by the CA;
- "wrong-name": only the name wrong.invalid, by the CA (host-name check must fail);
- "untrusted": the good names, by a second CA that is never handed out.
"""
import atexit
import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
import threading

CERTS = ("good", "wrong-name", "untrusted")
GOOD_IPS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "::1")
GOOD_DNS = ("localhost",)

_lock = threading.Lock()
_material = None


def _make_ca(x509, ec, hashes, name, now):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _make_leaf(x509, ec, hashes, ca_key, ca_cert, names, ips, now):
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    cn = names[0] if names else ips[0]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _write(directory, stem, key, cert):
    from cryptography.hazmat.primitives import serialization
    cert_path = os.path.join(directory, f"{stem}.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    key_path = None
    if key is not None:
        key_path = os.path.join(directory, f"{stem}.key")
        with open(key_path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return cert_path, key_path


def _generate():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    directory = tempfile.mkdtemp(prefix="httpref-tls-")
    atexit.register(shutil.rmtree, directory, True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, ca_cert = _make_ca(x509, ec, hashes, "httpref fixtures throw-away CA", now)
    rogue_key, rogue_cert = _make_ca(x509, ec, hashes, "httpref fixtures untrusted CA", now)
    ca_file, _ = _write(directory, "ca", None, ca_cert)
    leaves = {"good": _make_leaf(x509, ec, hashes, ca_key, ca_cert, GOOD_DNS, GOOD_IPS, now),
              "wrong-name": _make_leaf(x509, ec, hashes, ca_key, ca_cert, ("wrong.invalid",), (), now),
              "untrusted": _make_leaf(x509, ec, hashes, rogue_key, rogue_cert, GOOD_DNS, GOOD_IPS, now)}
    chains = {name: _write(directory, name, *kc) for name, kc in leaves.items()}
    return {"dir": directory, "ca_file": ca_file, "chains": chains}


def material():
    """{"dir", "ca_file", "chains": {cert name: (cert path, key path)}}, made once per process."""
    global _material
    with _lock:
        if _material is None:
            _material = _generate()
        return _material


def ca_file():
    return material()["ca_file"]


def server_context(cert="good"):
    """A server-side SSLContext for one of CERTS, offering http/1.1 by ALPN so no
    client tries h2 on a fixture that speaks HTTP/1.1 only."""
    cert_path, key_path = material()["chains"][cert]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_path, key_path)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def client_context():
    """What a well-behaved client uses: the per-run CA, host names checked (self-tests)."""
    return ssl.create_default_context(cafile=ca_file())
