import { onOffCadence, type ToneCadence } from './tone-cadence.js';

/** Ringing tone of CEPT/ETSI countries (ETSI TR 101 041-1): 425 Hz, 1 s on, 4 s off. */
export const RINGBACK_EU: ToneCadence = onOffCadence([425], [1000, 4000], { levelDbm0: -10 });

/** North-American audible ringing (precise tone plan): 440 + 480 Hz, 2 s on, 4 s off. */
export const RINGBACK_US: ToneCadence = onOffCadence([440, 480], [2000, 4000], { levelDbm0: -19 });

/** Busy tone of CEPT/ETSI countries: 425 Hz, 0.5 s on, 0.5 s off. */
export const BUSY_EU: ToneCadence = onOffCadence([425], [500, 500], { levelDbm0: -10 });

/** North-American busy: 480 + 620 Hz, 0.5 s on, 0.5 s off. */
export const BUSY_US: ToneCadence = onOffCadence([480, 620], [500, 500], { levelDbm0: -24 });

/** Door-station confirmation (code accepted): a short rising two-note chime, played once. */
export const CONFIRMATION_CHIME: ToneCadence = {
  segments: [
    { frequencies: [660], durationMs: 120 },
    { frequencies: [880], durationMs: 200 },
  ],
  repeat: false,
  levelDbm0: -12,
};

/** Door-station error (wrong code): three low beeps, played once. */
export const ERROR_BEEPS: ToneCadence = onOffCadence([330], [150, 100, 150, 100, 150], {
  repeat: false,
  levelDbm0: -10,
});
