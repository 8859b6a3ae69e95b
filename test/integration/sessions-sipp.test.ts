import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingInviteSession } from '../../src/sip/sessions/incoming-invite-session.js';
import type { SessionEndedInfo, SessionProgressInfo, SessionRenegotiationInfo } from '../../src/sip/sessions/session-events.js';
import { next, startParty, stopParties, type Party } from '../sip/sessions/session-test-kit.js';
import { runSipp, startSipp, type SippResult, type SippServer } from './support/sipp.js';
import { uacHoldAndResume, uacSessionTimer, uasAnswersDespiteCancel, uasForkedAnswers, uasReliableRinging } from './sessions-sipp-scenarios.js';

// Ports 36100–36199 belong to the session tests (SIPp control ports at +50).

function explain(result: SippResult): string {
  return `${result.command}\nexit ${String(result.code)}\n${result.errors}\n${result.messages.slice(-6000)}`;
}

describe('Portier against SIPp peers', () => {
  let portier: Party | undefined;
  let sipp: SippServer | undefined;

  afterEach(async () => {
    await sipp?.stop();
    await stopParties(portier);
    portier = undefined;
    sipp = undefined;
  });

  async function callSippUas(scenarioXml: string, port: number): Promise<{ result: Promise<SippResult> }> {
    sipp = await startSipp({ scenario: scenarioXml, localPort: port, timeoutMs: 20_000 });
    return { result: sipp.result };
  }

  it('ACKs a 200 that crosses its CANCEL and then sends BYE', async () => {
    portier = await startParty({ user: 'door', protocol: 'udp' });
    const { result } = await callSippUas(uasAnswersDespiteCancel(), 36100);
    const call = portier.manager.invite('sip:sipp@127.0.0.1:36100');
    const [progress] = (await next(call, 'progress', 5000)) as [SessionProgressInfo];
    expect(progress.status).toBe(180);
    call.cancel();
    const [ended] = (await next(call, 'ended', 5000)) as [SessionEndedInfo];
    expect(ended).toMatchObject({ reason: 'cancelled', status: 200 });
    const r = await result;
    expect(r.code, explain(r)).toBe(0);
  });

  it('ACKs both forked 200s and BYEs the second', async () => {
    portier = await startParty({ user: 'door', protocol: 'udp' });
    const { result } = await callSippUas(uasForkedAnswers(), 36102);
    const call = portier.manager.invite('sip:sipp@127.0.0.1:36102');
    await next(call, 'accepted', 5000);
    const r = await result;
    expect(r.code, explain(r)).toBe(0);
    expect(call.dialogState?.remoteTag).toMatch(/SIPpForkA/);
    expect(call.state).toBe('Confirmed');
    await call.bye().catch(() => undefined);
  });

  it('PRACKs a reliable 180 with Require: 100rel', async () => {
    portier = await startParty({ user: 'door', protocol: 'udp' });
    const { result } = await callSippUas(uasReliableRinging(), 36104);
    const call = portier.manager.invite('sip:sipp@127.0.0.1:36104');
    const [progress] = (await next(call, 'progress', 5000)) as [SessionProgressInfo];
    expect(progress).toMatchObject({ status: 180, reliable: true });
    await next(call, 'accepted', 5000);
    await call.bye();
    const r = await result;
    expect(r.code, explain(r)).toBe(0);
  });

  for (const refresher of ['uac', 'uas'] as const) {
    it(`takes a session timer with refresher=${refresher} from a SIPp caller${refresher === 'uac' ? ' and answers its refresh re-INVITE' : ''}`, async () => {
      portier = await startParty({ user: 'door', protocol: 'udp' });
      const port = portier.stack.transport.listeningPoints[0]!.port;
      const sessions: IncomingInviteSession[] = [];
      portier.manager.on('invitation', (s) => {
        sessions.push(s);
        void s.accept();
      });
      const r = await runSipp({ scenario: uacSessionTimer({ callee: 'door', refresher }), target: `127.0.0.1:${port}`, localPort: refresher === 'uac' ? 36110 : 36112, timeoutMs: 15_000 });
      expect(r.code, explain(r)).toBe(0);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.endedInfo?.reason).toBe('bye-remote');
    });
  }

  it('answers a hold re-INVITE (a=sendonly) with a=recvonly and reports it', async () => {
    portier = await startParty({ user: 'door', protocol: 'udp' });
    const port = portier.stack.transport.listeningPoints[0]!.port;
    const renegotiations: SessionRenegotiationInfo[] = [];
    portier.manager.on('invitation', (s) => {
      s.on('reinvite', (info) => renegotiations.push(info));
      void s.accept();
    });
    const r = await runSipp({ scenario: uacHoldAndResume({ callee: 'door' }), target: `127.0.0.1:${port}`, localPort: 36114, timeoutMs: 15_000 });
    expect(r.code, explain(r)).toBe(0);
    expect(renegotiations.map((i) => [i.direction, i.hold])).toEqual([
      ['sendonly', true],
      ['sendrecv', false],
    ]);
  });
});
