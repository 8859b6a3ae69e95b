import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../src/calls/call.js';
import type { DtmfMode, DtmfPress } from '../../src/calls/dtmf-press.js';
import { steadyTone, ToneSource } from '../../src/media/audio/tone-source.js';
import { baresipUnavailableReason, startBaresip, type BaresipInstance } from './support/baresip.js';
import { FrameRecorderSink } from './support/frame-recorder-sink.js';
import { startKamailio, type KamailioInstance } from './support/kamailio.js';
import { callEnds, callReaches, registeredPhone, type RegisteredPhone } from './support/portier-phone.js';
import { registerScenario } from './support/sipp-scenarios.js';
import { runSipp, startSipp } from './support/sipp.js';

// Ports: Kamailio 35410, baresip SIP 36410 / ctrl 36460, SIPp 36440 (+50 control),
// RTP Portier 27200–27299, baresip 27300–27399, SIPp media 27400.
const KAMAILIO_UDP = 35410;
const USERS = { door: { username: 'door', password: 'door-pw' }, flat: { username: 'flat', password: 'flat-pw' } };
const DIGITS = '1234#';

const unavailable = baresipUnavailableReason();
if (unavailable) console.warn(`skipping baresip DTMF tests: ${unavailable}`);

function collect(call: Call): DtmfPress[] {
  const presses: DtmfPress[] = [];
  call.on('dtmf', (p) => presses.push(p));
  return presses;
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await delay(20);
  }
}

/**
 * The callee side for SIP INFO key presses (baresip 1.0.0 sends DTMF only as RFC 4733):
 * INVITE → 180 → 200 (SDP) → ACK, then one INFO (application/dtmf-relay) per key,
 * each waiting for its 200, then BYE. The dialog's route set comes from Record-Route.
 */
