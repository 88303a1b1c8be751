#!/usr/bin/env python3
"""A runtime adapter for microvm-gauntlet in Python's standard library, written from docs/ alone.

It drives QEMU itself (its own QMP client, processes and files) and boots the harness's guest kit
(`gauntlet image export --for other-vmm`, docs/guest-contract.md). It speaks the runtime protocol
(docs/runtime-protocol.md) on stdin/stdout, one JSON-RPC message a line, and logs to stderr.

    gauntlet runtime check exec:"python3 examples/python-adapter/adapter.py"
    gauntlet run lifecycle balloon disk snapshot --runtime exec:"python3 examples/python-adapter/adapter.py"
"""
import base64
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent import AgentError  # noqa: E402
from vm import MIB, CreateError, InvalidParams, Vm, host_tsc_khz  # noqa: E402

PROTOCOL_VERSION = 2
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPABILITIES = ['balloon', 'balloon-stats', 'balloon-free-page-reporting', 'balloon-deflate-on-oom', 'host-vmm-memory',
                'host-memory-reclaim', 'stop-start', 'disk-discard', 'scratch-disk', 'host-footprint', 'file-transfer', 'snapshot']
# The catalogue's faults this adapter can inject, so `gauntlet prove --runtime exec:...` proves claims on it:
# no-discard, a drive that drops the guest's discards (the host file keeps what the guest freed).
FAULTS = {'no-discard'}
BALLOON_MINIMUM_MIB = 128
BALLOON_TOLERANCE_MIB = 16
BALLOON_MOVE_DEADLINE_S = 120
DEFAULT_TIMEOUT_S = 60
DEFAULT_LIMIT = 16 * MIB


def log(line):
    sys.stderr.write(f'python-adapter: {line}\n')
    sys.stderr.flush()


