"""One QEMU VM booting the harness's guest kit: its files, its VMM process, its boots and restores."""
import json
import os
import shutil
import subprocess
import threading
import time

from agent import Agent, AgentError
from qmp import Qmp

MIB = 1024 * 1024
READY_DEADLINE_S = 90
STOP_GRACE_S = 10


class InvalidParams(Exception):
    """A spec or call this runtime cannot honour: -32602."""


class CreateError(Exception):
    def __init__(self, message, leftovers):
        super().__init__(message)
        self.leftovers = leftovers


def host_tsc_khz():
    """Under TCG the x86 guest must be told the TSC rate: measuring it on a loaded host hangs its boot."""
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('cpu MHz'):
                    return round(float(line.split(':')[1]) * 1000)
    except OSError:
        pass
    return None


class Vm:
    def __init__(self, host, spec, directory, restore_from=None, restore_fallback=None):
        self.host = host
        self.spec = spec
        self.dir = directory
        self.restore_from = restore_from
        self.restore_fallback = restore_fallback
        # What the saved state's facts say, read once: status goes out with every answer.
        self.restored_from = None
        if restore_from is not None:
            with open(restore_from['facts']) as facts:
                self.restored_from = json.load(facts)
        self.state = 'created'
        self.process = None
        self.qmp = None
        self.agent = None
        self.events = []
        self.boot_event_index = 0
        self.boot_started = 0.0
        self.events_changed = threading.Condition()
        self.boots = []
        self.exec_round_trips = []
        self.boot_ms = None
        os.makedirs(directory)
        # The case may name the directory for the writable disks (a small filesystem it fills, or measures).
        disks = spec.get('disk', {}).get('overlayDir') or directory
        prefix = '' if disks == directory else f'{os.path.basename(directory)}-'
        self.root = os.path.join(disks, f'{prefix}root.qcow2')
        self.scratch = os.path.join(disks, f'{prefix}scratch.qcow2') if spec.get('disk', {}).get('scratchMiB') else None

    # ---- files ----
    def path(self, name):
        return os.path.join(self.dir, name)

    def make_disks(self, base, base_format):
        self.host.qemu_img('create', '-q', '-f', 'qcow2', '-b', base, '-F', base_format, self.root)
        if self.scratch:
            self.host.qemu_img('create', '-q', '-f', 'qcow2', self.scratch, f"{self.spec['disk']['scratchMiB']}M")

    def disk_files(self):
        return [f for f in (self.root, self.scratch) if f and os.path.exists(f)]

    # ---- the VMM ----
    def kernel_args(self):
        balloon = self.spec.get('balloon') or {}
        args = [self.host.kit['kernelArgs']]
        if self.spec.get('agent', {}).get('readTimeoutSeconds'):
            args.append(f"gauntlet.agent_timeout={self.spec['agent']['readTimeoutSeconds']}")
        if self.spec.get('zramMiB'):
            args.append(f"gauntlet.zram={self.spec['zramMiB']}")
        if balloon.get('freePageReporting'):
            args.append('gauntlet.page_reporting_order=5')
        if balloon.get('deflateOnOom'):
            args.append('gauntlet.oom_working_set_ms=1000')
        if self.host.accel == 'tcg' and self.host.tsc_khz:
            args += [f'tsc_early_khz={self.host.tsc_khz}', 'tsc=reliable']
        return ' '.join(args)

    def command_line(self, incoming):
        disk = self.spec.get('disk', {})
        discard = 'unmap' if disk.get('discard', True) and 'no-discard' not in self.spec.get('faults', []) else 'ignore'
        werror = {'stop': 'stop', 'report': 'report', 'enospc': 'enospc'}.get(disk.get('writeErrorPolicy'), 'enospc')
        rerror = disk.get('readErrorPolicy', 'report')

        def drive(name, file):
            return ['-drive', f'id={name},file={file},format=qcow2,if=none,discard={discard},werror={werror},rerror={rerror}',
                    '-device', f'virtio-blk-device,drive={name}']

        accel = ['-accel', 'tcg,tb-size=128', '-cpu', 'qemu64,+rdrand'] if self.host.accel == 'tcg' else ['-accel', 'kvm', '-cpu', 'host']
        args = [self.host.qemu, '-M', 'microvm,acpi=on', *accel,
                '-m', str(self.spec['memoryMiB']), '-smp', str(self.spec['vcpus']),
                '-nodefaults', '-no-user-config', '-nographic', '-no-reboot',
                '-kernel', self.host.kit_file('kernel'), '-initrd', self.host.kit_file('initramfs'),
                '-append', self.kernel_args(),
                '-pidfile', self.path('vmm.pid'),
                '-chardev', f"file,id=console,path={self.path('console.log')}", '-serial', 'chardev:console',
                '-qmp', f"unix:{self.path('qmp.sock')},server=on,wait=off",
                *drive('root', self.root), *(drive('scratch', self.scratch) if self.scratch else []),
                '-device', 'virtio-serial-device,id=agentbus,max_ports=2',
                '-chardev', f"socket,id=agent,path={self.path('agent.sock')},server=on,wait=off",
                '-device', 'virtserialport,bus=agentbus.0,chardev=agent,name=gauntlet.agent']
        balloon = self.spec.get('balloon')
        if balloon is not False:
            balloon = balloon or {}
            args += ['-device', 'virtio-balloon-device,id=balloon0'
                     f",free-page-reporting={'on' if balloon.get('freePageReporting') else 'off'}"
                     f",deflate-on-oom={'on' if balloon.get('deflateOnOom') else 'off'}"]
        if incoming:
            args += ['-S', '-incoming', 'defer']
        return args

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def boot(self):
        """Starts the VMM (restoring a saved state when there is one) and returns once an exec works."""
        restoring = self.restore_from is not None and not self.boots
        started = time.monotonic()
        self.boot_started = started
        with self.events_changed:
            self.boot_event_index = len(self.events)
        command = self.command_line(incoming=restoring)
        with open(self.path('cmdline.txt'), 'w') as f:
            f.write(' '.join(command) + '\n')
        # In the adapter's process group, which the harness kills should the adapter die (not PR_SET_PDEATHSIG:
        # that fires when the spawning thread ends, and each request runs on a thread of its own).
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(self.path('vmm.stderr'), 'wb'))
        self.qmp = Qmp(self.path('qmp.sock'), self.on_qmp_event, READY_DEADLINE_S, self.alive)
        control_ms = (time.monotonic() - started) * 1000
        if restoring:
            self.qmp.execute('migrate-incoming', {'uri': f"exec:cat {self.restore_from['state']}"})
            self.wait_migration(READY_DEADLINE_S)
            self.qmp.execute('cont')
        self.turn_on_stats()
        self.agent = Agent(self.path('agent.sock'), self.alive, await_hello=not restoring)
        self.agent.connect(READY_DEADLINE_S)
        self.state = 'running'
        self.agent.exec('true', timeout_s=READY_DEADLINE_S)
        first_exec_ms = (time.monotonic() - started) * 1000
        self.boot_ms = first_exec_ms
        self.boots.append({'controlConnectMs': control_ms, 'firstExecMs': first_exec_ms, **({'restored': True} if restoring else {})})

    def turn_on_stats(self):
        interval = (self.spec.get('balloon') or {}).get('statsIntervalSeconds')
        if interval:
            self.qmp.execute('qom-set', {'path': '/machine/peripheral/balloon0', 'property': 'guest-stats-polling-interval', 'value': interval})

    def wait_migration(self, deadline_s):
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            status = (self.qmp.execute('query-migrate') or {}).get('status')
            if status == 'completed':
                return
            if status == 'failed':
                raise RuntimeError('the VM state did not load (query-migrate: failed)')
            time.sleep(0.01)
        raise RuntimeError(f'the VM state did not load within {deadline_s} s')

    def save(self, state_file):
        """The VM's state to a file; the VMM is left paused and then quit, its disk kept for restores."""
        self.qmp.execute('migrate', {'uri': f'exec:cat > {state_file}'})
        self.wait_migration(60)
        self.quit()

    def on_qmp_event(self, message):
        name = message['event']
        data = message.get('data', {})
        if name == 'BLOCK_IO_ERROR':
            kind, event_data = 'io-error', {'disk': str(data.get('device') or data.get('node-name') or ''), 'operation': data.get('operation', 'write'),
                                             'noSpace': data.get('nospace') is True, 'action': {'stop': 'pause'}.get(data.get('action'), data.get('action', 'report'))}
        elif name == 'STOP':
            kind, event_data = 'paused', {}
            if self.state == 'running':
                self.state = 'paused'
        elif name == 'RESUME':
            kind, event_data = 'resumed', {}
            if self.state == 'paused':
                self.state = 'running'
        elif name == 'BALLOON_CHANGE':
            kind, event_data = 'balloon-changed', {'actualMiB': data.get('actual', 0) / MIB}
        else:
            return
        stamp = message.get('timestamp', {})
        event = {'kind': kind, 'data': event_data, 'atMs': (time.monotonic() - self.boot_started) * 1000, 'vmmName': name}
        if 'seconds' in stamp:
            event['vmmEpochMs'] = stamp['seconds'] * 1000 + stamp.get('microseconds', 0) / 1000
        with self.events_changed:
            self.events.append(event)
            self.events_changed.notify_all()

    def wait_for_event(self, kind, timeout_ms):
        deadline = time.monotonic() + timeout_ms / 1000
        with self.events_changed:
            while True:
                for event in self.events[self.boot_event_index:]:
                    if event['kind'] == kind:
                        return event
                left = deadline - time.monotonic()
                if left <= 0 or not self.events_changed.wait(left):
                    raise RuntimeError(f'no {kind} event within {timeout_ms:.0f} ms')

    # ---- commands ----
    def exec(self, command, **options):
        if self.state != 'running' or self.agent is None:
            raise RuntimeError(f'VM {self.spec["name"]} is {self.state}: cannot exec')
        started = time.monotonic()
        reply = self.agent.exec(command, **options)
        duration = (time.monotonic() - started) * 1000
        self.exec_round_trips.append(duration)
        return reply, duration

    def quit(self):
        if self.qmp:
            try:
                self.qmp.execute('quit', timeout_s=5)
            except Exception:
                pass
        if self.process:
            try:
                self.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.close_channels()

    def close_channels(self):
        for channel in (self.agent, self.qmp):
            if channel:
                channel.close()
        self.agent = None
        self.qmp = None

    def stop(self):
        if self.state != 'running':
            raise RuntimeError(f'cannot stop VM {self.spec["name"]} in state {self.state}')
        # Flushed and read-only first: the next start boots a consistent disk.
        self.agent.exec('sync; mount -o remount,ro / 2>/dev/null; sync', timeout_s=30)
        self.quit()
        self.state = 'stopped'

    def start(self):
        if self.state != 'stopped':
            raise RuntimeError(f'cannot start VM {self.spec["name"]} in state {self.state}')
        self.boot()

    def destroy(self):
        if self.agent:
            self.agent.close()
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.close_channels()
        for disk in (self.root, self.scratch):
            if disk and os.path.exists(disk):
                os.remove(disk)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.state = 'destroyed'

    def leftovers(self):
        found = []
        if self.alive():
            found.append(f'VMM process {self.process.pid}')
        found += [path for path in (self.dir, self.root, self.scratch) if path and os.path.exists(path)]
        return found

    def footprint(self):
        files = {f: os.stat(f).st_blocks * 512 for f in self.disk_files()}
        return files

    def disk_check(self):
        paused_here = False
        if self.alive() and self.qmp and self.qmp.execute('query-status')['running']:
            self.qmp.execute('stop')
            paused_here = True
        try:
            checks = []
            for file in self.disk_files():
                result = subprocess.run([self.host.qemu_img_binary, 'check', '-U', '--output=json', file], capture_output=True, text=True)
                if result.returncode not in (0, 2, 3):
                    checks.append({'file': file, 'errors': 1, 'leaks': 0, 'report': result.stderr.strip() or result.stdout.strip()})
                    continue
                report = json.loads(result.stdout)
                checks.append({'file': file, 'errors': report.get('corruptions', 0) + report.get('check-errors', 0), 'leaks': report.get('leaks', 0), 'report': result.stdout.strip()})
            return checks
        finally:
            if paused_here:
                self.qmp.execute('cont')

    def vmm_memory(self):
        with open(f'/proc/{self.process.pid}/status') as status:
            for line in status:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) * 1024
        raise RuntimeError('no VmRSS for the VMM')

    def console_tail(self, lines):
        try:
            with open(self.path('console.log'), 'rb') as log:
                return b'\n'.join(log.read().splitlines()[-lines:]).decode('utf-8', 'replace')
        except OSError:
            return ''

    def console_bytes(self):
        try:
            return os.path.getsize(self.path('console.log'))
        except OSError:
            return 0

    def status(self):
        status = {
            'state': self.state,
            'hasBalloon': self.spec.get('balloon') is not False,
            'events': list(self.events),
            'agentChannel': {'protocolErrors': self.agent.protocol_errors if self.agent else 0,
                             'strayReplies': self.agent.stray_replies if self.agent else 0, 'peakHeldChars': 0},
            'artifacts': {'command line': self.path('cmdline.txt'), 'console': self.path('console.log')},
            'timings': {'boots': list(self.boots), 'execRoundTripsMs': list(self.exec_round_trips)},
        }
        if self.alive():
            status['vmmPid'] = self.process.pid
        if self.boot_ms is not None:
            status['bootMs'] = self.boot_ms
        if self.restore_fallback:
            status['restoreFallback'] = self.restore_fallback
        if self.restored_from is not None:
            status['restoredFrom'] = self.restored_from
        return status


__all__ = ['Vm', 'InvalidParams', 'CreateError', 'AgentError', 'host_tsc_khz', 'MIB']
