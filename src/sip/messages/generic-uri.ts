/** Any other absolute URI (`http:`, `mailto:`, `urn:` …), kept verbatim. */
export class GenericUri {
  scheme: string;
  value: string;

  constructor(scheme: string, value: string) {
    this.scheme = scheme;
    this.value = value;
  }

  clone(): GenericUri {
    return new GenericUri(this.scheme, this.value);
  }

  toString(): string {
    return this.scheme + ':' + this.value;
  }
}
