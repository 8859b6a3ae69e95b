/** What a key does in the simulation. */
export interface KeyboardActions {
  pressBell(): void;
  pressExit(): void;
  toggleDoorContact(): void;
  toggleTamper(): void;
  hangUp(): void;
  quit(): void;
}

/** The help line shown at start. */
export const KEYBOARD_HELP = 'keys: b/1 bell button 1 · e exit button · d door contact open/close · t tamper · h hang up · q quit';

/** Maps one key to its action; undefined for keys that do nothing. */
export function actionForKey(key: string, actions: KeyboardActions): (() => void) | undefined {
  switch (key) {
    case 'b':
    case '1':
      return actions.pressBell;
    case 'e':
      return actions.pressExit;
    case 'd':
      return actions.toggleDoorContact;
    case 't':
      return actions.toggleTamper;
    case 'h':
      return actions.hangUp;
    case 'q':
    case '\u0003': // Ctrl-C: raw mode swallows SIGINT
    case '\u0004':
      return actions.quit;
    default:
      return undefined;
  }
}

/**
 * Single-key input from a terminal in raw mode. Only used when stdin is a TTY;
 * otherwise the HTTP API's `/sim/input/…` routes drive the simulation.
 */
export class KeyboardInput {
  private readonly onData = (data: Buffer) => {
    for (const key of data.toString('utf8')) actionForKey(key.toLowerCase(), this.actions)?.();
  };
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadStream,
    private readonly actions: KeyboardActions,
  ) {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', this.onData);
  }

  /** Restores the terminal. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.setRawMode(false);
    this.stdin.pause();
  }
}
