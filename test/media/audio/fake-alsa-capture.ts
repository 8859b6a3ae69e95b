import { EventEmitter } from 'node:events';
import type { AlsaCaptureOptions } from '../../../src/media/audio/alsa-capture-module.js';

/** A stand-in for one `alsa-capture` instance; the test drives its events. */
export class FakeAlsaCapture extends EventEmitter {
  closeCalls = 0;
  finished = false;

  constructor(readonly options: AlsaCaptureOptions) {
    super();
  }

  close(): void {
    // The real module frees its native worker when the thread ends; closing after that is a use-after-free.
    if (this.finished) throw new Error('close() called on a finished alsa-capture instance');
    this.closeCalls++;
  }

  /** Delivers one period of S16_LE samples (interleaved when several channels). */
  deliver(samples: Int16Array): void {
    this.emit('audio', Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  }

  /** The thread ended after close() (the module's `close` event). */
  end(): void {
    this.finished = true;
    this.emit('close');
  }

  /** The device could not be opened (the module's `error` event; the thread is over). */
  failOpen(message = 'Unable to open PCM device: No such file or directory\n'): void {
    this.finished = true;
    this.emit('error', new Error(message));
  }
}

/** A device factory: records every instance; `onCreate` decides how each behaves. */
export class FakeAlsaCaptureModule {
  readonly instances: FakeAlsaCapture[] = [];
  onCreate: (capture: FakeAlsaCapture) => void = () => undefined;

  /** The loader to pass as `loadModule`. */
  readonly load = async (): Promise<unknown> => {
    const module = this;
    return {
      default: class extends FakeAlsaCapture {
        constructor(options: AlsaCaptureOptions) {
          super(options);
          module.instances.push(this);
          module.onCreate(this);
        }
      },
    };
  };

  get last(): FakeAlsaCapture | undefined {
    return this.instances.at(-1);
  }
}
