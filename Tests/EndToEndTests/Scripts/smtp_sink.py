"""A real SMTP server on 127.0.0.2 for the email tests (aiosmtpd): STARTTLS required, with a
certificate from a test CA made here by openssl (the client must verify it against that CA), and AUTH
PLAIN/LOGIN required with the user and password given. It takes every recipient except those whose
local part starts with "refused" (550, for good) or "deferred" (451, try later). While a file named
"away" is in the spool directory it answers every MAIL FROM with 421 (service not available) and
appends a line to "refused-senders".

Each accepted mail is written to the spool directory as <n>.json: the envelope, whether it came over
TLS and who logged in, its headers, its text and HTML parts decoded, and the raw bytes (base64).
Prints {"port": N, "ca": "<ca.pem>"} once listening; it stops when its standard input closes.

    smtp_sink.py SPOOL USER PASSWORD
"""

import asyncio
import base64
import email
import email.policy
import json
import os
import ssl
import sys
import tempfile
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from certificates import make_certificates


class Handler:
    def __init__(self, spool):
        self.spool = spool
        self.count = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if os.path.exists(os.path.join(self.spool, "away")):
            # A server that cannot take mail now (421, as a relay that lost its disk or its upstream
            # says), counted so a test sees how often statusd tried.
            with open(os.path.join(self.spool, "refused-senders"), "a") as refused:
                refused.write("421\n")
            return "421 4.3.2 service not available"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("refused"):
            return "550 5.1.1 no such mailbox"
        if local.startswith("deferred"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = {}
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html") and not part.is_multipart():
                parts[part.get_content_type()] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            # Raw header values (encoded words as sent) and decoded ones.
            "headers": {name.lower(): str(value) for name, value in message.items()},
            "raw_headers": {name.lower(): value for name, value in
                            email.message_from_bytes(envelope.original_content,
                                                     policy=email.policy.compat32).items()},
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "raw": base64.b64encode(envelope.original_content).decode("ascii"),
            "peer": session.peer[0],
        }
        with self.lock:
            self.count += 1
            name = os.path.join(self.spool, "%06d.json" % self.count)
        with open(name + ".tmp", "w") as file:
            json.dump(record, file)
        os.rename(name + ".tmp", name)  # whole files only: the test reads while mail arrives
        return "250 Message accepted"


def main():
    spool, user, password = sys.argv[1:4]
    os.makedirs(spool, exist_ok=True)
    directory = tempfile.mkdtemp(prefix="smtp-sink-")
    ca, certificate, key = make_certificates(directory, "127.0.0.2")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok, auth_data=auth_data)

    handler = Handler(spool)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", tls_context=context, require_starttls=True,
                     authenticator=authenticator, auth_required=True, auth_require_tls=True),
        host="127.0.0.2", port=0))
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port, "ca": ca}), flush=True)

    def wait_for_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)
    threading.Thread(target=wait_for_stdin, daemon=True).start()
    loop.run_forever()


if __name__ == "__main__":
    main()
