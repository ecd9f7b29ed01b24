"""A real SMTP server for Tollgate's tests and benchmark (aiosmtpd), writing each accepted
message to a folder as NNNNNN.eml, preceded by X-Envelope-From, X-Envelope-To and X-Connection
lines (the last names the SMTP session, so tests can tell whether messages shared a connection).

Options: --starttls CERT KEY (STARTTLS required), --implicit-tls CERT KEY (TLS from the first
byte), --auth USER:PASSWORD (AUTH required; --login-only offers AUTH LOGIN alone), --reject PREFIX
(RCPT TO addresses starting with it get 550), --defer PREFIX (they get 451). Runs until stdin closes, or with
--forever until it is terminated."""
import argparse
import itertools
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, folder, reject, defer):
        self.folder = folder
        self.reject = reject
        self.defer = defer
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.startswith(self.reject):
            return "550 5.1.1 mailbox unavailable"
        if self.defer and address.startswith(self.defer):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            number = next(self.numbers)
        path = os.path.join(self.folder, "%06d.eml" % number)
        with open(path + ".tmp", "wb") as out:
            out.write(("X-Envelope-From: %s\r\n" % envelope.mail_from).encode())
            out.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(("X-Connection: %d\r\n" % id(session)).encode())
            out.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    parser.add_argument("--login-only", action="store_true")
    parser.add_argument("--reject")
    parser.add_argument("--defer")
    parser.add_argument("--forever", action="store_true")
    options = parser.parse_args()

    settings = {}
    if options.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.starttls[0], options.starttls[1])
        settings.update(tls_context=context, require_starttls=True)
    if options.implicit_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.implicit_tls[0], options.implicit_tls[1])
        settings.update(ssl_context=context)
    if options.auth:
        user, password = options.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user.encode() and auth_data.password == password.encode()
            return AuthResult(success=ok)

        settings.update(
            authenticator=authenticator, auth_required=True,
            # With implicit TLS aiosmtpd does not see the session as encrypted; it is.
            auth_require_tls=bool(options.starttls))
        if options.login_only:
            settings.update(auth_exclude_mechanism=["PLAIN"])
    controller = Controller(
        Sink(options.folder, options.reject, options.defer), hostname="127.0.0.1", port=options.port,
        server_hostname="localhost", **settings)
    controller.start()
    print("ready", flush=True)
    if options.forever:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.wait(1):
            pass
    else:
        sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
