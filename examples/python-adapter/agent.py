"""The host side of the harness's guest agent (docs/agent-protocol.md), over QEMU's virtio-serial socket."""
import base64
import itertools
import os
import re
import socket
import threading
import time

PLAIN = re.compile(rb'[A-Za-z0-9._/=:-]')
ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


class AgentError(Exception):
    pass


def shell_quote(value):
    return "'" + value.replace("'", "'\\''") + "'"


def escaped(data):
    """Every byte but a few plain ones as \\0ooo, which the agent's printf %b turns back into the byte."""
    return ''.join(chr(b) if PLAIN.fullmatch(bytes([b])) else '\\0%03o' % b for b in data)


class Reply:
    def __init__(self, exit_code, flags, stdout, stderr):
        self.exit_code = exit_code
        self.timed_out = 't' in flags
        self.truncated = 'T' in flags
        self.stdout = stdout
        self.stderr = stderr


class Agent:
    """Requests wait for their own reply by id; every hello resends what has no reply yet."""

    def __init__(self, path, alive, await_hello=True):
        self.path = path
        self.alive = alive
        self.lock = threading.Lock()
        self.pending = {}  # id -> [frame, event, reply]
        self.ids = itertools.count()
        self.session = os.urandom(4).hex()
        self.hello = threading.Event()
        # A restored agent is mid-read: it greets only at its next idle reopen, so do not wait for that.
        if not await_hello:
            self.hello.set()
        self.protocol_errors = 0
        self.stray_replies = 0
        self.sock = None
        self.closed = False

    def connect(self, deadline_s):
        deadline = time.monotonic() + deadline_s
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.path)
                break
            except OSError:
                sock.close()
                if not self.alive() or time.monotonic() > deadline:
                    raise AgentError(f'cannot connect to the agent socket {self.path}')
                time.sleep(0.02)
        self.sock = sock
        threading.Thread(target=self._read, args=(sock,), daemon=True).start()
        if not self.hello.wait(max(0, deadline - time.monotonic())):
            raise AgentError(f'no HELLO from the guest agent within {deadline_s:.0f} s')

    def close(self):
        self.closed = True
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
                self.sock.close()
            except OSError:
                pass
        with self.lock:
            waiting = list(self.pending.values())
            self.pending.clear()
        for entry in waiting:
            entry[2] = AgentError('the agent connection was closed')
            entry[1].set()

    def _read(self, sock):
        buffer = b''
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                while b'\n' in buffer:
                    line, buffer = buffer.split(b'\n', 1)
                    self._frame(line.decode('ascii', 'replace'))
        except OSError:
            pass

    def _frame(self, line):
        fields = line.split(' ')
        if fields[0] == 'H' and len(fields) == 3:
            self.hello.set()
            with self.lock:
                frames = [entry[0] for entry in self.pending.values()]
            for frame in frames:
                self._send(frame)
            return
        if fields[0] == 'R' and len(fields) == 6:
            with self.lock:
                entry = self.pending.pop(fields[1], None)
            if entry is None:
                self.stray_replies += 1
                return
            entry[2] = Reply(int(fields[2]), fields[3], base64.b64decode(fields[4]), base64.b64decode(fields[5]))
            entry[1].set()
            return
        self.protocol_errors += 1

    def _send(self, frame):
        try:
            self.sock.sendall(frame)
        except OSError:
            pass  # a hello after the reconnect resends it

    def exec(self, command, env=None, timeout_s=60, stdin=b'', limit=16 * 1024 * 1024, grace_s=15):
        exports = ''
        for name, value in (env or {}).items():
            if not ENV_NAME.match(name):
                raise AgentError(f'invalid environment variable name {name!r}')
            exports += f'export {name}={shell_quote(value)}\n'
        script = escaped((exports + command).encode())
        request_id = f'{self.session}-{next(self.ids)}'
        body = base64.b64encode(stdin).decode() if stdin else ''
        frame = f'X {request_id} {max(1, int(-(-timeout_s // 1)))} {limit} {script} {len(body)}\n'.encode()
        if body:
            frame += body.encode() + b'\n'
        entry = [frame, threading.Event(), None]
        with self.lock:
            if self.closed:
                raise AgentError('the agent connection was closed')
            self.pending[request_id] = entry
        self._send(frame)
        if not entry[1].wait(timeout_s + grace_s):
            with self.lock:
                self.pending.pop(request_id, None)
            raise AgentError(f'no reply from the guest agent within {timeout_s + grace_s:.0f} s')
        if isinstance(entry[2], Exception):
            raise entry[2]
        return entry[2]
