/** Sample rate of every frame that crosses an AudioSource/AudioSink boundary (G.711's rate). */
export const AUDIO_SAMPLE_RATE = 8000;

/** Duration of one frame, ms: one RTP packet of G.711 at ptime 20. */
export const AUDIO_FRAME_MS = 20;

/** Samples in one frame of 8 kHz mono 16-bit PCM. */
export const AUDIO_FRAME_SAMPLES = (AUDIO_SAMPLE_RATE * AUDIO_FRAME_MS) / 1000;
