import type { LedConfig } from '../config/portier-config.js';
import { LedPatternPlayer, type LedPatternName, type LedState } from '../hw/output/led-pattern-player.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { StationHardware } from './station-hardware.js';

/** What the LEDs show, derived from the station's status. */
export interface LedView {
  registered: boolean;
  call: 'idle' | 'ringing' | 'connected';
  doorOpen: boolean;
}

/** Events of the LEDs: a pattern changed (for displays; the blinking itself is not reported). */
export type StationLedsEvents = {
  pattern: [led: 'status' | 'call' | 'door', pattern: LedPatternName, state: LedState | 'idle'];
};

/** The one state a single status LED shows: the most urgent wins. */
export function statusLedState(view: LedView): LedState {
  if (view.doorOpen) return 'door-open';
  if (view.call === 'connected') return 'in-call';
  if (view.call === 'ringing') return 'calling';
  return view.registered ? 'registered' : 'not-registered';
}

/**
 * The door station's LEDs (`leds` in the configuration): `status` shows every state
 * with its pattern (not registered / registered / calling / in call / door open),
 * `call` only the call, `door` only the relay. Each is optional.
 */
export class StationLeds extends TypedEmitter<StationLedsEvents> {
  private readonly players = new Map<'status' | 'call' | 'door', LedPatternPlayer>();
  private readonly shown = new Map<string, LedPatternName>();

  constructor(hardware: StationHardware, config: LedConfig) {
    super();
    for (const role of ['status', 'call', 'door'] as const) {
      const name = config[role];
      const output = name !== undefined ? hardware.output(name) : undefined;
      if (output) this.players.set(role, new LedPatternPlayer(output));
    }
  }

  /** Shows `view` on every LED. */
  update(view: LedView): void {
    const state = statusLedState(view);
    this.show('status', state, (p) => p.show(state));
    const call: LedState | 'idle' = view.call === 'connected' ? 'in-call' : view.call === 'ringing' ? 'calling' : 'idle';
    this.show('call', call, (p) => (call === 'idle' ? p.play('off') : p.show(call)));
    this.show('door', view.doorOpen ? 'door-open' : 'idle', (p) => p.play(view.doorOpen ? 'on' : 'off'));
  }

  /** The pattern each LED plays now. */
  patterns(): Record<string, LedPatternName | undefined> {
    return Object.fromEntries([...this.players].map(([role, p]) => [role, p.patternName]));
  }

  /** Turns every LED off and stops its timer. Idempotent. */
  close(): void {
    for (const player of this.players.values()) player.close();
    this.players.clear();
    this.removeAllListeners();
  }

  private show(role: 'status' | 'call' | 'door', state: LedState | 'idle', apply: (p: LedPatternPlayer) => void): void {
    const player = this.players.get(role);
    if (!player) return;
    apply(player);
    const pattern = player.patternName;
    if (pattern !== undefined && this.shown.get(role) !== pattern) {
      this.shown.set(role, pattern);
      this.emit('pattern', role, pattern, state);
    }
  }
}