class Failure(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.data = data


class Host:
    """What every VM of this adapter shares: the VMM binary, the accelerator, the kit, the saved states."""

    def __init__(self):
        self.arch = os.environ.get('GAUNTLET_ARCH', 'x86_64')
        self.qemu = os.environ.get('GAUNTLET_VMM') or shutil.which(f'qemu-system-{self.arch}') or f'qemu-system-{self.arch}'
        self.qemu_img_binary = shutil.which('qemu-img', path=os.path.dirname(self.qemu)) or 'qemu-img'
        target = json.loads(os.environ.get('GAUNTLET_TARGET') or '{}')
        self.accel = target.get('accelerator') or os.environ.get('GAUNTLET_ACCEL') or 'tcg'
        if self.accel == 'auto':
            self.accel = 'tcg'
        self.tsc_khz = host_tsc_khz()
        self.cold = os.environ.get('GAUNTLET_COLD') in ('1', 'true')
        self.kit_dir = os.environ.get('GAUNTLET_KIT') or os.path.join(
            os.environ.get('GAUNTLET_CACHE_DIR') or os.path.expanduser('~/.cache/microvm-gauntlet'), f'kit-{self.arch}')
        self.kit = None
        self.work = None
        self.shared = None
        self.saved = {}
        self.save_locks = {}
        self.lock = threading.Lock()

    def vmm_version(self):
        try:
            return subprocess.run([self.qemu, '--version'], capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None

    def qemu_img(self, *args):
        subprocess.run([self.qemu_img_binary, *args], check=True, capture_output=True)

    def kit_file(self, name):
        return os.path.join(self.kit_dir, self.kit['files'][name])

    def prepare(self):
        """The kit and this adapter's directory under the run dir, on the first create."""
        with self.lock:
            if self.kit is not None:
                return
            run_dir = os.environ.get('GAUNTLET_RUN_DIR')
            if not run_dir:
                raise RuntimeError('GAUNTLET_RUN_DIR is not set: this adapter keeps its VMs under the run dir the harness passes')
            if self.arch != 'x86_64':
                raise RuntimeError(f'this example boots x86_64 guests only (asked for {self.arch})')
            if not os.path.exists(os.path.join(self.kit_dir, 'kit.json')):
                export_kit(self.kit_dir, self.arch)
            with open(os.path.join(self.kit_dir, 'kit.json')) as f:
                self.kit = json.load(f)
            self.work = os.path.join(run_dir, f'python-adapter-{os.getpid()}')
            os.makedirs(self.work, exist_ok=True)
            # Saved states outlive one adapter: every adapter of the run (one per test worker) restores
            # from them, and the run's sweep removes them with the run dir.
            self.shared = os.path.join(run_dir, 'python-adapter-saved')
            os.makedirs(self.shared, exist_ok=True)

    def rootfs_base(self, spec):
        disk = spec.get('disk', {})
        size, inodes = disk.get('rootfsMiB', 128), disk.get('rootfsInodes')
        for base in self.kit['rootfs']:
            if base['sizeMiB'] == size and base.get('inodes') == inodes:
                return os.path.join(self.kit_dir, base['file'])
        raise InvalidParams(f'no root disk base of {size} MiB{f" with {inodes} inodes" if inodes else ""} in the kit')


def export_kit(kit_dir, arch):
    """The harness's guest as a kit, through its CLI; made aside and renamed, as parallel adapters race for it."""
    aside = f'{kit_dir}.{os.getpid()}'
    shutil.rmtree(aside, ignore_errors=True)
    log(f'exporting the guest kit to {kit_dir}')
    subprocess.run(['npx', 'tsx', os.path.join(REPO, 'bin/gauntlet.ts'), 'image', 'export', '--for', 'other-vmm', aside, '--arch', arch],
                   cwd=REPO, check=True, stdout=sys.stderr)
    try:
        os.rename(aside, kit_dir)
    except OSError:
        shutil.rmtree(aside, ignore_errors=True)


def restore_refusal(spec, host):
    """Why a VM of this spec boots cold instead of being restored; None when it can be restored."""
    disk = spec.get('disk', {})
    if host.cold:
        return 'the run boots every VM cold (GAUNTLET_COLD)'
    if disk.get('scratchMiB'):
        return 'a scratch disk is not part of the saved state'
    if disk.get('overlayDir') or disk.get('hostStorageControl'):
        return "the disk is the case's own"
    if spec.get('hostile') or spec.get('faults'):
        return 'a hostile or faulty guest is not saved'
    return None


class Runtime:
    def __init__(self):
        self.host = Host()
        self.sandboxes = {}
        self.balloons = {}
        self.count = 0
        self.lock = threading.Lock()

    # ---- sandboxes ----
    def vm(self, params):
        vm = self.sandboxes.get(params.get('sandbox'))
        if vm is None:
            raise Failure(-32602, f"no sandbox {params.get('sandbox')}")
        return vm

    def new_dir(self, name):
        with self.lock:
            self.count += 1
            return os.path.join(self.host.work, f'{name}-{self.count}')

    def create(self, params):
        spec = dict(params['spec'])
        unoffered = [fault for fault in spec.get('faults', []) if fault not in FAULTS]
        if unoffered:
            raise Failure(-32602, f"fault {', '.join(unoffered)} is not offered by this adapter")
        if spec.get('hostile'):
            raise Failure(-32602, 'this adapter does not run hostile guests')
        spec.setdefault('memoryMiB', 256)
        spec.setdefault('vcpus', 1)
        self.host.prepare()
        restore = spec.get('restore')
        saved, fallback = None, None
        if restore:
            fallback = restore_refusal(spec, self.host)
            if fallback is None:
                saved = self.saved_state(spec)
            else:
                fallback = f'booted cold: {fallback}'
        vm = Vm(self.host, spec, self.new_dir(spec['name']), restore_from=saved, restore_fallback=fallback)
        try:
            if saved:
                vm.make_disks(saved['overlay'], 'qcow2')
            else:
                vm.make_disks(self.host.rootfs_base(spec), 'raw')
            vm.boot()
        except InvalidParams:
            vm.destroy()
            raise
        except Exception as error:
            tail = vm.console_tail(5)
            vm.destroy()
            raise CreateError(f"VM {spec['name']} did not get ready: {error}" + (f'\nconsole ends:\n{tail}' if tail else ''), vm.leftovers())
        sandbox = f's{len(self.sandboxes)}'
        self.sandboxes[sandbox] = vm
        return {'sandbox': sandbox, 'spec': spec, 'status': vm.status()}

    def saved_state(self, spec):
        """The saved state of this spec's profile, made by whichever of the run's adapters asks first."""
        restore = spec['restore'] if isinstance(spec['restore'], dict) else {}
        profile = {k: v for k, v in spec.items() if k not in ('name', 'restore')}
        key = hashlib.sha256(json.dumps([profile, restore.get('balloonTargetMiB')], sort_keys=True).encode()).hexdigest()[:16]
        with self.lock:
            lock = self.host.save_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self.host.saved:
                return self.host.saved[key]
            directory = os.path.join(self.host.shared, key)
            os.makedirs(directory, exist_ok=True)
            saved = {'state': os.path.join(directory, 'state'), 'overlay': os.path.join(directory, 'root.qcow2')}
            with open(os.path.join(directory, 'lock'), 'w') as held:
                # The other adapters of the run wait here while one boots and saves; the overlay is
                # renamed into place last, so its presence means the state is whole.
                fcntl.flock(held, fcntl.LOCK_EX)
                if not os.path.exists(saved['overlay']):
                    self.save_profile(key, profile, restore, spec, saved)
            self.host.saved[key] = saved
            return saved

    def save_profile(self, key, profile, restore, spec, saved):
        """Boot one VM of the profile, inflate its balloon if asked, save it, keep its disk."""
        template = Vm(self.host, {**profile, 'name': f'save-{key}'}, self.new_dir(f'save-{key}'))
        try:
            template.make_disks(self.host.rootfs_base(spec), 'raw')
            template.boot()
            if restore.get('balloonTargetMiB'):
                self.move_balloon(template, restore['balloonTargetMiB'], 'inflate')
            template.save(saved['state'])
            os.rename(template.root, saved['overlay'])
        finally:
            template.destroy()

    def with_status(self, vm, result=None):
        return {**(result or {}), 'status': vm.status()}

    def exec(self, params):
        vm = self.vm(params)
        if 'command' not in params:
            raise Failure(-32602, 'exec needs a command')
        stdin = base64.b64decode(params.get('stdin', ''))
        reply, duration = vm.exec(params['command'], env=params.get('env'), timeout_s=params.get('timeoutSeconds', DEFAULT_TIMEOUT_S),
                                  stdin=stdin, limit=params.get('outputLimitBytes', DEFAULT_LIMIT))
        return self.with_status(vm, {'exitCode': reply.exit_code, 'stdout': base64.b64encode(reply.stdout).decode(),
                                     'stderr': base64.b64encode(reply.stderr).decode(), 'timedOut': reply.timed_out,
                                     'truncated': reply.truncated, 'durationMs': duration})

    def upload(self, params):
        vm = self.vm(params)
        reply, _ = vm.exec(f"cat > '{params['guestPath']}'", stdin=base64.b64decode(params['data']))
        if reply.exit_code != 0:
            raise RuntimeError(f"upload to {params['guestPath']} failed: exit {reply.exit_code}, {reply.stderr.decode(errors='replace')}")
        return self.with_status(vm)

    def download(self, params):
        vm = self.vm(params)
        reply, _ = vm.exec(f"cat '{params['guestPath']}'")
        if reply.exit_code != 0 or reply.truncated:
            raise RuntimeError(f"download of {params['guestPath']} failed: exit {reply.exit_code}, {reply.stderr.decode(errors='replace')}")
        return self.with_status(vm, {'data': base64.b64encode(reply.stdout).decode()})

    # ---- the balloon: one control client per harness-chosen id ----
    def balloon(self, params, needs_connection=True):
        vm = self.vm(params)
        if vm.spec.get('balloon') is False:
            raise Failure(-32602, f"sandbox {params['sandbox']} has no balloon")
        control = self.balloons.setdefault((params['sandbox'], params['balloon']), {'connected': False, 'moves': []})
        if needs_connection and not control['connected']:
            raise Failure(-32000, 'balloon control is not connected', {'type': 'BalloonNotConnectedError'})
        return vm, control

    def actual_mib(self, vm):
        return vm.qmp.execute('query-balloon')['actual'] / MIB

    def move_balloon(self, vm, target_mib, direction):
        target = max(target_mib, BALLOON_MINIMUM_MIB)
        before = self.actual_mib(vm)
        started = time.monotonic()
        vm.qmp.execute('balloon', {'value': int(target * MIB)})
        if direction == 'inflate':
            reached = lambda actual: actual <= target + BALLOON_TOLERANCE_MIB  # noqa: E731
        else:
            reached = lambda actual: actual >= min(target, vm.spec['memoryMiB']) - BALLOON_TOLERANCE_MIB  # noqa: E731
        while not reached(actual := self.actual_mib(vm)):
            if time.monotonic() - started > BALLOON_MOVE_DEADLINE_S:
                raise Failure(-32000, f'the balloon did not reach {target} MiB within {BALLOON_MOVE_DEADLINE_S} s (actual {actual} MiB)', {'type': 'BalloonTimeoutError'})
            time.sleep(0.05)
        return before, {'direction': direction, 'movedMiB': abs(actual - before), 'durationMs': (time.monotonic() - started) * 1000, 'timedBy': 'polling'}

    def balloon_limits(self, params):
        vm, _ = self.balloon(params, needs_connection=False)
        return self.with_status(vm, {'minimumMiB': BALLOON_MINIMUM_MIB, 'toleranceMiB': BALLOON_TOLERANCE_MIB})

    def balloon_connect(self, params):
        vm, control = self.balloon(params, needs_connection=False)
        if not control['connected']:
            control.update(connected=True, moves=[])
        return self.with_status(vm)

    def balloon_close(self, params):
        vm, control = self.balloon(params, needs_connection=False)
        control['connected'] = False
        return self.with_status(vm)

    def balloon_query(self, params):
        vm, _ = self.balloon(params)
        return self.with_status(vm, {'actualMiB': self.actual_mib(vm)})

    def balloon_set_target(self, params):
        vm, _ = self.balloon(params)
        vm.qmp.execute('balloon', {'value': int(max(params['targetMiB'], BALLOON_MINIMUM_MIB) * MIB)})
        return self.with_status(vm)

    def balloon_move(self, direction):
        def move(params):
            vm, control = self.balloon(params)
            before, move = self.move_balloon(vm, params['targetMiB'], direction)
            control['moves'].append(move)
            return self.with_status(vm, {'beforeMiB': before})
        return move

    def balloon_stats(self, params):
        vm, _ = self.balloon(params)
        reply = vm.qmp.execute('qom-get', {'path': '/machine/peripheral/balloon0', 'property': 'guest-stats'})
        names = {'freeBytes': 'stat-free-memory', 'totalBytes': 'stat-total-memory', 'availableBytes': 'stat-available-memory'}
        stats = {ours: reply['stats'][theirs] for ours, theirs in names.items() if reply['stats'].get(theirs, -1) >= 0}
        if reply.get('last-update'):
            stats['lastUpdate'] = reply['last-update']
        return self.with_status(vm, {'stats': stats})

    def balloon_moves(self, params):
        vm, control = self.balloon(params)
        return self.with_status(vm, {'moves': control['moves']})

    # ---- the rest of a sandbox ----
    def footprint(self, params):
        vm = self.vm(params)
        files = vm.footprint()
        return self.with_status(vm, {'files': files, 'totalBytes': sum(files.values())})

    def wait_for_event(self, params):
        vm = self.vm(params)
        return self.with_status(vm, {'event': vm.wait_for_event(params['kind'], params['timeoutMs'])})

    def on_vm(self, act):
        def handler(params):
            vm = self.vm(params)
            return self.with_status(vm, act(vm, params) or {})
        return handler

    def leftovers(self, params):
        return {'leftovers': self.vm(params).leftovers()}

    def handlers(self):
        return {
            'create': self.create,
            'exec': self.exec,
            'upload': self.upload,
            'download': self.download,
            'balloon.limits': self.balloon_limits,
            'balloon.connect': self.balloon_connect,
            'balloon.close': self.balloon_close,
            'balloon.query': self.balloon_query,
            'balloon.setTarget': self.balloon_set_target,
            'balloon.inflate': self.balloon_move('inflate'),
            'balloon.deflate': self.balloon_move('deflate'),
            'balloon.stats': self.balloon_stats,
            'balloon.moves': self.balloon_moves,
            'footprint': self.footprint,
            'diskCheck': self.on_vm(lambda vm, _: {'checks': vm.disk_check()}),
            'vmmMemory': self.on_vm(lambda vm, _: {'bytes': vm.vmm_memory()}),
            'events': self.on_vm(lambda vm, _: {'events': list(vm.events)}),
            'waitForEvent': self.wait_for_event,
            'consoleTail': self.on_vm(lambda vm, p: {'text': vm.console_tail(p.get('lines', 40))}),
            'consoleLog': self.on_vm(lambda vm, _: {'keptBytes': vm.console_bytes()}),
            'stop': self.on_vm(lambda vm, _: vm.stop()),
            'start': self.on_vm(lambda vm, _: vm.start()),
            'destroy': self.on_vm(lambda vm, _: vm.destroy()),
            'leftovers': self.leftovers,
        }

    def initialize(self, params):
        if params.get('protocolVersion', 0) < PROTOCOL_VERSION:
            raise Failure(-32001, f'this adapter speaks runtime protocol {PROTOCOL_VERSION}, not {params.get("protocolVersion")}',
                          {'type': 'UnsupportedProtocolVersion', 'supportedVersions': [PROTOCOL_VERSION]})
        version = self.host.vmm_version()
        return {'protocolVersion': PROTOCOL_VERSION, 'runtime': {'name': 'python-qemu', 'version': '0.1.0'},
                **({'vmm': {'name': 'qemu', 'version': version}} if version else {}),
                'accelerator': self.host.accel, 'acceleratorReason': 'the run target the harness passed, else GAUNTLET_ACCEL, else TCG',
                'capabilities': CAPABILITIES, 'faults': sorted(FAULTS)}


def error_of(exception):
    if isinstance(exception, Failure):
        return {'code': exception.code, 'message': str(exception), **({'data': exception.data} if exception.data else {})}
    if isinstance(exception, InvalidParams):
        return {'code': -32602, 'message': str(exception)}
    if isinstance(exception, KeyError):
        return {'code': -32602, 'message': f'missing param {exception}'}
    if isinstance(exception, CreateError):
        return {'code': -32000, 'message': str(exception), 'data': {'type': 'SandboxCreateError', 'leftovers': exception.leftovers}}
    if isinstance(exception, AgentError):
        return {'code': -32000, 'message': f'guest agent: {exception}', 'data': {'type': 'Error'}}
    return {'code': -32000, 'message': str(exception) or type(exception).__name__, 'data': {'type': 'Error'}}


def main():
    runtime = Runtime()
    handlers = {'initialize': runtime.initialize, **runtime.handlers()}
    out = threading.Lock()

    def send(message):
        line = json.dumps({'jsonrpc': '2.0', **message}) + '\n'
        with out:
            sys.stdout.write(line)
            sys.stdout.flush()

    def answer(request):
        request_id = request.get('id')
        handler = handlers.get(request.get('method'))
        if handler is None:
            return send({'id': request_id, 'error': {'code': -32601, 'message': f"no method {request.get('method')}"}})
        try:
            send({'id': request_id, 'result': handler(request.get('params') or {})})
        except Exception as exception:  # every failure is an answer, never a dead adapter
            log(f"{request.get('method')} failed: {exception}")
            send({'id': request_id, 'error': error_of(exception)})

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            send({'id': None, 'error': {'code': -32700, 'message': 'not JSON'}})
            continue
        threading.Thread(target=answer, args=(request,), daemon=True).start()
    # End of input: the harness is done. Nothing of ours may outlive it.
    for vm in list(runtime.sandboxes.values()):
        if vm.state != 'destroyed':
            vm.destroy()
    if runtime.host.work:
        shutil.rmtree(runtime.host.work, ignore_errors=True)
    os._exit(0)


if __name__ == '__main__':
    main()
