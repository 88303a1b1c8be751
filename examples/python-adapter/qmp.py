"""A QMP client: one unix socket, commands answered in order, events handed to a callback."""
import json
import socket
import threading
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, on_event, deadline_s, alive):
        self.on_event = on_event
        self.lock = threading.Lock()
        self.replies = []
        self.cond = threading.Condition()
        self.closed = False
        self.sock = _dial(path, deadline_s, alive)
        self.reader = self.sock.makefile('rb')
        greeting = json.loads(self.reader.readline() or b'{}')
        if 'QMP' not in greeting:
            raise QmpError(f'no QMP greeting on {path}')
        threading.Thread(target=self._read, daemon=True).start()
        self.execute('qmp_capabilities')

    def _read(self):
        try:
            for line in self.reader:
                message = json.loads(line)
                if 'event' in message:
                    self.on_event(message)
                    continue
                with self.cond:
                    self.replies.append(message)
                    self.cond.notify_all()
        except (OSError, ValueError):
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def execute(self, command, arguments=None, timeout_s=60):
        """One command at a time: QMP answers in order, so the reply that comes next is ours."""
        with self.lock:
            request = {'execute': command, **({'arguments': arguments} if arguments else {})}
            self.sock.sendall(json.dumps(request).encode() + b'\n')
            deadline = time.monotonic() + timeout_s
            with self.cond:
                while not self.replies:
                    if self.closed:
                        raise QmpError(f'QMP closed during {command}')
                    if not self.cond.wait(max(0, deadline - time.monotonic())):
                        raise QmpError(f'QMP did not answer {command} within {timeout_s} s')
                reply = self.replies.pop(0)
        if 'error' in reply:
            raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")
        return reply.get('return')

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _dial(path, deadline_s, alive):
    """The VMM makes its socket a moment after it starts: retry until then, or until it died."""
    deadline = time.monotonic() + deadline_s
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if not alive() or time.monotonic() > deadline:
                raise QmpError(f'cannot connect to {path}')
            time.sleep(0.02)
