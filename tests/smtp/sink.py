#!/usr/bin/env python3
"""A real SMTP server for tests (aiosmtpd), writing what it accepts to files.

    python3 tests/smtp/sink.py --port 2525 --out DIR [--delay-ms N] [--code-4xx | --code-5xx]

- Every accepted message is written to DIR as its own file, the raw bytes of DATA,
  named by a counter that only grows (000001.eml, 000002.eml, ...). Each file is
  written to a temporary name first and then renamed, so a reader never sees half a
  message.
- --delay-ms N: after storing a message, wait N ms before answering 250. A client
  that dies in that window has delivered the message without learning so; that is
  the case where a resend (with the same Message-ID) is expected.
- --code-4xx: answer every DATA with 451 (temporary failure), storing nothing.
- --code-5xx: answer every DATA with 550 (permanent failure), storing nothing.
- --tls-cert FILE --tls-key FILE: offer STARTTLS and refuse mail before it; with
  --implicit-tls, speak TLS from the first byte instead (smtps, port 465 style).
- --auth USER:PASSWORD: require AUTH (PLAIN or LOGIN), only over TLS.
- --port 0 picks a free port. Prints `READY <port>` on stdout once listening.
- Stops cleanly (exit 0) on SIGTERM or SIGINT.

Each DATA answered is also logged on stderr (`stored N`, `refused 451` ...).
"""

import argparse
import asyncio
import os
import signal
import sys

import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, out, delay_ms, code):
        self.out = out
        self.delay = delay_ms / 1000.0
        self.code = code
        self.count = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.code == 451:
            self.refused += 1
            print(f"refused 451 ({self.refused})", file=sys.stderr, flush=True)
            return "451 4.3.0 Temporary failure, try again later"
        if self.code == 550:
            self.refused += 1
            print(f"refused 550 ({self.refused})", file=sys.stderr, flush=True)
            return "550 5.7.1 Message rejected"
        # The event loop runs one handler step at a time, so the counter needs no lock.
        self.count += 1
        n = self.count
        name = f"{n:06d}.eml"
        tmp = os.path.join(self.out, f".{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or b"")
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.out, name))
        print(f"stored {n}", file=sys.stderr, flush=True)
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 OK: queued"


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--out", required=True)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth")
    p.add_argument("--implicit-tls", action="store_true")
    codes = p.add_mutually_exclusive_group()
    codes.add_argument("--code-4xx", action="store_true")
    codes.add_argument("--code-5xx", action="store_true")
    args = p.parse_args()

    os.makedirs(args.out, exist_ok=True)
    code = 451 if args.code_4xx else 550 if args.code_5xx else 250
    handler = Sink(args.out, args.delay_ms, code)
    loop = asyncio.get_running_loop()
    options = {"hostname": "sink.test", "data_size_limit": 10 * 1024 * 1024}
    server_ssl = None
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.implicit_tls:
            server_ssl = ctx
        else:
            options.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            print(f"auth {'ok' if ok else 'refused'}", file=sys.stderr, flush=True)
            # handled=False: aiosmtpd then answers 535 itself (True would mean we had).
            return AuthResult(success=ok, handled=False)

        # With implicit TLS aiosmtpd does not see the connection as TLS (it only
        # tracks STARTTLS), so it would never offer AUTH; the socket is TLS anyway.
        options.update(
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=not args.implicit_tls,
        )
    server = await loop.create_server(
        lambda: SMTP(handler, **options),
        host=args.host,
        port=args.port,
        reuse_address=True,
        ssl=server_ssl,
    )
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    server.close()
    try:
        # Newer Pythons also wait for open sessions here; do not hang on one.
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass
    print(f"stopped after storing {handler.count}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
