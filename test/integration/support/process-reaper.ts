import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Safety net for peer processes (Kamailio, SIPp) the harness spawns in their own process
 * group: kills the groups still alive when the test process exits, and on the next start
 * reaps groups left behind by a test process that died without running its hooks.
 */

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous; SIGKILL to the group is the only thing that is.
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
    liveGroups.clear();
  });
}

/** Sends a signal to a whole process group; false when no process of it is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Records a spawned (detached) process group so the exit hook can kill it. */
export function trackGroup(pgid: number): void {
  installExitHook();
  liveGroups.add(pgid);
}

/** Forgets a group once it has been stopped on purpose. */
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

interface ProcStat {
  state: string;
  pgrp: number;
}

function statOf(pid: number): ProcStat | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may contain spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgrp: Number.parseInt(fields[2] ?? '', 10) };
  } catch {
    return undefined;
  }
}

function processGroupOf(pid: number): number | undefined {
  return statOf(pid)?.pgrp;
}

function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * True while a non-zombie process of the group exists. Orphaned children of a SIGKILLed
 * leader may linger as zombies when pid 1 does not reap them; they hold no sockets.
 */
export function groupHasLiveMembers(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  return listPids().some((pid) => {
    const stat = statOf(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** True if some live process of the group (leader or an orphaned child) names `marker`. */
function groupNames(pgid: number, marker: string): boolean {
  if (commandLineOf(pgid).includes(marker)) return true;
  return listPids().some((pid) => processGroupOf(pid) === pgid && commandLineOf(pid).includes(marker));
}

/**
 * Kills peers from earlier runs whose owning test process is gone. Each harness work dir
 * `<tmp>/<prefix>*` holds `owner.pid` (the node process) and `group.pid` (the peer's
 * process group); a group is killed only if its owner is dead and a member's command line
 * still names that dir, so peers of concurrently running test processes are left alone.
 */
export function reapOrphans(prefix: string): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(tmpdir(), name);
    const owner = readPid(join(dir, 'owner.pid'));
    if (owner === undefined || isAlive(owner)) continue;
    const group = readPid(join(dir, 'group.pid'));
    if (group !== undefined && groupNames(group, dir)) {
      signalGroup(group, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
