import type { Registration } from '../../src/sip/registration/registration.js';
import type { RegistrationStatus } from '../../src/sip/registration/registration-state.js';

/** Resolves with the first status that satisfies `predicate` (the current one included), or rejects after `ms`. */
export function waitForState(reg: Registration, predicate: (s: RegistrationStatus) => boolean, ms: number): Promise<RegistrationStatus> {
  if (predicate(reg.status)) return Promise.resolve(reg.status);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reg.off('state', on);
      reject(new Error(`state not reached within ${ms} ms; last: ${JSON.stringify(reg.status)}`));
    }, ms);
    const on = (s: RegistrationStatus) => {
      if (!predicate(s)) return;
      clearTimeout(timer);
      reg.off('state', on);
      resolve(s);
    };
    reg.on('state', on);
  });
}
