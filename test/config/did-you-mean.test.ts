import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/config/did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the nearest key for typos, transpositions and case slips', () => {
    const keys = ['registrar', 'registrationExpires', 'authUsername', 'username', 'realm'];
    expect(didYouMean('registar', keys)).toBe('registrar');
    expect(didYouMean('realn', keys)).toBe('realm');
    expect(didYouMean('usrename', keys)).toBe('username');
    expect(didYouMean('auth_username', keys)).toBe('authUsername');
    expect(didYouMean('AuthUserName', keys)).toBe('authUsername');
  });

  it('suggests nothing when no key is close', () => {
    expect(didYouMean('colour', ['level'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
