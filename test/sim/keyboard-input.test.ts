import { describe, expect, it } from 'vitest';
import { actionForKey, type KeyboardActions } from '../../src/sim/keyboard-input.js';

describe('actionForKey', () => {
  it('maps the documented keys and nothing else', () => {
    const names = ['pressBell', 'pressExit', 'toggleDoorContact', 'toggleTamper', 'hangUp', 'quit'] as const;
    const actions = Object.fromEntries(names.map((n) => [n, () => n])) as unknown as KeyboardActions;
    const run = (k: string) => (actionForKey(k, actions) as (() => string) | undefined)?.();
    expect(['b', '1', 'e', 'd', 't', 'h', 'q', '\u0003'].map(run)).toEqual(['pressBell', 'pressBell', 'pressExit', 'toggleDoorContact', 'toggleTamper', 'hangUp', 'quit', 'quit']);
    expect(run('x')).toBeUndefined();
    expect(run('2')).toBeUndefined();
  });
});