function uasInfoDtmfScenario(digits: string): string {
  const contact = 'Contact: <sip:flat@[local_ip]:[local_port];transport=[transport]>';
  const reply = (status: string, sdp: boolean): string[] => [
    `SIP/2.0 ${status}`,
    '[last_Via:]',
    '[last_Record-Route:]',
    '[last_From:]',
    '[last_To:];tag=[pid]SIPpTag01[call_number]',
    '[last_Call-ID:]',
    '[last_CSeq:]',
    contact,
    ...(sdp
      ? [
          'Content-Type: application/sdp',
          'Content-Length: [len]',
          '',
          'v=0',
          'o=sipp 1 1 IN IP4 [local_ip]',
          's=-',
          'c=IN IP4 [media_ip]',
          't=0 0',
          'm=audio [media_port] RTP/AVP 0 101',
          'a=rtpmap:0 PCMU/8000',
          'a=rtpmap:101 telephone-event/8000',
        ]
      : ['Content-Length: 0']),
  ];
  const request = (method: string, cseq: number, body?: string[]): string[] => [
    `${method} [next_url] SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    '[routes]',
    'From: <sip:flat@127.0.0.1>;tag=[pid]SIPpTag01[call_number]',
    'To:[$caller]',
    'Call-ID: [call_id]',
    `CSeq: ${cseq} ${method}`,
    contact,
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/dtmf-relay', 'Content-Length: [len]', '', ...body] : ['Content-Length: 0']),
  ];
  const cdata = (lines: string[]): string => `    <![CDATA[\n${lines.map((l) => `      ${l}`).join('\n')}\n\n    ]]>`;
  const steps = [
    '  <recv request="INVITE" rrs="true" crlf="true">',
    '    <action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller"/></action>',
    '  </recv>',
    `  <send>\n${cdata(reply('180 Ringing', false))}\n  </send>`,
    `  <send retrans="500">\n${cdata(reply('200 OK', true))}\n  </send>`,
    '  <recv request="ACK" crlf="true"/>',
    '  <pause milliseconds="300"/>',
  ];
  [...digits].forEach((digit, i) => {
    steps.push(`  <send retrans="500">\n${cdata(request('INFO', 101 + i, [`Signal=${digit}`, 'Duration=160']))}\n  </send>`);
    steps.push('  <recv response="200" crlf="true"/>');
  });
  steps.push(`  <send retrans="500">\n${cdata(request('BYE', 101 + digits.length))}\n  </send>`);
  steps.push('  <recv response="200" crlf="true"/>');
  steps.push('  <timewait milliseconds="500"/>');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="portier uas info dtmf">\n${steps.join('\n')}\n</scenario>\n`;
}

describe.skipIf(unavailable !== undefined)('DTMF between Portier and real peers through Kamailio', () => {
  let kamailio: KamailioInstance;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ udpPort: KAMAILIO_UDP, users: [USERS.door, USERS.flat] });
  });
  afterAll(async () => {
    await kamailio?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function door(dtmfMode: DtmfMode = 'auto'): Promise<RegisteredPhone> {
    const source = new ToneSource(steadyTone(1000));
    source.start();
    const phone = await registeredPhone({
      kamailio,
      ...USERS.door,
      rtpPorts: { min: 27200, max: 27299 },
      audio: { source, sink: new FrameRecorderSink() },
      dtmfMode,
    });
    cleanups.push(async () => {
      await phone.close();
      await source.close();
    });
    return phone;
  }

  async function connectedToBaresip(dtmfMode: DtmfMode = 'auto'): Promise<{ baresip: BaresipInstance; call: Call }> {
    const baresip = await startBaresip({
      sipPort: 36410,
      ctrlPort: 36460,
      rtpPorts: { min: 27300, max: 27399 },
      user: 'flat',
      domain: kamailio.domain,
      password: USERS.flat.password,
      outboundProxy: kamailio.proxyUri('udp'),
      answerMode: 'auto',
    });
    cleanups.push(() => baresip.stop());
    await baresip.waitRegistered();
    const portier = await door(dtmfMode);
    const call = await portier.phone.call(kamailio.aor('flat'));
    await callReaches(call, 'connected');
    await baresip.waitForEvent('CALL_ESTABLISHED');
    return { baresip, call };
  }

  it(`reports ${DIGITS} from baresip's RFC 4733 events in order, once each`, async () => {
    const { baresip, call } = await connectedToBaresip();
    const presses = collect(call);
    await delay(300);
    expect((await baresip.command('sndcode', DIGITS)).ok).toBe(true);
    await until(() => presses.length >= DIGITS.length, 8000, () => `5 key presses, got ${JSON.stringify(presses)}\n${baresip.logs().slice(-2000)}`);
    // End packets are sent three times and may be retransmitted: wait for any duplicate to show.
    await delay(500);
    expect(presses.map((p) => p.digit).join('')).toBe(DIGITS);
    expect(presses.every((p) => p.source === 'rfc4733')).toBe(true);
    const ended = callEnds(call);
    await call.hangUp();
    await ended;
  });

  it(`reports ${DIGITS} sent as SIP INFO (application/dtmf-relay) by SIPp in order, once each`, async () => {
    const sippPort = 36440;
    // SIPp registers as flat from the port it will answer on.
    const registered = await runSipp({
      scenario: registerScenario({ username: 'flat', domain: kamailio.domain }),
      target: `127.0.0.1:${KAMAILIO_UDP}`,
      localPort: sippPort,
      auth: USERS.flat,
    });
    expect(registered.code, registered.errors + registered.messages).toBe(0);
    const uas = await startSipp({ scenario: uasInfoDtmfScenario(DIGITS), localPort: sippPort, mediaPort: 27400, timeoutMs: 30_000 });
    cleanups.push(async () => {
      await uas.stop();
      // Remove SIPp's binding so later tests reach baresip as flat.
      await runSipp({ scenario: registerScenario({ username: 'flat', domain: kamailio.domain, expires: 0 }), target: `127.0.0.1:${KAMAILIO_UDP}`, localPort: sippPort, auth: USERS.flat });
    });
    const portier = await door();
    const call = await portier.phone.call(kamailio.aor('flat'));
    const presses = collect(call);
    const ended = callEnds(call, 15_000);
    const info = await ended.catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- sipp ---\n${uas.messages().slice(-4000)}`);
    });
    expect(info.reason).toBe('bye-remote');
    // Exit code 0: the scenario got its 200 for every INFO (and the BYE) through the proxy.
    const result = await uas.result;
    expect(result.code, result.errors + result.messages.slice(-3000)).toBe(0);
    expect(presses.map((p) => `${p.digit}/${p.source}`)).toEqual([...DIGITS].map((d) => `${d}/info`));
    expect(presses.every((p) => p.durationMs === 160)).toBe(true);
    expect(result.messages).toMatch(/INFO sip:door@[^\n]*\n[^]*?Route: <sip:127\.0\.0\.1:35410;lr/);
  });

  for (const mode of ['rfc4733', 'info'] as const) {
    it(`sends ${DIGITS} to baresip as ${mode === 'info' ? 'SIP INFO' : 'RFC 4733 events'}; baresip reports each key once, in order`, async () => {
      const { baresip, call } = await connectedToBaresip(mode);
      const after = performance.now();
      await call.sendDtmf(DIGITS);
      await until(
        () => baresip.events().filter((e) => e.type === 'CALL_DTMF_START' && e.at >= after).length >= DIGITS.length,
        8000,
        () => `baresip's DTMF events: ${JSON.stringify(baresip.events().filter((e) => e.type.startsWith('CALL_DTMF')))}`,
      );
      await delay(500);
      const keys = baresip.events().filter((e) => e.type === 'CALL_DTMF_START' && e.at >= after).map((e) => e.param).join('');
      expect(keys).toBe(DIGITS);
      if (mode === 'info') expect(baresip.logs()).toMatch(/INFO sip:flat[^\n]*\n[^]*?application\/dtmf-relay/);
      else expect(baresip.logs()).not.toMatch(/application\/dtmf-relay/);
      const ended = callEnds(call);
      await call.hangUp();
      await ended;
    });
  }
});
