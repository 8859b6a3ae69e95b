/**
 * Micro-benchmark of the G.711 codecs and the RTP packet round trip for one
 * 20 ms frame: `node --import tsx scripts/bench-g711.ts`.
 */
import { PcmaCodec } from '../src/media/codec/pcma-codec.js';
import { PcmuCodec } from '../src/media/codec/pcmu-codec.js';
import { RtpPacket } from '../src/media/rtp/rtp-packet.js';

const FRAME_SAMPLES = 160;
const ITERATIONS = 200_000;

const pcm = new Int16Array(FRAME_SAMPLES);
for (let i = 0; i < FRAME_SAMPLES; i++) pcm[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000));

function bench(label: string, fn: () => unknown): void {
  for (let i = 0; i < 10_000; i++) fn(); // warm-up for the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  const nsPerOp = Number(process.hrtime.bigint() - start) / ITERATIONS;
  process.stdout.write(`${label.padEnd(28)} ${(nsPerOp / 1000).toFixed(2)} µs/frame  (${(nsPerOp / FRAME_SAMPLES).toFixed(1)} ns/sample)\n`);
}

for (const codec of [new PcmuCodec(), new PcmaCodec()]) {
  const encoded = codec.encode(pcm);
  bench(`${codec.name} encode 160`, () => codec.encode(pcm));
  bench(`${codec.name} decode 160`, () => codec.decode(encoded));
}

const wire = new RtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 1, payload: new PcmuCodec().encode(pcm) }).serialize();
bench('RTP deserialize', () => RtpPacket.deserialize(wire));
bench('RTP serialize', () => RtpPacket.deserialize(wire).serialize());
