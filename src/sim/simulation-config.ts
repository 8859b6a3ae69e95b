import type { PortierConfig } from '../config/portier-config.js';
import { validateConfig } from '../config/validate-config.js';

/**
 * The simulation's own door code. It exists only in the simulation's configuration
 * below: the defaults for real boards have no door code at all.
 */
export const DEMO_DOOR_CODE = '1234';
/** Password of the demo door account at the demo PBX. */
export const DEMO_DOOR_PASSWORD = 'door-demo';
/** Password of the demo flat phone at the demo PBX. */
export const DEMO_FLAT_PASSWORD = 'flat-demo';

/** Where the simulation's pieces are. */
export interface SimulationConfigOptions {
  /** UDP port of the demo PBX on 127.0.0.1. */
  pbxPort: number;
  /** SIP domain (realm) of the demo PBX. */
  domain: string;
  /** The flat phone's direct address, which the bell button calls. */
  flatUri: string;
  httpPort: number;
  eventLogPath: string;
}

/**
 * The configuration `portier run` uses when there is no configuration file: the
 * door account registers at the demo PBX, bell1 calls the flat phone, code 1234#
 * pulses the door relay for 3 s, and the sim board has an exit button, a door
 * contact, a tamper switch, three LEDs and a chime. Validated like any file.
 */
export function simulationConfig(o: SimulationConfigOptions): PortierConfig {
  return validateConfig({
    sip: {
      accounts: [
        { id: 'door', registrar: `sip:127.0.0.1:${o.pbxPort}`, domain: o.domain, username: 'door', password: DEMO_DOOR_PASSWORD, displayName: 'Front door', dtmfMode: 'auto' },
      ],
      listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
    },
    audio: { driver: 'sim', sim: { source: 'tone', toneHz: 440 } },
    hardware: { driver: 'sim', board: 'sim' },
    buttons: [{ input: 'bell1', targets: [{ uri: o.flatUri, ringSeconds: 20 }], pressAgainCancels: true, hangUpAfterDoorOpenSeconds: 5 }],
    incoming: { mode: 'auto', allow: [`sip:flat@${o.domain}`] },
    doors: {
      relays: [{ name: 'door', output: 'relay1', pulseMs: 3000 }],
      codes: [{ code: DEMO_DOOR_CODE, relay: 'door' }],
      contact: { input: 'contact1', openTooLongSeconds: 30 },
    },
    tamper: { input: 'tamper1' },
    leds: { status: 'led1', call: 'led2', door: 'led3' },
    http: { enabled: true, bind: '127.0.0.1', port: o.httpPort },
    eventLog: { path: o.eventLogPath },
  });
}
