import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { EventLog, EventLogError, readEvents } from '../../src/events/event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'portier-events-'));
let n = 0;
const freshPath = (): string => join(dir, `events-${n++}.jsonl`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const fixedClock = (): Date => new Date('2026-01-02T03:04:05.678Z');

describe('EventLog', () => {
  it('appends JSON lines that read back in order, with the time filled in', async () => {
    const path = freshPath();
    const log = await EventLog.open({ path, maxBytes: 1 << 20, now: fixedClock });
    await log.append({ type: 'door-open', relay: 'front', method: 'api' });
    await log.append({ type: 'call', direction: 'outgoing', peer: 'sip:flat@pbx', outcome: 'answered', durationMs: 1200 });
    await log.append({ type: 'alarm', alarm: 'tamper', time: '2026-01-01T00:00:00.000Z' });
    await log.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
    expect(await readEvents(path)).toEqual({
      skipped: 0,
      events: [
        { type: 'door-open', relay: 'front', method: 'api', time: '2026-01-02T03:04:05.678Z' },
        { type: 'call', direction: 'outgoing', peer: 'sip:flat@pbx', outcome: 'answered', durationMs: 1200, time: '2026-01-02T03:04:05.678Z' },
        { type: 'alarm', alarm: 'tamper', time: '2026-01-01T00:00:00.000Z' },
      ],
    });
  });

  it('fsyncs each record before the append resolves', async () => {
    const path = freshPath();
    const log = await EventLog.open({ path, maxBytes: 1 << 20 });
    const probe = await open(path, 'r');
    const fileHandleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(fileHandleProto, 'sync');
    let sizeAtSync = -1;
    sync.mockImplementation(async function (this: unknown) {
      sizeAtSync = statSync(path).size;
    });
    await log.append({ type: 'alarm', alarm: 'x' });
    expect(sync).toHaveBeenCalledTimes(1);
    expect(sizeAtSync).toBe(statSync(path).size); // synced after the whole record was written
    await log.append({ type: 'alarm', alarm: 'y' });
    expect(sync).toHaveBeenCalledTimes(2);
    sync.mockRestore();
    await log.close();
  });

  it('serializes concurrent appends and rotates to <path>.1 once the size limit is passed', async () => {
    const path = freshPath();
    const maxBytes = 4096;
    const log = await EventLog.open({ path, maxBytes, now: fixedClock });
    const total = 300;
    await Promise.all(Array.from({ length: total }, (_, i) => log.append({ type: 'alarm', alarm: 'seq', detail: String(i) })));
    await log.close();
    expect(statSync(path).size).toBeLessThanOrEqual(maxBytes);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(maxBytes);
    const { events, skipped } = await readEvents(path);
    expect(skipped).toBe(0);
    const seqs = events.map((e) => Number((e as { detail: string }).detail));
    // One generation is kept: what is left is the newest records, contiguous and in order, ending with the last.
    expect(seqs.length).toBeGreaterThan(30);
    expect(seqs.length).toBeLessThan(total);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => total - seqs.length + i));
  });

  it('reopens an existing log and keeps appending to it', async () => {
    const path = freshPath();
    const a = await EventLog.open({ path, maxBytes: 1 << 20 });
    await a.append({ type: 'alarm', alarm: 'one' });
    await a.close();
    const b = await EventLog.open({ path, maxBytes: 1 << 20 });
    await b.append({ type: 'alarm', alarm: 'two' });
    await b.close();
    expect((await readEvents(path)).events.map((e) => (e as { alarm: string }).alarm)).toEqual(['one', 'two']);
  });

  it('tolerates a torn last line after a crash, and appends after it cleanly', async () => {
    const path = freshPath();
    writeFileSync(path, '{"type":"alarm","alarm":"ok","time":"t"}\n');
    appendFileSync(path, '{"type":"door-open","rel');
    expect(await readEvents(path)).toMatchObject({ skipped: 1, events: [{ alarm: 'ok' }] });
    const log = await EventLog.open({ path, maxBytes: 1 << 20 });
    await log.append({ type: 'alarm', alarm: 'after' });
    await log.close();
    const read = await readEvents(path);
    expect(read.skipped).toBe(1);
    expect(read.events.map((e) => (e as { alarm: string }).alarm)).toEqual(['ok', 'after']);
  });

  it('reads nothing from a log that does not exist', async () => {
    expect(await readEvents(join(dir, 'never.jsonl'))).toEqual({ events: [], skipped: 0 });
  });

  it('closes idempotently, finishing queued appends, and refuses appends afterwards', async () => {
    const path = freshPath();
    const log = await EventLog.open({ path, maxBytes: 1 << 20 });
    const pending = log.append({ type: 'alarm', alarm: 'queued' });
    const closing = log.close();
    await Promise.all([pending, closing, log.close()]);
    await expect(log.append({ type: 'alarm', alarm: 'late' })).rejects.toBeInstanceOf(EventLogError);
    expect((await readEvents(path)).events).toHaveLength(1);
  });

  it('fails to open with a typed error', async () => {
    await expect(EventLog.open({ path: join(dir, 'no-dir', 'x.jsonl'), maxBytes: 4096 })).rejects.toMatchObject({
      code: 'PORTIER_ERR_EVENT_LOG',
    });
  });

  it('keeps appending to the current file when rotation fails, and rotates once it can again', async () => {
    const path = freshPath();
    // <path>.1 is a non-empty directory: the rotation's rename fails (EISDIR/ENOTEMPTY).
    mkdirSync(join(`${path}.1`, 'x'), { recursive: true });
    const log = await EventLog.open({ path, maxBytes: 4096 });
    const event = { type: 'alarm', alarm: 'tamper', detail: 'x'.repeat(400) } as const;
    for (let i = 0; i < 20; i++) await expect(log.append(event)).resolves.toBeUndefined();
    expect(statSync(path).size).toBeGreaterThan(4096);
    rmSync(`${path}.1`, { recursive: true });
    await log.append(event);
    await log.close();
    expect((await readEvents(path)).events).toHaveLength(21);
    expect(statSync(path).size).toBeLessThan(4096);
  });

  it('a failing disk (ENOSPC on /dev/full) rejects the append with the error, and the log goes on', async () => {
    const log = await EventLog.open({ path: '/dev/full', maxBytes: 1 << 20 });
    await expect(log.append({ type: 'alarm', alarm: 'tamper' })).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(log.append({ type: 'alarm', alarm: 'tamper' })).rejects.toMatchObject({ code: 'ENOSPC' });
    await log.close();
  });

  it('keeps every acknowledged record when the writer is killed with SIGKILL', async () => {
    const path = freshPath();
    const child = fileURLToPath(new URL('./fixtures/append-until-killed.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let acked = -1;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      proc.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) acked = Number(l);
        if (acked >= 40) {
          proc.kill('SIGKILL');
          resolve();
        }
      });
      proc.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
      setTimeout(() => reject(new Error(`child too slow: ${stderr}`)), 20_000).unref();
    }).catch((error: unknown) => {
      proc.kill('SIGKILL');
      throw error;
    });
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(`${path}.1`)).toBe(false);
    const { events, skipped } = await readEvents(path);
    expect(skipped).toBeLessThanOrEqual(1); // at most the record being written when killed
    const callers = events.map((e) => (e as { caller: string }).caller);
    expect(callers.length).toBeGreaterThanOrEqual(acked + 1);
    for (let seq = 0; seq <= acked; seq++) expect(callers[seq]).toBe(`sip:${seq}@example.org`);
  }, 30_000);
});
