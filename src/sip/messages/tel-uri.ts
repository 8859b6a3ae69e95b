import { Parameters } from './parameters.js';

/** A `tel:` URI (RFC 3966): a global (`+…`) or local number with parameters. */
export class TelUri {
  readonly scheme = 'tel' as const;
  number: string;
  params: Parameters;

  constructor(number: string, params?: Parameters) {
    this.number = number;
    this.params = params ?? new Parameters();
  }

  clone(): TelUri {
    return new TelUri(this.number, this.params.clone());
  }

  toString(): string {
    return 'tel:' + this.number + this.params.toString(';');
  }
}
