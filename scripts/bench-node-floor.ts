/**
 * The CPU floor of a call in Node on this machine: a bare Node process (the product's V8
 * flags, no Portier code) doing only the I/O a 20 ms G.711 call needs — a one-shot timer
 * per frame on absolute deadlines, one 172-byte UDP send, one UDP receive of the packet
 * reflected by another process, one 320-byte write to a pipe (the player's stdin, here
 * `cat > /dev/null`) — and nothing else. Prints its CPU seconds per minute (utime+stime
 * from /proc after a 5 s warm-up) beside the same loop in Python, for scale: what Portier
 * costs above this floor is Portier's; what the floor costs is Node's.
 *
 *   node --import tsx scripts/bench-node-floor.ts [seconds]   (default 30)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { PORTIER_NODE_FLAGS } from './bench-call-pair.js';

const seconds = Number(process.argv[2] ?? 30);
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
};

const NODE_LOOP = `
const dgram = require('node:dgram');
const { spawn } = require('node:child_process');
const [port, secs] = process.argv.slice(1).map(Number);
const player = spawn('sh', ['-c', 'cat > /dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
const socket = dgram.createSocket('udp4');
const packet = Buffer.alloc(172, 1);
const frame = Buffer.alloc(320, 2);
socket.on('message', () => player.stdin.write(frame));
socket.bind(0, '127.0.0.1', () => {
  const start = performance.now();
  let n = 0;
  const tick = () => {
    socket.send(packet, port, '127.0.0.1');
    n++;
    if (performance.now() - start > secs * 1000) { socket.close(); player.stdin.end(); return; }
    setTimeout(tick, Math.max(0, start + n * 20 - performance.now()));
  };
  tick();
});
`;

const PYTHON_LOOP = `
import socket, subprocess, sys, time, selectors
port, secs = int(sys.argv[1]), float(sys.argv[2])
player = subprocess.Popen(['sh', '-c', 'cat > /dev/null'], stdin=subprocess.PIPE)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); s.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ)
packet, frame = b'\\x01' * 172, b'\\x02' * 320
start = time.monotonic(); n = 0; due = start
while time.monotonic() - start < secs:
    now = time.monotonic()
    if now >= due:
        s.sendto(packet, ('127.0.0.1', port)); n += 1; due = start + n * 0.02
    for key, _ in sel.select(max(0.0, due - time.monotonic())):
        try:
            s.recv(2048); player.stdin.write(frame); player.stdin.flush()
        except BlockingIOError:
            pass
player.stdin.close(); player.wait()
`;

async function measure(name: string, command: string, args: string[]): Promise<number> {
  const reflector = createSocket('udp4');
  reflector.on('message', (packet, from) => reflector.send(packet, from.port, from.address));
  await new Promise<void>((resolve) => reflector.bind(0, '127.0.0.1', resolve));
  const child = spawn(command, [...args, String(reflector.address().port), String(seconds + 5)], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 5000));
  const before = cpuSeconds(child.pid!);
  await new Promise((r) => setTimeout(r, seconds * 1000 - 500));
  const after = cpuSeconds(child.pid!);
  await exited;
  reflector.close();
  const perMinute = ((after - before) / (seconds - 0.5)) * 60;
  process.stdout.write(`${name.padEnd(44)} ${perMinute.toFixed(3)} CPU s per minute\n`);
  return perMinute;
}

process.stdout.write(`call I/O floor: ${seconds} s each (after 5 s warm-up), 50 frames/s\n`);
await measure(`bare Node (${PORTIER_NODE_FLAGS.join(' ')})`, process.execPath, [...PORTIER_NODE_FLAGS, '-e', NODE_LOOP]);
await measure('bare Python 3 (same loop, for scale)', 'python3', ['-c', PYTHON_LOOP]);
