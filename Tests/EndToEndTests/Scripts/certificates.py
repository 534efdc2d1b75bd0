"""Certificates for the tests, made by openssl: a CA of the test's own and server certificates it
signs (P-256 keys: quick to make). A client that trusts only that CA verifies the chain for real."""

import os
import subprocess


def _openssl(*arguments):
    subprocess.run(["openssl", *arguments], check=True, capture_output=True)


def make_ca(directory):
    """A CA in `directory`: returns (ca.pem, ca.key)."""
    ca, ca_key = os.path.join(directory, "ca.pem"), os.path.join(directory, "ca.key")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=statusd test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return ca, ca_key


def make_server(directory, ca, ca_key, address, name="server"):
    """A certificate for the IP `address` signed by the CA, with a key of its own: returns
    (<name>.pem, <name>.key); the key file is readable by its owner only, as a service's is."""
    key, request, certificate, extensions = (os.path.join(directory, name + suffix)
                                             for suffix in (".key", ".csr", ".pem", ".ext"))
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", request, "-subj", "/CN=" + address)
    os.chmod(key, 0o600)
    with open(extensions, "w") as file:
        file.write("subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n" % address)
    _openssl("x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
             "-out", certificate, "-days", "2", "-extfile", extensions)
    return certificate, key


def make_certificates(directory, address):
    """A CA and one server certificate for `address`: returns (ca.pem, server.pem, server.key)."""
    ca, ca_key = make_ca(directory)
    certificate, key = make_server(directory, ca, ca_key, address)
    return ca, certificate, key


if __name__ == "__main__":
    # certificates.py DIRECTORY ADDRESS: what a test written in Swift serves (ca.pem, server.pem/.key).
    import sys
    make_certificates(sys.argv[1], sys.argv[2])
